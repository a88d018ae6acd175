"""The account pages."""

from nscal.accounts.views.admin import people
from nscal.accounts.views.auth import account, auth

__all__ = ["account", "auth", "people"]
