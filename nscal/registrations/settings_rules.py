"""What makes an event's registration settings sensible, checked in one place.

The event form shows every problem on its field; ``save_registration_settings``
refuses the first one (the last guard, under the event's lock, for every caller).
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_number, ngettext
from flask_babel import gettext as _

from nscal.timedisplay import format_instant


@dataclass(frozen=True)
class SettingsProblem:
    """``field``: ``capacity``, ``city_limit``, ``quota_<role id>``, ``opens``, ``closes``
    or ``self_cancel_until``; ``message``: what is wrong, for people."""

    field: str
    message: str


def _local(moment: datetime, zone: str) -> str:
    return format_instant(moment, zone)


def settings_problems(
    *,
    starts_at: datetime | None,
    ends_at: datetime | None,
    zone: str,
    capacity: int | None,
    held: int,
    quotas: dict[int, int | None],
    audience: dict[int, str],
    role_names: dict[int, str],
    city_limit: int | None,
    opens_at: datetime | None,
    closes_at: datetime | None,
    self_cancel_until: datetime | None,
) -> list[SettingsProblem]:
    """Every problem of these settings for an event from ``starts_at`` to ``ends_at``.

    ``held``: places already held (confirmed or awaiting approval); ``audience``: the
    roles the event is for, by id (empty: everyone); ``role_names``: every role's name.
    Without ``starts_at`` and ``ends_at`` (the event's times are still wrong) the
    moments are not checked against the event.
    """
    problems = []
    if capacity is not None and capacity < held:
        problems.append(
            SettingsProblem(
                "capacity",
                ngettext(
                    "%(count)s place already taken (confirmed or awaiting approval): the "
                    "capacity cannot be lower than %(count)s. To make the event smaller, first "
                    "move people to the waiting list on the registrations page.",
                    "%(count)s places already taken (confirmed or awaiting approval): the "
                    "capacity cannot be lower than %(count)s. To make the event smaller, first "
                    "move people to the waiting list on the registrations page.",
                    held,
                    count=format_number(held),
                ),
            )
        )
    for role_id, places in quotas.items():
        if places is None:
            continue
        name = (role_names.get(role_id) or _("this role")).lower()
        if audience and role_id not in audience:
            problems.append(
                SettingsProblem(
                    f"quota_{role_id}",
                    _(
                        "The event is not for the role %(role)s: leave this empty, "
                        "or tick the role in the audience.",
                        role=name,
                    ),
                )
            )
        elif capacity is not None and places > capacity:
            problems.append(
                SettingsProblem(
                    f"quota_{role_id}",
                    ngettext(
                        "A quota cannot be more than the capacity: the event has %(count)s "
                        "place in all, so at most %(count)s for the role %(role)s.",
                        "A quota cannot be more than the capacity: the event has %(count)s "
                        "places in all, so at most %(count)s for the role %(role)s.",
                        capacity,
                        count=format_number(capacity),
                        role=name,
                    ),
                )
            )
    if city_limit is not None and capacity is not None and city_limit > capacity:
        problems.append(
            SettingsProblem(
                "city_limit",
                ngettext(
                    "At most the capacity: the event has %(count)s place in all.",
                    "At most the capacity: the event has %(count)s places in all.",
                    capacity,
                    count=format_number(capacity),
                ),
            )
        )
    if starts_at is None or ends_at is None:
        return problems
    if closes_at is not None and closes_at >= ends_at:
        problems.append(
            SettingsProblem(
                "closes",
                _(
                    "Registration must close before the event ends (%(end)s).",
                    end=_local(ends_at, zone),
                ),
            )
        )
    if opens_at is not None:
        if closes_at is not None and opens_at >= closes_at:
            problems.append(SettingsProblem("opens", _("Registration must open before it closes.")))
        elif closes_at is None and opens_at >= starts_at:
            problems.append(
                SettingsProblem(
                    "opens",
                    _(
                        "Registration must open before the event starts (%(start)s), when it "
                        "closes unless you set a closing time.",
                        start=_local(starts_at, zone),
                    ),
                )
            )
    if self_cancel_until is not None and self_cancel_until >= ends_at:
        problems.append(
            SettingsProblem(
                "self_cancel_until",
                _(
                    "Cancelling must end before the event ends (%(end)s).",
                    end=_local(ends_at, zone),
                ),
            )
        )
    return problems
