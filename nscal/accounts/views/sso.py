"""Single sign-on with OpenID Connect: log in through a city's Entra ID, Google or Keycloak.

``POST /auth/sso/<name>`` sends the browser to the provider (authorization code flow
with state, nonce and PKCE S256, all kept in the signed session cookie by Authlib);
``GET /auth/sso/<name>/callback`` takes the answer, checks the ID token and logs the
person in as the password login does. Every way this can fail ends on a page that
says what happened, never a server error.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from joserfc.errors import JoseError

from nscal.accounts.services import ProviderPerson, SingleSignOnRefused, log_in_with_provider
from nscal.accounts.views.auth import start_session
from nscal.config import OidcProvider
from nscal.db import db
from nscal.security import CONTENT_SECURITY_POLICY
from nscal.urls import external_url
from nscal.web import safe_next

sso = Blueprint("sso", __name__, url_prefix="/auth/sso")
OAUTH = "authlib.integrations.flask_client"  # Authlib's key in app.extensions
NEXT_KEY = "sso_next"


class ProviderUnavailable(Exception):
    """The provider did not answer, or answered nonsense, at discovery or token time."""


@dataclass(frozen=True)
class Refusal:
    status: int
    title: str


REFUSALS = {
    "access_denied": Refusal(403, _l("You did not allow the sign-in")),
    "state": Refusal(400, _l("This sign-in link has expired or was not started here")),
    "invalid": Refusal(400, _l("The sign-in could not be checked")),
    "unavailable": Refusal(503, _l("The sign-in service is not answering")),
    "failed": Refusal(400, _l("The sign-in did not complete")),
    "unverified": Refusal(403, _l("Your email address is not verified")),
    "unknown": Refusal(403, _l("You have no account in the calendar yet")),
    "deactivated": Refusal(403, _l("Your account is deactivated")),
    "linked_elsewhere": Refusal(409, _l("This account is linked to someone else")),
}


def init_sso(app: Flask) -> None:
    """One Authlib client per configured provider, on this app only."""
    oauth = OAuth(app)
    for provider in app.config["OIDC_PROVIDERS"].values():
        oauth.register(
            provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.metadata_url,
            client_kwargs={
                "scope": provider.scope,
                "code_challenge_method": "S256",
                "default_timeout": app.config["OIDC_TIMEOUT"],
            },
        )


@sso.app_context_processor
def sign_in_choices() -> dict:
    """For the login page: the providers' buttons, and whether passwords work."""
    return {
        "sso_providers": list(current_app.config["OIDC_PROVIDERS"].values()),
        "password_login": current_app.config["PASSWORD_LOGIN"],
    }


@sso.after_app_request
def allow_provider_form_targets(response):
    """The login page's buttons post here and are redirected on to the providers:
    browsers check ``form-action`` along that redirect, so name the providers there."""
    providers = current_app.config["OIDC_PROVIDERS"]
    if request.endpoint == "auth.login" and providers:
        origins = sorted({_origin(provider.issuer) for provider in providers.values()})
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'", "form-action 'self' " + " ".join(origins)
        )
    return response


@sso.post("/<name>")
def start(name: str):
    provider = _provider_or_404(name)
    next_url = safe_next(request.args.get("next"), "")
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.index"))
    client = current_app.extensions[OAUTH].create_client(provider.name)
    try:
        _metadata(provider, client)
        response = client.authorize_redirect(external_url("sso.callback", name=provider.name))
    except ProviderUnavailable:
        return _refused(provider, "unavailable", _unavailable_message(provider))
    session[NEXT_KEY] = next_url
    return response


@sso.get("/<name>/callback")
def callback(name: str):
    provider = _provider_or_404(name)
    client = current_app.extensions[OAUTH].create_client(provider.name)
    try:
        person = _person_from_callback(provider, client)
        user = log_in_with_provider(
            person,
            may_create=_may_create(provider, person),
            city_slug=_city_slug(provider, person),
        )
    except SingleSignOnRefused as exc:
        db.session.rollback()
        return _refused(provider, exc.reason, str(exc))
    except _CallbackRefused as exc:
        return _refused(provider, exc.reason, exc.message)
    db.session.commit()
    return start_session(user, session.pop(NEXT_KEY, None))


