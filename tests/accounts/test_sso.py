"""Single sign-on against a real OpenID Provider (node-oidc-provider 8 on loopback).

nscal runs as the Flask test client; its calls to the provider (discovery, token, keys,
userinfo) go over real HTTP through Authlib. The browser's redirects are followed here
with ``requests``, which keeps the provider's cookies as a browser would.
"""

import html
import json
import re
import shutil
import socket
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
import sqlalchemy as sa

from nscal import create_app
from nscal.accounts.models import AccountRole, SsoIdentity, User
from nscal.config import ConfigError
from nscal.db import db
from tests.conftest import PASSWORD, AuthActions, csrf_token_from, test_config

SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
BASE_URL = "https://calendar.test"  # test_config's
CLIENT_ID = "nscal-test"
CLIENT_SECRET = "a-client-secret-for-tests-only"
REDIRECT_URI = f"{BASE_URL}/auth/sso/test/callback"
LABEL = "Sign in with Test City (Keycloak)"
PEOPLE = {
    "alice": {"email": "alice@malmo.se", "email_verified": True, "name": "Alice Andersson"},
    "bob": {"email": "bob@hel.fi", "email_verified": True, "name": "Bob Virtanen"},
    "carol": {"email": "carol@malmo.se", "email_verified": False, "name": "Carol Berg"},
    "dave": {"email": "dave@elsewhere.example", "email_verified": True, "name": "Dave"},
    "erik": {
        "email": "erik@example.org",
        "email_verified": True,
        "given_name": "Erik",
        "family_name": "Nilsson",
        "city": "Oslo",
    },
}


