"""The account of a person: who they are, where from, and what they may do."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from nscal.cities.models import City, ParticipantRole
from nscal.db import UTCDateTime, db, str_enum, utcnow


class AccountRole(enum.StrEnum):
    """What a person may do in nscal; each role includes the ones before it."""

    member = "member"
    coordinator = "coordinator"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(AccountRole).index(self)

    @property
    def label(self) -> str:
        """The role's name for people, in the reader's language (lazy: form choices
        are built at import time)."""
        return ACCOUNT_ROLE_LABELS[self]


ACCOUNT_ROLE_LABELS = {
    AccountRole.member: _l("Member"),
    AccountRole.coordinator: _l("Coordinator"),
    AccountRole.admin: _l("Admin"),
}


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


def normalize_email(email: str) -> str:
    """Emails are compared without case and surrounding blanks."""
    return email.strip().lower()


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("city.id"), index=True)
    participant_role_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participant_role.id"))
    account_role: Mapped[AccountRole] = mapped_column(
        str_enum(AccountRole, "account_role"),
        default=AccountRole.member,
    )
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    # The language of pages and mails ("da", "fi" …, see nscal.i18n); None: not chosen.
    language: Mapped[str | None] = mapped_column(sa.String(8))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    feed_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_feed_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session's and remember cookie's id: raising it ends them all.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Set when the person (or a coordinator on their request) deleted the account: its
    # personal fields are wiped and it can never log in or be reactivated.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    city: Mapped[City | None] = relationship(lazy="joined")
    participant_role: Mapped[ParticipantRole | None] = relationship(lazy="joined")

    @validates("email")
    def _normalize_email(self, _key: str, email: str) -> str:
        return normalize_email(email)

    @validates("active")
    def _end_sessions_on_deactivation(self, _key: str, active: bool) -> bool:
        # Otherwise reactivating the account would bring its old cookies back to life.
        if self.id is not None and self.active and not active:
            self.end_sessions()
        return active

    def end_sessions(self) -> None:
        """Sign this person out everywhere: every cookie issued so far stops working."""
        # In SQL, so that two requests ending sessions at once both count.
        self.session_version = User.session_version + 1

    def get_id(self) -> str:
        """The session's user id for Flask-Login: the account and its session version."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    def has_role(self, role: AccountRole) -> bool:
        """True when this account may act as ``role`` (admins may do what coordinators do)."""
        return self.account_role.rank >= role.rank

    @property
    def is_coordinator(self) -> bool:
        return self.has_role(AccountRole.coordinator)

    @property
    def is_admin(self) -> bool:
        return self.has_role(AccountRole.admin)

    @property
    def display_timezone(self) -> str | None:
        """The zone this person reads times in: their own choice, else their city's."""
        if self.timezone:
            return self.timezone
        return self.city.timezone if self.city else None

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class ThrottleScope(enum.StrEnum):
    """What a throttle counts: failed logins or password reset requests, per account
    (the email address typed) or per client address."""

    login_account = "login-account"
    login_address = "login-address"
    reset_account = "reset-account"
    reset_address = "reset-address"


class LoginThrottle(db.Model):
    """Recent failures for one key. Kept in the database, so every worker and app
    server counts the same attempts."""

    __tablename__ = "login_throttle"
    __table_args__ = (sa.UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[ThrottleScope] = mapped_column(str_enum(ThrottleScope, "throttle_scope"))
    key: Mapped[str] = mapped_column(sa.String(254))
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LoginThrottle {self.scope.value} {self.key} {self.failures}>"


class SsoIdentity(db.Model):
    """A person's account at a single sign-on provider, linked to their nscal account:
    later logins find the account by the provider's subject, even after the address
    there changes."""

    __tablename__ = "sso_identity"
    __table_args__ = (
        sa.UniqueConstraint("provider", "subject"),
        # One account at each provider: a second subject with the same address is
        # someone else (an address handed on), not a new way in.
        sa.UniqueConstraint("user_id", "provider"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(sa.String(64))  # the name in NSCAL_OIDC_<NAME>_*
    subject: Mapped[str] = mapped_column(sa.String(255))  # the ID token's "sub"
    email: Mapped[str | None] = mapped_column(sa.String(254))  # as the provider last said
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<SsoIdentity {self.provider} {self.subject}>"
