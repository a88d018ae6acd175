"""Friendly error pages: nobody sees a traceback."""

import sqlite3
from collections.abc import Callable
from contextlib import suppress

import sqlalchemy as sa
from flask import current_app, g, render_template, request
from flask_babel import gettext, lazy_gettext
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from nscal.db import db
from nscal.i18n import current_language


def N_(text: str) -> str:
    """Marks ``text`` for the catalogs; the pages translate it, the API keeps English."""
    return text


MESSAGES = {
    400: (
        N_("Something in that request was not right"),
        N_("Go back, check the form and try again."),
    ),
    403: (N_("Not for you, sorry"), N_("Your account does not have access to this page.")),
    404: (N_("Page not found"), N_("The page may have moved, or the link may be mistyped.")),
    405: (N_("Not allowed"), N_("This page cannot be used that way.")),
    410: (N_("Gone"), N_("This link no longer works.")),
    413: (N_("That request is too large"), N_("Please send less at once.")),
    500: (
        N_("Something went wrong on our side"),
        N_("The error has been logged. Please try again."),
    ),
    503: (
        N_("Busy, please try again"),
        N_("The calendar is busy right now. Nothing was saved: please try again in a moment."),
    ),
}
SOMETHING_WENT_WRONG = (N_("Something went wrong"), "")
UPLOAD_TOO_LARGE = (
    N_("That file is too large"),
    N_("Import files of up to 2 MB; split a bigger one into parts."),
)
UPLOAD_BLUEPRINTS = {"imports"}
RETRY_AFTER_SECONDS = 5
# Lazy: the rooms that show it (registrations, events) need not translate it themselves.
EXPIRED_FORM = lazy_gettext("The page was open too long; check and send again.")

# Endpoint -> a function that shows its form again, with what was typed, after the CSRF
# check refused it (an expired session, a page left open overnight). It authorizes as
# the view would and returns None when it cannot help: the plain 400 page follows.
CSRF_RECOVERY: dict[str, Callable[[], object]] = {}


def recover_after_csrf(*endpoints: str):
    """Register the decorated function as the CSRF recovery of ``endpoints``."""

    def register(function):
        for endpoint in endpoints:
            CSRF_RECOVERY[endpoint] = function
        return function

    return register


def _render(code: int, detail: str | None = None):
    title, hint = MESSAGES.get(code, SOMETHING_WENT_WRONG)
    if code == 413 and request.blueprint in UPLOAD_BLUEPRINTS:
        title, hint = UPLOAD_TOO_LARGE
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return {"error": title, "detail": detail or hint, "status": code}, code  # English
    title, hint = _translated(title), _translated(hint)
    return render_template(
        "errors/error.html", code=code, title=title, hint=hint, detail=detail
    ), code


def database_unavailable(error: sa.exc.OperationalError) -> bool:
    """Whether a database error is passing trouble (locked, timed out, unreachable) that
    a retry can cure, rather than a bug.

    SQLite reports SQL mistakes as OperationalError too, so there only "locked" and
    "busy" count; psycopg's OperationalError is always the server or the network
    (connection lost or refused, statement or lock timeout, deadlock, too many clients).
    """
    if isinstance(error.orig, sqlite3.OperationalError):
        text = str(error.orig).lower()
        return "locked" in text or "busy" in text
    return True


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        recover = CSRF_RECOVERY.get(request.endpoint or "")
        if recover is not None and request.method == "POST":
            # The page shown again needs a token that matches the session as it is now.
            g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
            response = recover()
            if response is not None:
                return response
        return _render(
            400, gettext("The form had expired or came from elsewhere. Please send it again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        # A description written where the error was raised says more than the default.
        written = error.description != type(error).description
        response = current_app.make_response(
            _render(error.code, error.description if written else None)
        )
        # The exception's own headers say how to do better (405's Allow, 401's
        # WWW-Authenticate, 503's Retry-After); only its Content-Type is not ours.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers.add(name, value)
        return response

    @app.errorhandler(sa.exc.OperationalError)
    def database_error(error: sa.exc.OperationalError):
        if not database_unavailable(error):
            raise error  # a bug: the 500 handler logs it
        return _busy(error)

    @app.errorhandler(sa.exc.TimeoutError)
    def pool_timeout(error: sa.exc.TimeoutError):
        return _busy(error)

    @app.errorhandler(InternalServerError)
    def server_error(error):
        db.session.rollback()
        return _render(500)


def _busy(error: Exception):
    """The 503 page with ``Retry-After``, after rolling back what the request had begun."""
    current_app.logger.warning("database unavailable, answered 503: %s", error)
    _rollback_quietly()
    try:
        response, code = _render(503)
    except sa.exc.SQLAlchemyError:
        # The page itself needs the database (the signed-in person, their time zone):
        # answer in plain words instead.
        _rollback_quietly()
        title, hint = (_translated(text) for text in MESSAGES[503])
        page = f"<title>{escape(title)}</title><p>{escape(hint)}"
        response, code = f'<!doctype html><html lang="{current_language()}">{page}', 503
    return response, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _translated(text: str) -> str:
    """``text`` in the reader's language; in English when even choosing the language
    fails (it may need the database, which is what is failing)."""
    if not text:
        return text
    try:
        return gettext(text)
    except sa.exc.SQLAlchemyError:
        _rollback_quietly()
        return text


def _rollback_quietly() -> None:
    # On a lost connection the rollback can fail too; the session is discarded anyway.
    with suppress(sa.exc.SQLAlchemyError):
        db.session.rollback()