class OpenIDProvider:
    """The node provider as a subprocess; ``issuer`` is its base URL."""

    def __init__(self, *, conform_id_token_claims: bool = False):
        settings = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [REDIRECT_URI],
            "accounts": PEOPLE,
            "conform_id_token_claims": conform_id_token_claims,
        }
        self.process = subprocess.Popen(
            [shutil.which("node") or "node", str(SCRIPT), json.dumps(settings)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline()
        assert line, "the OpenID provider did not start"
        self.issuer = json.loads(line)["issuer"]

    def tamper_id_tokens(self, on: bool) -> None:
        requests.post(f"{self.issuer}/_test/tamper?on={int(on)}", timeout=5).raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stdout.close()


@pytest.fixture(scope="module")
def provider():
    started = OpenIDProvider()
    yield started
    started.stop()


@pytest.fixture
def sso_app(app, network, provider):
    """An nscal app with the provider configured; ``sso_app(**settings)`` for another."""

    def make(issuer=None, *, provider_settings=None, **config):
        settings = {
            "issuer": issuer or provider.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "label": LABEL,
            **(provider_settings or {}),
        }
        made = create_app(
            test_config(app.config["SQLALCHEMY_DATABASE_URI"])
            | {"OIDC_PROVIDERS": {"test": settings}, "OIDC_TIMEOUT": 5}
            | config
        )
        apps.append(made)
        return made

    apps = []
    yield make
    for made in apps:  # their connections closed, as a stopped worker's would be
        with made.app_context():
            db.session.remove()
            db.engine.dispose()


def start_sign_in(client, next_url=None):
    """Press the provider's button on the login page: nscal's redirect to the provider."""
    login = client.get("/auth/login" + (f"?{urlencode({'next': next_url})}" if next_url else ""))
    action = re.search(r'action="(/auth/sso/test[^"]*)"', text(login))
    assert action, "the login page has no button for the provider"
    return client.post(html.unescape(action[1]), data={"csrf_token": csrf_token_from(login)})


def at_provider(location: str, account: str, *, refuse: bool = False) -> str:
    """Follow the browser's way through the provider, as ``account``; the URL it is
    sent back to nscal with."""
    browser = requests.Session()
    for _ in range(10):
        if location.startswith(BASE_URL):
            return location
        parts = urlsplit(location)
        if parts.path.startswith("/interaction/"):
            choice = {"refuse": "1"} if refuse else {"account": account}
            location = urlunsplit(parts._replace(query=urlencode(choice)))
        answer = browser.get(location, allow_redirects=False, timeout=10)
        assert answer.status_code in {302, 303}, answer.text
        location = requests.compat.urljoin(location, answer.headers["Location"])
    raise AssertionError("the provider kept redirecting")


def back_at_nscal(client, location: str):
    parts = urlsplit(location)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client, account, *, refuse=False, next_url=None):
    started = start_sign_in(client, next_url)
    assert started.status_code == 302, started.get_data(as_text=True)
    return back_at_nscal(client, at_provider(started.headers["Location"], account, refuse=refuse))


def logged_in(client) -> bool:
    return client.get("/account").status_code == 200


def text(response) -> str:
    return response.get_data(as_text=True)


def identities() -> list[tuple[str, str, str]]:
    db.session.expire_all()
    rows = db.session.execute(sa.select(SsoIdentity).order_by(SsoIdentity.id)).scalars()
    return [(row.provider, row.subject, row.user.email) for row in rows]


# --- logging in -----------------------------------------------------------------------


def test_verified_address_logs_in_to_the_existing_account_and_remembers_the_subject(
    sso_app, make_user
):
    alice = make_user("alice@malmo.se", name="Alice Andersson", city="malmo")
    client = sso_app().test_client()

    started = start_sign_in(client)
    authorize = urlsplit(started.headers["Location"])
    query = parse_qs(authorize.query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"] and query["redirect_uri"] == [REDIRECT_URI]

    answer = back_at_nscal(client, at_provider(started.headers["Location"], "alice"))
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert "Welcome, Alice Andersson." in text(client.get("/"))
    assert logged_in(client)
    assert identities() == [("test", "alice", "alice@malmo.se")]
    assert db.session.get(User, alice.id).last_login_at is not None


def test_a_later_login_finds_the_account_by_subject_after_the_address_changed(sso_app, make_user):
    alice = make_user("alice@malmo.se", name="Alice Andersson")
    app = sso_app()
    sign_in(app.test_client(), "alice")
    alice = db.session.get(User, alice.id)
    alice.email = "alice.andersson@malmo.se"  # changed here; the provider still says the old
    db.session.commit()

    client = app.test_client()
    sign_in(client, "alice")
    assert logged_in(client)
    assert "alice.andersson@malmo.se" in text(client.get("/account"))
    assert db.session.execute(sa.select(sa.func.count(User.id))).scalar_one() == 1


def test_the_address_is_read_from_userinfo_when_the_id_token_has_none(sso_app, make_user):
    make_user("alice@malmo.se", name="Alice Andersson")
    own = OpenIDProvider(conform_id_token_claims=True)
    try:
        client = sso_app(own.issuer).test_client()
        sign_in(client, "alice")
    finally:
        own.stop()
    assert logged_in(client)
    assert identities() == [("test", "alice", "alice@malmo.se")]


def test_the_next_page_is_honoured_but_never_another_site(sso_app, make_user):
    make_user("alice@malmo.se")
    app = sso_app()
    assert sign_in(app.test_client(), "alice", next_url="/account").headers["Location"] == (
        "/account"
    )
    answer = sign_in(app.test_client(), "alice", next_url="//evil.example/x")
    assert answer.headers["Location"] == "/"


def test_the_session_ends_like_a_password_login_when_sessions_are_ended(sso_app, make_user):
    alice = make_user("alice@malmo.se")
    client = sso_app().test_client()
    sign_in(client, "alice")
    assert logged_in(client)
    alice = db.session.get(User, alice.id)
    alice.end_sessions()  # as "log out everywhere" and a password change do
    db.session.commit()
    assert not logged_in(client)


# --- refusals -------------------------------------------------------------------------


def test_refusing_consent_at_the_provider_shows_a_clear_page(sso_app, make_user):
    make_user("alice@malmo.se")
    client = sso_app().test_client()
    answer = sign_in(client, "alice", refuse=True)
    assert answer.status_code == 403
    assert "You did not allow the sign-in" in text(answer)
    assert "Back to the login page" in text(answer)
    assert not logged_in(client)
    assert identities() == []


def test_an_unknown_person_is_sent_to_their_coordinator_when_accounts_are_not_created(
    sso_app,
):
    client = sso_app().test_client()
    answer = sign_in(client, "bob")
    assert answer.status_code == 403
    assert "no calendar account for bob@hel.fi" in text(answer)
    assert "coordinator" in text(answer) and "invitation" in text(answer)
    assert not logged_in(client)
    assert db.session.execute(sa.select(User)).first() is None


def test_an_unknown_person_gets_a_member_account_in_the_city_of_their_email_domain(sso_app):
    app = sso_app(
        provider_settings={
            "create_accounts": "yes",
            "domain_cities": "malmo.se=malmo, hel.fi=helsinki",
        }
    )
    client = app.test_client()
    answer = sign_in(client, "bob")
    assert answer.status_code == 302
    assert logged_in(client)
    bob = db.session.execute(sa.select(User)).scalar_one()
    assert (bob.email, bob.name, bob.city.slug) == ("bob@hel.fi", "Bob Virtanen", "helsinki")
    assert bob.account_role is AccountRole.member and bob.participant_role is None
    assert not bob.has_password
    assert identities() == [("test", "bob", "bob@hel.fi")]

    # An address outside the table's domains still needs an invitation.
    outsider = app.test_client()
    assert sign_in(outsider, "dave").status_code == 403
    assert not logged_in(outsider)


def test_a_new_account_takes_its_city_from_a_claim_and_its_name_from_the_name_parts(
    sso_app,
):
    app = sso_app(
        provider_settings={
            "create_accounts": True,
            "city_claim": "city",
            "scope": "openid email profile city",
        }
    )
    client = app.test_client()
    sign_in(client, "erik")
    erik = db.session.execute(sa.select(User)).scalar_one()
    assert (erik.name, erik.city.slug) == ("Erik Nilsson", "oslo")


def test_an_unverified_address_is_refused(sso_app, make_user):
    make_user("carol@malmo.se")
    client = sso_app(provider_settings={"create_accounts": True}).test_client()
    answer = sign_in(client, "carol")
    assert answer.status_code == 403
    assert "has not verified your address carol@malmo.se" in text(answer)
    assert not logged_in(client)
    assert identities() == []


def test_a_deactivated_account_is_refused(sso_app, make_user):
    make_user("alice@malmo.se", active=False)
    client = sso_app().test_client()
    answer = sign_in(client, "alice")
    assert answer.status_code == 403
    assert "deactivated" in text(answer)
    assert not logged_in(client)
    assert identities() == []


def test_an_account_linked_to_another_subject_is_not_taken_over(sso_app, make_user):
    alice = make_user("alice@malmo.se")
    db.session.add(SsoIdentity(user=alice, provider="test", subject="the-first-alice"))
    db.session.commit()
    client = sso_app().test_client()
    answer = sign_in(client, "alice")
    assert answer.status_code == 409
    assert "linked to another account" in text(answer)
    assert not logged_in(client)


def test_an_answer_for_a_sign_in_started_in_another_browser_is_refused(sso_app, make_user):
    make_user("alice@malmo.se")
    app = sso_app()
    started = start_sign_in(app.test_client())
    location = at_provider(started.headers["Location"], "alice")

    other_browser = app.test_client()
    answer = back_at_nscal(other_browser, location)
    assert answer.status_code == 400
    assert "does not belong to a sign-in started in this browser" in text(answer)
    assert not logged_in(other_browser)


def test_a_changed_state_is_refused(sso_app, make_user):
    make_user("alice@malmo.se")
    client = sso_app().test_client()
    started = start_sign_in(client)
    parts = urlsplit(at_provider(started.headers["Location"], "alice"))
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query["state"] = "not-the-state-we-sent"
    answer = client.get(f"{parts.path}?{urlencode(query)}")
    assert answer.status_code == 400
    assert not logged_in(client)


def test_a_tampered_id_token_is_refused(sso_app, make_user, provider):
    make_user("alice@malmo.se")
    client = sso_app().test_client()
    provider.tamper_id_tokens(True)
    try:
        answer = sign_in(client, "alice")
    finally:
        provider.tamper_id_tokens(False)
    assert answer.status_code == 400
    assert "did not pass our checks" in text(answer)
    assert not logged_in(client)
    assert identities() == []


def test_a_provider_that_does_not_answer_gives_a_clear_page(sso_app):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    client = sso_app(f"http://127.0.0.1:{port}").test_client()
    login = client.get("/auth/login")
    answer = client.post("/auth/sso/test", data={"csrf_token": csrf_token_from(login)})
    assert answer.status_code == 503
    assert f"We could not reach the sign-in service for “{LABEL}”" in text(answer)
    assert "log in with your password" in text(answer)


def test_a_provider_gone_before_the_token_exchange_gives_a_clear_page(sso_app, make_user):
    make_user("alice@malmo.se")
    own = OpenIDProvider()
    try:
        client = sso_app(own.issuer).test_client()
        started = start_sign_in(client)
        location = at_provider(started.headers["Location"], "alice")
    finally:
        own.stop()
    answer = back_at_nscal(client, location)
    assert answer.status_code == 503
    assert "We could not reach the sign-in service" in text(answer)
    assert not logged_in(client)


def test_an_unknown_provider_name_is_not_found(sso_app):
    client = sso_app().test_client()
    login = client.get("/auth/login")
    token = csrf_token_from(login)
    assert client.post("/auth/sso/nobody", data={"csrf_token": token}).status_code == 404
    assert client.get("/auth/sso/nobody/callback?code=x&state=y").status_code == 404


def test_starting_a_sign_in_needs_the_forms_csrf_token(sso_app):
    assert sso_app().test_client().post("/auth/sso/test").status_code == 400


# --- the login page -------------------------------------------------------------------


def test_the_login_page_lets_its_buttons_lead_to_the_provider(sso_app, provider):
    answer = sso_app().test_client().get("/auth/login")
    assert LABEL in text(answer)
    assert 'name="password"' in text(answer)
    policy = answer.headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.issuer}" in policy


def test_without_password_login_the_form_is_gone_and_posting_it_is_refused(sso_app, make_user):
    make_user("alice@malmo.se")
    client = sso_app(PASSWORD_LOGIN=False).test_client()
    page = text(client.get("/auth/login"))
    assert LABEL in page
    assert 'name="password"' not in page and "Forgot your password?" not in page
    answer = AuthActions(client).login("alice@malmo.se", PASSWORD)
    assert answer.status_code == 403
    assert "Logging in with a password is switched off" in text(answer)
    assert not logged_in(client)
    assert client.get("/auth/forgot-password").status_code == 302


# --- settings -------------------------------------------------------------------------


def test_providers_are_read_from_the_environment(app, monkeypatch):
    monkeypatch.setenv("NSCAL_OIDC_HELSINKI_ISSUER", "https://login.example/tenant/v2.0/")
    monkeypatch.setenv("NSCAL_OIDC_HELSINKI_CLIENT_ID", "calendar")
    monkeypatch.setenv("NSCAL_OIDC_HELSINKI_CLIENT_SECRET", "s3cret")
    monkeypatch.setenv("NSCAL_OIDC_HELSINKI_LABEL", "Sign in with Helsinki (Entra ID)")
    monkeypatch.setenv("NSCAL_OIDC_HELSINKI_DOMAIN_CITIES", "hel.fi=helsinki")
    monkeypatch.setenv("NSCAL_OIDC_HELSINKI_CREATE_ACCOUNTS", "yes")
    monkeypatch.setenv("NSCAL_PASSWORD_LOGIN", "off")
    configured = create_app(test_config(app.config["SQLALCHEMY_DATABASE_URI"]))
    helsinki = configured.config["OIDC_PROVIDERS"]["helsinki"]
    assert helsinki.issuer == "https://login.example/tenant/v2.0"
    assert helsinki.metadata_url == (
        "https://login.example/tenant/v2.0/.well-known/openid-configuration"
    )
    assert helsinki.domain_cities == {"hel.fi": "helsinki"}
    assert helsinki.create_accounts and not helsinki.trust_email
    assert configured.config["PASSWORD_LOGIN"] is False


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"NSCAL_OIDC_HEL_ISSUER": "https://login.example", "NSCAL_OIDC_HEL_LABEL": "Hel"},
            "provider 'hel' is incomplete: set NSCAL_OIDC_HEL_CLIENT_ID, "
            "NSCAL_OIDC_HEL_CLIENT_SECRET",
        ),
        ({"NSCAL_OIDC_HEL_CLIENTID": "x"}, "NSCAL_OIDC_HEL_CLIENTID is not a setting"),
        ({"NSCAL_PASSWORD_LOGIN": "no"}, "no single sign-on provider is set"),
        ({"NSCAL_PASSWORD_LOGIN": "maybe"}, "NSCAL_PASSWORD_LOGIN must be true or false"),
    ],
)
def test_a_broken_provider_setting_stops_the_start_with_one_line(
    app, monkeypatch, variables, message
):
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        create_app(test_config(app.config["SQLALCHEMY_DATABASE_URI"]))
    assert message in error.value.message
    assert "\n" not in error.value.message


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"issuer": "http://login.example"}, "NSCAL_OIDC_TEST_ISSUER 'http://login.example' "),
        ({"domain_cities": "malmo.se"}, "NSCAL_OIDC_TEST_DOMAIN_CITIES must read domain="),
        ({"create_accounts": "perhaps"}, "NSCAL_OIDC_TEST_CREATE_ACCOUNTS must be true or"),
        ({"scope": "email"}, "NSCAL_OIDC_TEST_SCOPE must include openid"),
    ],
)
def test_test_configs_are_checked_like_the_environment(app, settings, message):
    provider = {
        "issuer": "https://login.example",
        "client_id": "a",
        "client_secret": "b",
        "label": "c",
    }
    config = test_config(app.config["SQLALCHEMY_DATABASE_URI"])
    with pytest.raises(ConfigError, match=message):
        create_app(config | {"OIDC_PROVIDERS": {"test": provider | settings}})
