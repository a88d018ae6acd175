"""Never overbook: many people registering at once, on SQLite and PostgreSQL alike."""

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from nscal.db import db
from nscal.registrations.models import Registration, RegistrationStatus
from nscal.registrations.services import cancel_registration, register_for_event

PEOPLE = 60
PLACES = 10


def _register_all(app, event_id, user_ids):
    """Each person registers from their own thread, session and connection, all at once."""
    start = threading.Barrier(len(user_ids))
    errors = []

    def register(user_id):
        with app.app_context():
            start.wait()
            try:
                register_for_event(event_id, user_id)
                db.session.commit()
            except Exception as exc:  # the test reports any failure below
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(user_ids)) as pool:
        list(pool.map(register, user_ids))
    return errors


def _registrations(event_id):
    db.session.rollback()  # end this thread's read snapshot; see the others' commits
    return list(
        db.session.execute(
            sa.select(Registration).where(Registration.event_id == event_id)
        ).scalars()
    )


def test_concurrent_registrations_never_overbook(app, make_user, make_event):
    event = make_event("Kick-off", capacity=PLACES)
    user_ids = [make_user(f"p{i}@example.org").id for i in range(PEOPLE)]
    errors = _register_all(app, event.id, user_ids)

    assert errors == []
    registrations = _registrations(event.id)
    assert len(registrations) == PEOPLE  # nobody lost
    confirmed = [r for r in registrations if r.status is RegistrationStatus.confirmed]
    waitlisted = [r for r in registrations if r.status is RegistrationStatus.waitlisted]
    assert len(confirmed) == PLACES
    assert len(waitlisted) == PEOPLE - PLACES
    # The waiting list is in arrival order: 1, 2, 3 … in the order people were stored.
    by_arrival = sorted(waitlisted, key=lambda r: r.id)
    assert [r.waitlist_order for r in by_arrival] == list(range(1, PEOPLE - PLACES + 1))
    assert max(r.id for r in confirmed) < min(r.id for r in waitlisted)


def test_concurrent_cancellations_promote_each_place_once(app, make_user, make_event):
    event = make_event("Summit", capacity=5)
    user_ids = [make_user(f"p{i}@example.org").id for i in range(15)]
    assert _register_all(app, event.id, user_ids) == []
    confirmed = [
        r.user_id for r in _registrations(event.id) if r.status is RegistrationStatus.confirmed
    ]

    start = threading.Barrier(len(confirmed))
    errors = []

    def cancel(user_id):
        with app.app_context():
            start.wait()
            try:
                cancel_registration(event.id, user_id)
                db.session.commit()
            except Exception as exc:
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(confirmed)) as pool:
        list(pool.map(cancel, confirmed))

    assert errors == []
    registrations = _registrations(event.id)
    statuses = [r.status for r in registrations]
    assert statuses.count(RegistrationStatus.confirmed) == 5
    assert statuses.count(RegistrationStatus.cancelled) == 5
    assert statuses.count(RegistrationStatus.waitlisted) == 5
    promoted = sorted(r.id for r in registrations if r.status is RegistrationStatus.confirmed)
    assert promoted == sorted(r.id for r in registrations)[5:10]  # the first five in line
