"""Logging in and out."""

import re

import pytest

from nscal.accounts.models import User
from nscal.db import db
from tests.conftest import PASSWORD


def test_login_with_right_password_logs_in_and_stamps_last_login(client, auth, make_user):
    user = make_user("aino@example.org", name="Aino Virtanen")
    response = auth.login("aino@example.org", follow_redirects=True)
    assert response.status_code == 200
    assert "Welcome, Aino Virtanen." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 200
    assert db.session.get(User, user.id).last_login_at is not None


def test_login_ignores_case_and_blanks_in_email(client, auth, make_user):
    make_user("Aino@Example.org")
    auth.login("  AINO@example.ORG ")
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("aino@example.org", "wrong password"),
        ("nobody@example.org", PASSWORD),
        ("nobody@example.org", "wrong password"),
    ],
)
def test_failed_login_does_not_say_which_half_was_wrong(client, auth, make_user, email, password):
    make_user("aino@example.org")
    response = auth.login(email, password)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    messages = re.findall(r'class="(?:flash [^"]*|error)">([^<]*)<', page)
    assert messages == ["Wrong email or password."]
    assert client.get("/account").status_code == 302


def test_deactivated_account_cannot_log_in(client, auth, make_user):
    make_user("gone@example.org", active=False)
    response = auth.login("gone@example.org")
    assert "Wrong email or password." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_deactivating_an_account_ends_its_session(client, auth, make_user):
    user = make_user("soon-gone@example.org")
    auth.login("soon-gone@example.org")
    user.active = False
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_invited_person_without_password_cannot_log_in(auth, make_user):
    make_user("invited@example.org", password=None)
    response = auth.login("invited@example.org", "")
    assert response.status_code == 200
    assert "/account" not in response.headers.get("Location", "")


def test_login_returns_to_the_page_asked_for(client, auth, make_user):
    make_user("aino@example.org")
    response = client.get("/account")
    assert response.status_code == 302
    assert "/auth/login?next=" in response.headers["Location"]
    token = auth.csrf_token()
    response = client.post(
        "/auth/login?next=/account",
        data={"email": "aino@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_login_never_redirects_off_site(client, auth, make_user, target):
    make_user("aino@example.org")
    token = auth.csrf_token()
    response = client.post(
        f"/auth/login?next={target}",
        data={"email": "aino@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_login_form_without_csrf_token_is_refused(client, make_user):
    make_user("aino@example.org")
    response = client.post("/auth/login", data={"email": "aino@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "send it again" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_logout_needs_post(client, auth, make_user):
    make_user("aino@example.org")
    auth.login("aino@example.org")
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/account").status_code == 200


def test_logout_needs_csrf_token(client, auth, make_user):
    make_user("aino@example.org")
    auth.login("aino@example.org")
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/account").status_code == 200


def test_logout_with_csrf_token_logs_out(client, auth, make_user):
    make_user("aino@example.org")
    auth.login("aino@example.org")
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_passwords_are_stored_hashed(app, make_user):
    user = make_user("aino@example.org")
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("pbkdf2:sha256")


def test_production_default_hash_is_scrypt(app):
    from nscal.config import Defaults

    assert Defaults.PASSWORD_HASH_METHOD == "scrypt"
