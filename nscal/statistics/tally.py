"""The counts the retention purge leaves behind (see nscal.statistics.models)."""

from datetime import datetime

import sqlalchemy as sa

from nscal.db import db
from nscal.registrations.models import Registration, RegistrationStatus, RegistrationStatusChange
from nscal.statistics.models import PurgedRegistrationCount


def was_waitlisted():
    """True for a registration that was on the waiting list at some time (its history
    says so: ``waitlist_order`` is cleared when a place comes free)."""
    return sa.exists().where(
        RegistrationStatusChange.registration_id == Registration.id,
        RegistrationStatusChange.to_status == RegistrationStatus.waitlisted,
    )


def keep_counts(condition: sa.ColumnElement[bool], now: datetime) -> None:
    """Add the counts of the registrations matching ``condition`` (about to be deleted)
    to ``purged_registration_count``, in one INSERT … SELECT … GROUP BY."""
    waitlisted = sa.case((was_waitlisted(), True), else_=False)
    select = (
        sa.select(
            Registration.event_id,
            Registration.city_id,
            Registration.participant_role_id,
            Registration.status,
            waitlisted,
            sa.func.count(),
            sa.literal(now, PurgedRegistrationCount.purged_at.type),
        )
        .where(condition)
        .group_by(
            Registration.event_id,
            Registration.city_id,
            Registration.participant_role_id,
            Registration.status,
            waitlisted,
        )
    )
    db.session.execute(
        sa.insert(PurgedRegistrationCount).from_select(
            [
                "event_id",
                "city_id",
                "participant_role_id",
                "status",
                "was_waitlisted",
                "count",
                "purged_at",
            ],
            select,
        )
    )
