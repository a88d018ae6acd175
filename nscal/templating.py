"""Helpers available in every template (Flask-WTF already adds ``csrf_token()``)."""

from nscal.accounts.models import AccountRole


def register_template_helpers(app) -> None:
    @app.context_processor
    def inject_globals():
        return {"AccountRole": AccountRole}
