"""The account pages, one blueprint per module: ``auth`` (logging in, invitations),
``sso`` (single sign-on), ``account`` (each person's own page) and ``people``
(coordinators invite, admins manage accounts) and ``zone`` (the time-zone picker)."""

from nscal.accounts.views.account import account
from nscal.accounts.views.admin import people
from nscal.accounts.views.auth import auth
from nscal.accounts.views.sso import sso
from nscal.accounts.views.zone import zone

__all__ = ["account", "auth", "people", "sso", "zone"]
