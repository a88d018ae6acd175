"""Registration settings of an event and the registrations themselves."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nscal.accounts.models import User
from nscal.cities.models import City, ParticipantRole
from nscal.db import UTCDateTime, db, str_enum, utcnow
from nscal.events.models import Event


class RegistrationStatus(enum.StrEnum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    pending = "pending"  # waiting for a coordinator's approval
    cancelled = "cancelled"
    rejected = "rejected"

    @property
    def label(self) -> str:
        """The status in the reader's language (at request time: a str, not lazy)."""
        if self is RegistrationStatus.confirmed:
            return pgettext("registration status", "Confirmed")
        if self is RegistrationStatus.waitlisted:
            return pgettext("registration status", "On the waiting list")
        if self is RegistrationStatus.pending:
            return pgettext("registration status", "Awaiting approval")
        if self is RegistrationStatus.cancelled:
            # Translators: a registration the person (or a coordinator) cancelled, not an event.
            return pgettext("registration status", "Cancelled")
        return pgettext("registration status", "Rejected")

    @property
    def is_active(self) -> bool:
        return self in ACTIVE_STATUSES


ACTIVE_STATUSES = (
    RegistrationStatus.confirmed,
    RegistrationStatus.waitlisted,
    RegistrationStatus.pending,
)
# Places are taken by confirmed people and by those awaiting approval.
HOLDING_STATUSES = (RegistrationStatus.confirmed, RegistrationStatus.pending)

_ACTIVE_SQL = "status IN ('confirmed', 'waitlisted', 'pending')"


class RoleQuota(db.Model):
    """At most ``places`` people in this participant role at this event."""

    __tablename__ = "event_role_quota"

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    participant_role_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant_role.id", ondelete="CASCADE"), primary_key=True
    )
    places: Mapped[int] = mapped_column()

    role: Mapped[ParticipantRole] = relationship(lazy="joined")


class RegistrationSettings(db.Model):
    """How an event takes registrations (one row per event that takes them)."""

    __tablename__ = "registration_settings"

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    city_limit: Mapped[int | None] = mapped_column()  # at most this many per city
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: the start
    requires_approval: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    waitlist: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    self_cancel: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    self_cancel_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: the start


class Registration(db.Model):
    __tablename__ = "registration"
    __table_args__ = (
        # One active registration per person and event; cancelled ones stay as history.
        sa.Index(
            "uq_registration_active_person",
            "event_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text(_ACTIVE_SQL),
            postgresql_where=sa.text(_ACTIVE_SQL),
        ),
        sa.Index("ix_registration_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    # None once the person deleted their account: the registration stays as an
    # anonymous count (its city and role) and holds no identity.
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # The person's role and city when they registered: limits count these.
    participant_role_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participant_role.id"))
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("city.id"))
    status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus, "registration_status")
    )
    # Order on the waiting list: smaller is earlier; set when the person is waitlisted.
    waitlist_order: Mapped[int | None] = mapped_column()
    note: Mapped[str] = mapped_column(sa.Text, default="")
    registered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="joined")
    participant_role: Mapped[ParticipantRole | None] = relationship(lazy="joined")
    city: Mapped[City | None] = relationship(lazy="joined")
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])

    @property
    def by_coordinator(self) -> bool:
        return self.registered_by_id is not None and self.registered_by_id != self.user_id

    @property
    def is_anonymous(self) -> bool:
        """The person deleted their account: only the city and role are left."""
        return self.user_id is None

    @property
    def person_name(self) -> str:
        if self.user is not None:
            return self.user.name
        # Translators: shown in place of the name of a person who deleted their account.
        return _("Deleted account")

    @property
    def person_email(self) -> str:
        return self.user.email if self.user is not None else ""


# Stored as the name of a deleted account (a database value: English); shown translated.
DELETED_ACCOUNT = "Deleted account"


class RegistrationStatusChange(db.Model):
    """One step in a registration's life: who moved it from which status to which, when.

    ``from_status`` is None for the registration's creation; ``changed_by_id`` is None
    when nscal moved it (a place from the waiting list) or the person was deleted.
    """

    __tablename__ = "registration_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[RegistrationStatus | None] = mapped_column(
        str_enum(RegistrationStatus, "from_status")
    )
    to_status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus, "to_status"))
    changed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
