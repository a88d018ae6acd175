"""The registration rules: eligibility, openness, limits, waiting list, approval."""

from datetime import UTC, datetime, timedelta

import pytest

from nscal.accounts.models import AccountRole
from nscal.db import db
from nscal.events.models import EventStatus
from nscal.registrations.models import RegistrationSettings, RegistrationStatus, RoleQuota
from nscal.registrations.services import (
    RegistrationError,
    cancel_registration,
    change_capacity,
    register_for_event,
    set_registration_status,
    spots_left,
    waitlist_position,
)

BEFORE = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)  # the kick-off is on 13 January 2027


def register(event, user, **kwargs):
    kwargs.setdefault("now", BEFORE)
    registration = register_for_event(event.id, user.id, **kwargs)
    db.session.commit()
    return registration


def settings(event, **values):
    db.session.add(RegistrationSettings(event_id=event.id, **values))
    db.session.commit()


@pytest.fixture
def summit(demo, make_event):
    return make_event("Mayors' summit", audience=("mayor", "leader"))


def test_a_mayor_only_summit_refuses_a_practitioner(summit, make_user):
    practitioner = make_user(participant_role="practitioner")
    with pytest.raises(RegistrationError, match="for mayor, leader only") as error:
        register(summit, practitioner)
    assert error.value.reason == "not_eligible"


def test_a_mayor_registers_for_the_summit(summit, make_user):
    mayor = make_user(participant_role="mayor", city="malmo")
    registration = register(summit, mayor)
    assert registration.status is RegistrationStatus.confirmed
    assert (registration.participant_role.slug, registration.city.slug) == ("mayor", "malmo")


def test_a_person_without_a_role_cannot_join_a_role_only_event(summit, make_user):
    with pytest.raises(RegistrationError) as error:
        register(summit, make_user())
    assert error.value.reason == "not_eligible"


def test_members_cannot_register_in_someone_elses_role(summit, make_user):
    from nscal.cities.models import role_by_slug_or_name

    practitioner = make_user(participant_role="practitioner")
    with pytest.raises(RegistrationError, match="your own participant role"):
        register(summit, practitioner, participant_role_id=role_by_slug_or_name("mayor").id)


@pytest.mark.parametrize(
    ("status", "reason"),
    [(EventStatus.draft, "not_published"), (EventStatus.cancelled, "cancelled")],
)
def test_only_published_events_take_registrations(make_event, make_user, status, reason):
    event = make_event(status=EventStatus.published)
    event.status = status
    db.session.commit()
    with pytest.raises(RegistrationError) as error:
        register(event, make_user())
    assert error.value.reason == reason


def test_registration_closes_at_the_start_by_default(make_event, make_user):
    event = make_event()
    with pytest.raises(RegistrationError, match="closed"):
        register(event, make_user(), now=event.starts_at)


def test_registration_not_yet_open_says_when_it_opens(make_event, make_user):
    event = make_event()
    opens = datetime(2027, 1, 5, 8, 0, tzinfo=UTC)
    settings(event, opens_at=opens)
    with pytest.raises(RegistrationError, match="opens 5 Jan 2027, 09:00 CET") as error:
        register(event, make_user())
    assert error.value.when == opens
    assert register(event, make_user(), now=opens).status is RegistrationStatus.confirmed


def test_registering_twice_is_refused(make_event, make_user):
    event, user = make_event(), make_user()
    register(event, user)
    with pytest.raises(RegistrationError, match="already registered"):
        register(event, user)


def test_a_full_event_waitlists_the_next_registrant(make_event, make_user):
    event = make_event(capacity=2)
    first, second, third, fourth = (make_user() for _ in range(4))
    assert register(event, first).status is RegistrationStatus.confirmed
    assert register(event, second).status is RegistrationStatus.confirmed
    waiting = register(event, third)
    assert waiting.status is RegistrationStatus.waitlisted
    assert waitlist_position(register(event, fourth)) == 2
    assert waitlist_position(waiting) == 1
    assert spots_left(event) == 0


def test_without_a_waiting_list_a_full_event_refuses(make_event, make_user):
    event = make_event(capacity=1)
    settings(event, waitlist=False)
    register(event, make_user())
    with pytest.raises(RegistrationError, match="no waiting list") as error:
        register(event, make_user())
    assert error.value.reason == "full"


def test_role_quota_waitlists_when_the_roles_places_are_taken(demo, make_event, make_user):
    from nscal.cities.models import role_by_slug_or_name

    event = make_event(capacity=10)
    db.session.add(
        RoleQuota(event_id=event.id, participant_role_id=role_by_slug_or_name("mayor").id, places=1)
    )
    db.session.commit()
    assert register(event, make_user(participant_role="mayor")).status.value == "confirmed"
    assert register(event, make_user(participant_role="mayor")).status.value == "waitlisted"
    assert register(event, make_user(participant_role="practitioner")).status.value == "confirmed"