class _CallbackRefused(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def _person_from_callback(provider: OidcProvider, client) -> ProviderPerson:
    """Who the provider vouches for: the code exchanged, the ID token's signature,
    issuer, audience, expiry and nonce checked, missing claims read from userinfo."""
    label = provider.label
    if request.args.get("error") == "access_denied":
        _clear_pending_state(client)
        raise _CallbackRefused(
            "access_denied",
            _(
                "You cancelled, or did not allow the calendar to use your account, at the "
                "sign-in service. Nothing has changed; you can try again."
            ),
        )
    try:
        metadata = _metadata(provider, client)
        issuer_param = request.args.get("iss")
        if issuer_param is not None and issuer_param.rstrip("/") != provider.issuer:
            # RFC 9207: an answer from another provider than the one we asked.
            raise _CallbackRefused("invalid", _("The answer came from another sign-in service."))
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise _CallbackRefused("invalid", _("The sign-in service sent no ID token."))
        if not claims.get("email") and metadata.get("userinfo_endpoint"):
            # Spec-conforming providers put the profile in userinfo, not the ID token.
            extra = client.userinfo(token=token)
            if extra.get("sub") != claims["sub"]:
                raise _CallbackRefused("invalid", _("The sign-in service contradicted itself."))
            claims = {**extra, **claims}
    except MismatchingStateError:
        raise _CallbackRefused(
            "state",
            _(
                "This answer from the sign-in service does not belong to a sign-in started "
                "in this browser, or it is too old. Please start again from the login page."
            ),
        ) from None
    except OAuthError as exc:
        if exc.error == "access_denied":
            raise _CallbackRefused(
                "access_denied",
                _("You did not allow the calendar to use your account at the sign-in service."),
            ) from None
        raise _CallbackRefused(
            "failed",
            _(
                "%(provider)s answered: %(answer)s. Please try again.",
                provider=label,
                answer=exc.description or exc.error,
            ),
        ) from None
    except ProviderUnavailable:
        raise _CallbackRefused("unavailable", _unavailable_message(provider)) from None
    except requests.RequestException:
        raise _CallbackRefused("unavailable", _unavailable_message(provider)) from None
    except (JoseError, AuthlibBaseError, ValueError, KeyError, TypeError):
        # A bad signature, another audience or issuer, an expired token, a wrong nonce.
        raise _CallbackRefused(
            "invalid",
            _(
                "The sign-in service's answer did not pass our checks, so we did not log "
                "you in. Please try again; if it keeps happening, tell the secretariat."
            ),
        ) from None
    email = claims.get("email")
    verified = claims.get("email_verified")
    return ProviderPerson(
        provider=provider.name,
        subject=str(claims["sub"]),
        email=email.strip() if isinstance(email, str) and email.strip() else None,
        email_verified=provider.trust_email or verified is True or verified == "true",
        name=_claimed_name(claims),
        city=city if isinstance(city := claims.get(provider.city_claim or ""), str) else None,
    )


def _metadata(provider: OidcProvider, client) -> dict:
    """The provider's discovery document, fetched once per process; it must name the
    issuer we were configured with (OpenID Connect Discovery, section 4.3)."""
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError):
        raise ProviderUnavailable from None
    if str(metadata.get("issuer", "")).rstrip("/") != provider.issuer:
        current_app.logger.error(
            "single sign-on %s: discovery names issuer %r, not %r",
            provider.name,
            metadata.get("issuer"),
            provider.issuer,
        )
        client.server_metadata.pop("_loaded_at", None)  # look again next time
        raise ProviderUnavailable
    return metadata


def _clear_pending_state(client) -> None:
    state = request.args.get("state")
    if state:
        client.framework.clear_state_data(session, state)


def _claimed_name(claims: dict) -> str | None:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(part for part in parts if isinstance(part, str) and part.strip())
    return name or None


def _email_domain(person: ProviderPerson) -> str:
    return (person.email or "").rpartition("@")[2].lower()


def _may_create(provider: OidcProvider, person: ProviderPerson) -> bool:
    """Self-service accounts when the provider allows them, and only for the listed
    email domains when there is a table of them."""
    if not provider.create_accounts:
        return False
    return not provider.domain_cities or _email_domain(person) in provider.domain_cities


def _city_slug(provider: OidcProvider, person: ProviderPerson) -> str | None:
    """The new account's city: by the email domain's row in the table, else the claim."""
    return provider.domain_cities.get(_email_domain(person)) or person.city


def _provider_or_404(name: str) -> OidcProvider:
    provider = current_app.config["OIDC_PROVIDERS"].get(name)
    if provider is None:
        abort(404)
    return provider


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _unavailable_message(provider: OidcProvider) -> str:
    if current_app.config["PASSWORD_LOGIN"]:
        return _(
            "We could not reach the sign-in service for “%(provider)s”. "
            "Please try again in a few minutes, or log in with your password.",
            provider=provider.label,
        )
    return _(
        "We could not reach the sign-in service for “%(provider)s”. "
        "Please try again in a few minutes.",
        provider=provider.label,
    )


def _refused(provider: OidcProvider, reason: str, message: str):
    refusal = REFUSALS.get(reason, REFUSALS["failed"])
    headers = {"Retry-After": "60"} if refusal.status == 503 else {}
    return (
        render_template(
            "auth/sso_refused.html", title=refusal.title, message=message, provider=provider
        ),
        refusal.status,
        headers,
    )
