"""What the coordinators' home says needs them, in a fixed number of queries.

Requests for a place waiting for a decision, this month's events with how full they
are, the drafts still to publish, and mail that could not be delivered. Each part is
one query (two for the requests: the list and the count), however many events,
people or mails there are, so the page stays quick on a busy year.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from nscal.db import db
from nscal.events.models import Event, EventStatus
from nscal.mail.models import MailStatus, OutboxMessage
from nscal.registrations.models import Registration, RegistrationStatus

PENDING_SHOWN = 20  # requests listed on the page; the count says how many in all
FAILED_MAIL_DAYS = 30  # undelivered mail this recent is shown
FAILED_MAIL_SHOWN = 10


@dataclass(frozen=True)
class MonthEvent:
    event: Event
    confirmed: int
    pending: int

    @property
    def fill_percent(self) -> int | None:
        """Confirmed places as a share of the capacity (None: no capacity set)."""
        if not self.event.capacity:
            return None
        return round(100 * self.confirmed / self.event.capacity)


@dataclass(frozen=True)
class CoordinatorHome:
    zone: str
    month_start: date
    pending_total: int
    pending: list[Registration]
    month_events: list[MonthEvent]
    drafts_by_year: dict[int, int]
    failed_total: int
    failed_mail: list[OutboxMessage]


def coordinator_home(zone: str | None, now: datetime, years: tuple[int, ...]) -> CoordinatorHome:
    """The home page's facts; ``zone`` is the coordinator's clock (None: UTC), which says
    when "this month" begins and ends; ``years`` are the planning years to count drafts in."""
    zone = zone or "UTC"
    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    month_start = local_now.date().replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    return CoordinatorHome(
        zone=zone,
        month_start=month_start,
        pending_total=_pending_count(),
        pending=_pending_requests(),
        month_events=_month_events(
            datetime.combine(month_start, datetime.min.time(), tz).astimezone(UTC),
            datetime.combine(next_month, datetime.min.time(), tz).astimezone(UTC),
        ),
        drafts_by_year=_upcoming_drafts(now, years),
        failed_total=_failed_count(now),
        failed_mail=_failed_mail(now),
    )


def _pending_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.status == RegistrationStatus.pending)
    )


def _pending_requests() -> list[Registration]:
    """The oldest requests first: they have waited longest."""
    return list(
        db.session.execute(
            sa.select(Registration)
            .where(Registration.status == RegistrationStatus.pending)
            .options(joinedload(Registration.event).options(lazyload(Event.audience)))
            .order_by(Registration.created_at, Registration.id)
            .limit(PENDING_SHOWN)
        )
        .unique()
        .scalars()
    )


def _month_events(start: datetime, end: datetime) -> list[MonthEvent]:
    counts = (
        sa.select(
            Registration.event_id.label("event_id"),
            sa.func.count()
            .filter(Registration.status == RegistrationStatus.confirmed)
            .label("confirmed"),
            sa.func.count()
            .filter(Registration.status == RegistrationStatus.pending)
            .label("pending"),
        )
        .group_by(Registration.event_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Event, counts.c.confirmed, counts.c.pending)
        .outerjoin(counts, counts.c.event_id == Event.id)
        .where(
            Event.status == EventStatus.published,
            Event.starts_at < end,
            Event.ends_at > start,
        )
        .options(lazyload(Event.audience))
        .order_by(Event.starts_at, Event.id)
    ).all()
    return [MonthEvent(event, confirmed or 0, pending or 0) for event, confirmed, pending in rows]


def _upcoming_drafts(now: datetime, years: tuple[int, ...]) -> dict[int, int]:
    """Drafts not yet begun, by the year of their start on their own clock."""
    counted = dict.fromkeys(years, 0)
    if not years:
        return counted
    # Wide enough for every zone; the edges are settled on each event's clock below.
    window_end = datetime(max(years) + 1, 1, 1, tzinfo=UTC) + timedelta(hours=12)
    rows = db.session.execute(
        sa.select(Event.starts_at, Event.timezone, Event.start_date).where(
            Event.status == EventStatus.draft,
            Event.starts_at >= now,
            Event.starts_at < window_end,
        )
    ).all()
    for starts_at, timezone, start_date in rows:
        year = start_date.year if start_date else starts_at.astimezone(ZoneInfo(timezone)).year
        if year in counted:
            counted[year] += 1
    return counted


def _failed_since(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        OutboxMessage.status == MailStatus.failed,
        OutboxMessage.created_at >= now - timedelta(days=FAILED_MAIL_DAYS),
    )


def _failed_count(now: datetime) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage).where(_failed_since(now))
    )


def _failed_mail(now: datetime) -> list[OutboxMessage]:
    """The latest first; the message bodies stay in the database (only what is shown)."""
    return list(
        db.session.execute(
            sa.select(OutboxMessage)
            .where(_failed_since(now))
            .options(
                sa.orm.load_only(
                    OutboxMessage.recipient,
                    OutboxMessage.subject,
                    OutboxMessage.last_error,
                    OutboxMessage.created_at,
                    OutboxMessage.attempts,
                )
            )
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(FAILED_MAIL_SHOWN)
        ).scalars()
    )
