"""The account pages, one blueprint per module: ``auth`` (logging in, invitations),
``sso`` (single sign-on), ``account`` (each person's own page) and ``people``
(coordinators invite, admins manage accounts)."""

from nscal.accounts.views.account import account
from nscal.accounts.views.admin import people
from nscal.accounts.views.auth import auth
from nscal.accounts.views.sso import sso

__all__ = ["account", "auth", "people", "sso"]
