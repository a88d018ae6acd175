"""Friendly error pages: nobody sees a traceback."""

from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from nscal.db import db

MESSAGES = {
    400: ("Something in that request was not right", "Go back, check the form and try again."),
    403: ("Not for you, sorry", "Your account does not have access to this page."),
    404: ("Page not found", "The page may have moved, or the link may be mistyped."),
    405: ("Not allowed", "This page cannot be used that way."),
    410: ("Gone", "This link no longer works."),
    413: ("That file is too large", "Import files of up to 2 MB; split a bigger one into parts."),
    500: ("Something went wrong on our side", "The error has been logged. Please try again."),
}


def _render(code: int, detail: str | None = None):
    title, hint = MESSAGES.get(code, ("Something went wrong", ""))
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return {"error": title, "detail": detail or hint, "status": code}, code
    return render_template(
        "errors/error.html", code=code, title=title, hint=hint, detail=detail
    ), code


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(400, "The form had expired or came from elsewhere. Please send it again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = current_app.make_response(_render(error.code))
        # The exception's own headers say how to do better (405's Allow, 401's
        # WWW-Authenticate, 503's Retry-After); only its Content-Type is not ours.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers.add(name, value)
        return response

    @app.errorhandler(InternalServerError)
    def server_error(error):
        db.session.rollback()
        return _render(500)
