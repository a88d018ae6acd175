"""Which events a person can register for, for whole lists at once.

The event page asks ``decide_registration`` about one event; a list of twenty cards
must not ask twenty times. ``fits_for`` reads what the rules need for every event of
a list in four queries (settings, the person's role quota, the places held, the
person's own registrations) and applies the same rules in the same order, with a
short reason for the card when the person cannot register.

``open_for_registration`` is the same window rule as SQL, for the "for me" filter
(``nscal.events.for_me`` asks for it through a signal: events never import
registrations).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from nscal.db import db
from nscal.events.for_me import registration_open_condition
from nscal.events.models import Event, EventStatus
from nscal.registrations.models import (
    ACTIVE_STATUSES,
    HOLDING_STATUSES,
    Registration,
    RegistrationSettings,
    RegistrationStatus,
    RoleQuota,
)


@dataclass(frozen=True)
class Fit:
    """What a card says about registering: ``can_register`` (the person may register,
    perhaps onto the waiting list), else ``why_not``; ``status`` is their own active
    registration, when they have one."""

    can_register: bool
    why_not: str | None = None
    status: RegistrationStatus | None = None
    waiting_list: bool = False  # registering now puts them on the waiting list


def role_list(words: list[str]) -> str:
    """ "mayors", "mayors and politicians", "mayors, leaders and politicians"."""
    if len(words) < 2:
        return "".join(words)
    # Translators: the end of a list of participant roles: "mayors, leaders and politicians".
    return _("%(names)s and %(last)s", names=", ".join(words[:-1]), last=words[-1])


def audience_words(event: Event) -> str:
    """ "For mayors and politicians", "For practitioners"."""
    # Translators: on an event card, whom the event is for; roles: "mayors and politicians".
    return _("For %(roles)s", roles=role_list([role.plural_label for role in event.audience]))


def fits_for(events: list[Event], viewer, now: datetime, zone: str | None = None) -> dict[int, Fit]:
    """For each published event of ``events``: can ``viewer`` (signed in) register now?

    A fixed number of queries however many events. ``zone`` is the reader's clock for
    the day registration opens. Drafts and cancelled events get no entry.
    """
    events = [event for event in events if event.status is EventStatus.published]
    if not events or viewer is None or not getattr(viewer, "is_authenticated", False):
        return {}
    ids = [event.id for event in events]
    settings = {
        row.event_id: row
        for row in db.session.execute(
            sa.select(RegistrationSettings).where(RegistrationSettings.event_id.in_(ids))
        ).scalars()
    }
    role_id, city_id = viewer.participant_role_id, viewer.city_id
    quotas: dict[int, int] = {}
    if role_id is not None:
        quotas = dict(
            db.session.execute(
                sa.select(RoleQuota.event_id, RoleQuota.places).where(
                    RoleQuota.event_id.in_(ids), RoleQuota.participant_role_id == role_id
                )
            ).all()
        )
    held_total: dict[int, int] = defaultdict(int)
    held_role: dict[int, int] = defaultdict(int)
    held_city: dict[int, int] = defaultdict(int)
    for event_id, held_role_id, held_city_id, count in db.session.execute(
        sa.select(
            Registration.event_id,
            Registration.participant_role_id,
            Registration.city_id,
            sa.func.count(),
        )
        .where(Registration.event_id.in_(ids), Registration.status.in_(HOLDING_STATUSES))
        .group_by(Registration.event_id, Registration.participant_role_id, Registration.city_id)
    ).all():
        held_total[event_id] += count
        if role_id is not None and held_role_id == role_id:
            held_role[event_id] += count
        if city_id is not None and held_city_id == city_id:
            held_city[event_id] += count
    own = dict(
        db.session.execute(
            sa.select(Registration.event_id, Registration.status).where(
                Registration.event_id.in_(ids),
                Registration.user_id == viewer.id,
                Registration.status.in_(ACTIVE_STATUSES),
            )
        ).all()
    )

    fits = {}
    for event in events:
        if event.id in own:
            fits[event.id] = Fit(False, status=own[event.id])
            continue
        setting = settings.get(event.id)
        if event.audience and (role_id is None or role_id not in {r.id for r in event.audience}):
            fits[event.id] = Fit(False, audience_words(event))
            continue
        opens_at = setting.opens_at if setting else None
        closes_at = (setting.closes_at if setting else None) or event.starts_at
        if opens_at is not None and now < opens_at:
            day = opens_at.astimezone(ZoneInfo(zone or event.timezone)).date()
            # Translators: on an event card; day: "13 January 2027", in the reader's language.
            fits[event.id] = Fit(False, _("Registration opens %(day)s", day=_long_day(day)))
            continue
        if now >= closes_at:
            fits[event.id] = Fit(False, _("Registration closed"))
            continue
        limit = setting.city_limit if setting else None
        full = (
            (event.capacity is not None and held_total[event.id] >= event.capacity)
            or (event.id in quotas and held_role[event.id] >= quotas[event.id])
            or (limit is not None and city_id is not None and held_city[event.id] >= limit)
        )
        waitlist = setting.waitlist if setting else True
        if full and not waitlist:
            # Translators: on an event card: no places left and no waiting list.
            fits[event.id] = Fit(False, _("Full"))
            continue
        fits[event.id] = Fit(True, waiting_list=full)
    return fits


def _long_day(day) -> str:
    """ "13 January 2027" in English, "13. januar 2027" in Danish (Babel's long date;
    English keeps nscal's day-month order)."""
    locale = get_locale()
    english = locale is None or locale.language == "en"
    return format_date(day, "d MMMM y" if english else "long")


def open_for_registration(now: datetime) -> sa.ColumnElement[bool]:
    """Events whose registration window is open at ``now`` (SQL on ``Event``): opened
    (or no opening time), and not closed (the closing time, else the start)."""
    settings = sa.orm.aliased(RegistrationSettings)
    opens = sa.select(settings.opens_at).where(settings.event_id == Event.id).scalar_subquery()
    closes = sa.select(settings.closes_at).where(settings.event_id == Event.id).scalar_subquery()
    return sa.and_(
        sa.or_(opens.is_(None), opens <= now),
        sa.func.coalesce(closes, Event.starts_at) > now,
    )


@registration_open_condition.connect
def _window_condition(now: datetime) -> sa.ColumnElement[bool]:
    return open_for_registration(now)
