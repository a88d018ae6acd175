"""The registration settings as a section of the event form (see nscal.events.form_sections).

Capacity, role quotas, the per-city limit, the registration window, approval, the
waiting list and self-cancelling are edited on the event form itself, in one
``<form>`` with the event's fields, and checked together with them: the capacity and
the audience are the event form's fields, the rest this section's (prefix
``settings-``). Events never import this module; registrations add the section to
the app when their blueprint is registered (``views/__init__.py``).

Saving runs in the event form's transaction, after the event service stored the
event. A raised capacity then gives its places to the waiting list here, with the
settings saved beside it (approval, quotas), not before them: ``settings_follow``
tells the ``capacity_changed`` receiver to leave it to ``save_registration_settings``.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import ngettext

from nscal.cities.models import all_roles
from nscal.db import db
from nscal.events.form_sections import EventFormSection, SectionError
from nscal.events.models import Event
from nscal.events.services import EventError, schedule_for
from nscal.registrations.forms import RegistrationSettingsForm, settings_form_class
from nscal.registrations.models import HOLDING_STATUSES, Registration, RegistrationStatus
from nscal.registrations.services import (
    RegistrationError,
    place_counts,
    quotas_for,
    save_registration_settings,
    settings_follow,
    settings_for,
)
from nscal.registrations.settings_rules import settings_problems
from nscal.timeutil import LocalTimeError, local_to_utc

PREFIX = "settings"


class RegistrationSection(EventFormSection):
    template = "registrations/_event_form_section.html"
    renders_event_fields = ("capacity",)

    def bind(self, event: Event | None) -> RegistrationSettingsForm:
        roles = all_roles()
        form = settings_form_class(roles)(prefix=PREFIX)
        form.role_names = {role.id: role.label for role in roles}
        if not form.is_submitted() and event is not None:
            form.fill(event, settings_for(event), quotas_for(event))
        form.waiting_before = set()
        form.moments = {}
        return form

    def validate(self, section_form, event_form, event, affected) -> bool:
        held = max((place_counts(e.id).total for e in affected), default=0)
        section_form.waiting_before = _waiting(affected)
        capacity = None if event_form.capacity.errors else event_form.capacity.data
        if not section_form.was_shown:  # a POST without the section: only the capacity
            if capacity is not None and capacity < held:
                problem = settings_problems(
                    starts_at=None,
                    ends_at=None,
                    zone="UTC",
                    capacity=capacity,
                    held=held,
                    quotas={},
                    audience={},
                    role_names={},
                    city_limit=None,
                    opens_at=None,
                    closes_at=None,
                    self_cancel_until=None,
                )[0]
                event_form.capacity.errors = [*event_form.capacity.errors, problem.message]
                return False
            return True
        valid = section_form.validate()
        schedule = None
        if not event_form.errors:
            try:
                schedule = schedule_for(event_form.event_data())
            except EventError:
                schedule = None  # the event service says what is wrong with the times
        zone = event_form.timezone.data if schedule else None
        moments = {}
        for name, (date_name, time_name) in RegistrationSettingsForm.MOMENTS.items():
            if section_form[date_name].errors or section_form[time_name].errors or not zone:
                continue
            try:
                moments[name] = section_form.moment(name, zone)
            except LocalTimeError as exc:
                section_form[time_name].errors = [*section_form[time_name].errors, str(exc)]
                valid = False
        section_form.moments = moments
        audience_ids = [] if event_form.audience.errors else event_form.audience.data or []
        quotas = {
            role_id: places
            for role_id, places in section_form.quotas().items()
            if not section_form[f"quota_{role_id}"].errors
        }
        problems = settings_problems(
            starts_at=schedule.starts_at if schedule else None,
            ends_at=schedule.ends_at if schedule else None,
            zone=zone or "UTC",
            capacity=capacity,
            held=held,
            quotas=quotas,
            audience={
                role_id: section_form.role_names.get(role_id, "") for role_id in audience_ids
            },
            role_names=section_form.role_names,
            city_limit=None if section_form.city_limit.errors else section_form.city_limit.data,
            opens_at=moments.get("opens"),
            closes_at=moments.get("closes"),
            self_cancel_until=moments.get("self_cancel_until"),
        )
        for problem in problems:
            field = _field(problem.field, section_form, event_form)
            field.errors = [*field.errors, problem.message]
            valid = False
        if valid:
            settings_follow([e.id for e in affected])
        return valid

    def save(self, section_form, events: list[Event]) -> list[str]:
        if not section_form.was_shown or not events:
            return []
        first = events[0]
        quotas = section_form.quotas()
        for event in events:
            moments = {
                name: _shifted(moment, first, event)
                for name, moment in section_form.moments.items()
            }
            try:
                save_registration_settings(
                    event.id,
                    capacity=event.capacity,
                    city_limit=section_form.city_limit.data,
                    quotas=quotas,
                    opens_at=moments.get("opens"),
                    closes_at=moments.get("closes"),
                    requires_approval=bool(section_form.requires_approval.data),
                    waitlist=bool(section_form.waitlist.data),
                    self_cancel=bool(section_form.self_cancel.data),
                    self_cancel_until=moments.get("self_cancel_until"),
                )
            except RegistrationError as exc:  # changed since the form was checked
                raise SectionError(str(exc)) from None
        moved = _moved_up(section_form.waiting_before)
        if not moved:
            return []
        return [
            ngettext(
                "%(num)d person moved up from the waiting list.",
                "%(num)d people moved up from the waiting list.",
                moved,
            )
        ]


def _field(name: str, section_form, event_form):
    if name == "capacity":
        return event_form.capacity
    if name in RegistrationSettingsForm.MOMENTS:
        return section_form[RegistrationSettingsForm.MOMENTS[name][0]]
    return section_form[name]


def _shifted(moment: datetime | None, first: Event, event: Event) -> datetime | None:
    """A moment set for ``first``, moved to ``event`` of the same series: as many days
    and hours before its start, on the wall clock."""
    if moment is None or event is first:
        return moment
    offset = first.local_start.replace(tzinfo=None) - moment.astimezone(first.zone).replace(
        tzinfo=None
    )
    try:
        return local_to_utc(event.local_start.replace(tzinfo=None) - offset, event.timezone)[0]
    except LocalTimeError:
        return event.starts_at - (first.starts_at - moment)


def _waiting(events: list[Event]) -> set[int]:
    if not events:
        return set()
    return set(
        db.session.execute(
            sa.select(Registration.id).where(
                Registration.event_id.in_([event.id for event in events]),
                Registration.status == RegistrationStatus.waitlisted,
            )
        ).scalars()
    )


def _moved_up(waiting_before: set[int]) -> int:
    if not waiting_before:
        return 0
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Registration.id.in_(waiting_before), Registration.status.in_(HOLDING_STATUSES)
        )
    )