def test_city_limit_waitlists_the_third_from_one_city(demo, make_event, make_user):
    event = make_event()
    settings(event, city_limit=2)
    statuses = [register(event, make_user(city="oslo")).status.value for _ in range(3)]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    assert register(event, make_user(city="bergen")).status.value == "confirmed"


def test_approval_makes_registrations_pending_until_approved(make_event, make_user):
    event = make_event(capacity=1)
    settings(event, requires_approval=True)
    pending = register(event, make_user())
    assert pending.status is RegistrationStatus.pending
    assert register(event, make_user()).status is RegistrationStatus.waitlisted  # place held
    set_registration_status(pending.id, RegistrationStatus.confirmed)
    db.session.commit()
    assert pending.status is RegistrationStatus.confirmed


def test_cancellation_promotes_the_first_in_line(make_event, make_user):
    event = make_event(capacity=1)
    first, second, third = make_user(), make_user(), make_user()
    register(event, first)
    second_registration = register(event, second)
    register(event, third)
    cancel_registration(event.id, first.id, now=BEFORE)
    db.session.commit()
    assert second_registration.status is RegistrationStatus.confirmed
    assert second_registration.waitlist_order is None


def test_promotion_skips_people_whose_city_is_full(demo, make_event, make_user):
    event = make_event(capacity=2)
    settings(event, city_limit=1)
    oslo_first = make_user(city="oslo")
    register(event, oslo_first)
    register(event, make_user(city="bergen"))
    oslo_waiting = register(event, make_user(city="oslo"))
    helsinki_waiting = register(event, make_user(city="helsinki"))
    assert oslo_waiting.status is helsinki_waiting.status is RegistrationStatus.waitlisted
    cancel_registration(event.id, db.session.get(type(oslo_first), oslo_first.id).id, now=BEFORE)
    db.session.commit()
    # Oslo's place went to the next Oslo person, who was first in line and fits again.
    assert oslo_waiting.status is RegistrationStatus.confirmed
    assert helsinki_waiting.status is RegistrationStatus.waitlisted


def test_raising_the_capacity_promotes_from_the_waiting_list(make_event, make_user):
    event = make_event(capacity=1)
    register(event, make_user())
    waiting = [register(event, make_user()) for _ in range(3)]
    promoted = change_capacity(event.id, 3)
    db.session.commit()
    assert [r.id for r in promoted] == [waiting[0].id, waiting[1].id]
    assert waiting[2].status is RegistrationStatus.waitlisted


def test_self_cancellation_can_be_switched_off_and_ends_at_the_start(make_event, make_user):
    event = make_event()
    user = make_user()
    register(event, user)
    with pytest.raises(RegistrationError, match="too late"):
        cancel_registration(event.id, user.id, now=event.starts_at + timedelta(minutes=1))
    db.session.rollback()
    settings(event, self_cancel=False)
    with pytest.raises(RegistrationError, match="cannot be cancelled here"):
        cancel_registration(event.id, user.id, now=BEFORE)
    db.session.rollback()
    coordinator = make_user(account_role=AccountRole.coordinator)
    cancelled = cancel_registration(event.id, user.id, cancelled_by_id=coordinator.id, now=BEFORE)
    assert cancelled.status is RegistrationStatus.cancelled


def test_cancelled_people_may_register_again(make_event, make_user):
    event, user = make_event(), make_user()
    register(event, user)
    cancel_registration(event.id, user.id, now=BEFORE)
    db.session.commit()
    assert register(event, user).status is RegistrationStatus.confirmed


def test_a_coordinator_registers_someone_on_their_behalf_even_when_closed(make_event, make_user):
    event = make_event()
    coordinator = make_user(account_role=AccountRole.coordinator)
    person = make_user()
    registration = register(
        event, person, registered_by_id=coordinator.id, now=event.starts_at + timedelta(hours=1)
    )
    assert registration.status is RegistrationStatus.confirmed
    assert registration.by_coordinator


def test_editing_the_event_to_more_places_promotes_the_waiting_list(make_event, make_user):
    from nscal.events.services import event_from_data, update_event

    event = make_event(capacity=1)
    register(event, make_user())
    waiting = register(event, make_user())
    data = event_from_data(event)
    data.capacity = 2
    update_event(event, data)
    db.session.commit()
    assert waiting.status is RegistrationStatus.confirmed
