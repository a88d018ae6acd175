"""Who may see which page."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from nscal.accounts.models import AccountRole


def role_required(role: AccountRole):
    """Anonymous visitors are sent to log in; logged-in people without the role get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


coordinator_required = role_required(AccountRole.coordinator)
admin_required = role_required(AccountRole.admin)
