"""A person's own data: the download (JSON and .ics) and deleting the account, by the
person or by a coordinator on their request; every page copes with the anonymous rest."""

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa

from nscal.accounts.models import AccountRole, User
from nscal.db import db, utcnow
from nscal.mail.models import MailStatus, OutboxMessage
from nscal.registrations.models import (
    Registration,
    RegistrationStatus,
    RegistrationStatusChange,
)
from nscal.registrations.services import (
    cancel_registration,
    register_for_event,
    set_registration_status,
)
from tests.conftest import PASSWORD, csrf_token_from

ZONE = ZoneInfo("Europe/Copenhagen")


def wall_clock(days: float):
    """A wall-clock time in Copenhagen ``days`` from the app's now."""
    return (utcnow() + timedelta(days=days)).astimezone(ZONE).replace(tzinfo=None, microsecond=0)


@pytest.fixture
def meeting(network, make_event):
    """An event in three days with one place."""
    return make_event(
        "Summit on safe streets", start=wall_clock(3), end=wall_clock(3.1), capacity=1
    )


@pytest.fixture
def people(network, make_user):
    aino = make_user(
        "aino@example.org",
        name="Aino Virtanen",
        city="helsinki",
        participant_role="practitioner",
        language="en",  # her mail read back in English below (else Finnish, her city's)
    )
    bo = make_user(
        "bo@example.org", name="Bo Berg", city="malmo", participant_role="mayor", language="en"
    )
    return aino, bo


def test_the_export_has_everything_about_the_person_and_nothing_about_others(
    client, auth, people, meeting, make_user, deliver_outbox
):
    aino, bo = people
    coordinator = make_user("coord@example.org", account_role=AccountRole.coordinator)
    register_for_event(meeting.id, bo.id, note="Bo needs a ramp")
    register_for_event(meeting.id, aino.id, note="Vegetarian, please")  # waitlisted
    db.session.commit()
    cancel_registration(meeting.id, bo.id)  # Aino moves up
    db.session.commit()
    set_registration_status(
        active_id(meeting.id, aino.id), RegistrationStatus.waitlisted, changed_by_id=coordinator.id
    )
    db.session.commit()
    deliver_outbox()

    auth.login("aino@example.org")
    response = client.get("/account/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.get_data(as_text=True)
    data = json.loads(text)

    assert data["profile"]["name"] == "Aino Virtanen"
    assert data["profile"]["email"] == "aino@example.org"
    assert data["profile"]["city"] == "Helsinki"
    assert data["profile"]["participant_role"] == "Practitioner"
    [registration] = data["registrations"]
    assert registration["event"]["title"] == "Summit on safe streets"
    assert registration["status"] == "confirmed"
    assert registration["note"] == "Vegetarian, please"
    assert [(step["from"], step["to"], step["by"]) for step in registration["status_history"]] == [
        (None, "waitlisted", "you"),
        ("waitlisted", "confirmed", "nscal (automatic)"),
        ("confirmed", "waitlisted", "a coordinator"),
        ("waitlisted", "confirmed", "nscal (automatic)"),  # the place was free again
    ]
    assert data["notes"] == [
        {"event_id": meeting.id, "event": "Summit on safe streets", "note": "Vegetarian, please"}
    ]
    subjects = [mail["subject"] for mail in data["mails"]]
    assert len(subjects) == 4  # waitlisted, promoted, waitlisted, promoted
    assert all(mail["status"] == "sent" and mail["sent_at"] for mail in data["mails"])
    assert "Hello Aino Virtanen" in data["mails"][0]["body"]
    assert data["calendar"].endswith("/account/export.ics")

    # Nothing of Bo's, nor the coordinator's, anywhere in the file.
    for other in ("Bo Berg", "bo@example.org", "ramp", "Malmö", "coord@example.org", "Test Person"):
        assert other not in text


def active_id(event_id: int, user_id: int) -> int:
    return db.session.execute(
        sa.select(Registration.id).where(
            Registration.event_id == event_id,
            Registration.user_id == user_id,
            Registration.status != RegistrationStatus.cancelled,
        )
    ).scalar_one()


def test_the_calendar_download_has_the_persons_events_with_their_status(
    client, auth, people, meeting, make_event
):
    aino, bo = people
    other = make_event("Bo's own workshop", start=wall_clock(5), end=wall_clock(5.1))
    register_for_event(meeting.id, aino.id)
    register_for_event(other.id, bo.id)
    db.session.commit()
    auth.login("aino@example.org")
    response = client.get("/account/export.ics")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-events.ics"'
    calendar = icalendar.Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    assert [str(event["summary"]) for event in events] == ["Summit on safe streets"]
    assert "You are registered." in str(events[0]["description"])
    assert b"Bo" not in response.data


def test_the_downloads_need_a_login(client):
    assert client.get("/account/export").status_code == 302
    assert client.get("/account/export.ics").status_code == 302


def _delete_own(client, password=PASSWORD):
    page = client.get("/account/delete")
    return client.post(
        "/account/delete",
        data={"csrf_token": csrf_token_from(page), "password": password},
        follow_redirects=True,
    )


def test_deleting_asks_first_and_says_what_will_happen(client, auth, people, meeting):
    aino, _bo = people
    register_for_event(meeting.id, aino.id)
    db.session.commit()
    auth.login("aino@example.org")
    assert "Delete my account" in client.get("/account").text
    page = client.get("/account/delete")
    assert page.status_code == 200
    assert "1 registration(s) for events still to come will be cancelled" in page.text
    assert "Summit on safe streets" in page.text
    assert "cannot be undone" in page.text
    # A wrong password deletes nothing.
    answer = _delete_own(client, password="not my password")
    assert answer.status_code == 400
    assert "This is not your password." in answer.text
    db.session.expire_all()
    assert db.session.get(User, aino.id).email == "aino@example.org"
    # Without a CSRF token, nothing either.
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 400


def test_deleting_frees_the_place_keeps_the_city_counts_and_closes_the_account(
    client, auth, people, meeting, make_user, make_event, deliver_outbox
):
    aino, bo = people
    past = make_event("Last week's city meeting", start=wall_clock(1), end=wall_clock(1.1))
    register_for_event(past.id, aino.id, note="Allergic to nuts")
    register_for_event(past.id, bo.id)
    register_for_event(meeting.id, aino.id)
    register_for_event(meeting.id, bo.id)  # waitlisted: the only place is Aino's
    db.session.commit()
    coordinator = make_user("coord@example.org", account_role=AccountRole.coordinator)
    aino_id, past_id, meeting_id, year = aino.id, past.id, meeting.id, past.local_start.year
    deliver_outbox()
    from nscal.db import clock

    clock.advance(timedelta(days=2))  # the past meeting is over; the summit is to come
    try:
        auth.login("aino@example.org")
        page = _delete_own(client)
        assert "Your account is deleted. 1 upcoming registration(s) were cancelled" in page.text

        db.session.expire_all()
        account = db.session.get(User, aino_id)
        assert account.is_deleted and not account.active
        assert account.name == "Deleted account"
        assert account.email.endswith("@deleted.invalid") and "aino" not in account.email
        assert account.password_hash is None and account.city_id is None
        assert client.get("/account").status_code == 302  # logged out
        assert auth.login("aino@example.org").status_code == 200  # refused: the form again

        # The summit's place went to Bo, who was waiting.
        statuses = dict(
            db.session.execute(
                sa.select(Registration.user_id, Registration.status).where(
                    Registration.event_id == meeting_id
                )
            ).all()
        )
        assert statuses == {None: RegistrationStatus.cancelled, bo.id: RegistrationStatus.confirmed}
        # The past meeting keeps an anonymous, confirmed registration from Helsinki.
        kept = db.session.execute(
            sa.select(Registration).where(
                Registration.event_id == past_id, Registration.user_id.is_(None)
            )
        ).scalar_one()
        assert kept.status is RegistrationStatus.confirmed
        assert kept.city.slug == "helsinki" and kept.participant_role.slug == "practitioner"
        assert kept.note == ""
        assert not db.session.scalar(
            sa.select(sa.func.count()).where(RegistrationStatusChange.changed_by_id == aino_id)
        )

        # Mail delivered before keeps neither the address nor the text; the mail queued
        # now (the cancellation, the confirmation) still goes out.
        delivered = db.session.execute(
            sa.select(OutboxMessage.recipient, OutboxMessage.message).where(
                OutboxMessage.status == MailStatus.sent
            )
        ).all()
        assert delivered and all(
            "aino" not in recipient or message == b"" for recipient, message in delivered
        )
        assert any(recipient.endswith("@deleted.invalid") for recipient, _ in delivered)
        mails = deliver_outbox()
        to = {message["To"]: str(message["Subject"]) for message in mails}
        assert to["Aino Virtanen <aino@example.org>"] == (
            "Your Nordic Safe Cities account is deleted"
        )
        assert any("bo@example.org" in address for address in to)  # Bo's new place

        # Every page listing registrations copes, and counts the deleted person.
        auth.login("coord@example.org")
        cities = client.get(f"/manage/cities/{year}")
        assert cities.status_code == 200
        helsinki = cities.text.split('id="city-')[1:]
        assert any(
            "Helsinki" in section
            and "Last week&#39;s city meeting" in section
            and "Deleted account" in section
            for section in helsinki
        )
        roster = client.get(f"/manage/events/{past_id}/registrations")
        assert roster.status_code == 200
        assert "Deleted account" in roster.text and "Helsinki: 1" in roster.text
        csv_text = client.get(f"/manage/events/{past_id}/registrations.csv").text
        assert "Deleted account" in csv_text and "aino" not in csv_text
        assert client.get(f"/manage/events/{meeting_id}/registrations").status_code == 200
        # A coordinator's change of status on it answers without mail or error.
        kept_id = kept.id
        token = csrf_token_from(roster)
        moved = client.post(
            f"/manage/registrations/{kept_id}/status",
            data={"csrf_token": token, "status": "cancelled", "confirmed": "yes"},
            follow_redirects=True,
        )
        assert moved.status_code == 200 and "Deleted account: cancelled." in moved.text
        assert coordinator.id
        auth.logout()
        auth.login("bo@example.org")
        assert client.get("/my/events").status_code == 200
        bo_feed = db.session.get(User, bo.id).feed_token
        assert client.get(f"/feeds/{bo_feed}.ics").status_code == 200
        assert client.get(f"/feeds/{account.feed_token}.ics").status_code == 404
    finally:
        clock.reset()


def test_a_coordinator_deletes_a_members_account_on_request(
    client, auth, people, meeting, make_user, deliver_outbox
):
    aino, _bo = people
    register_for_event(meeting.id, aino.id)
    db.session.commit()
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    found = client.get("/manage/people/requests?email=AINO@example.org")
    assert f"/manage/people/{aino.id}/delete" in found.text
    export = client.get(f"/manage/people/{aino.id}/export")
    assert json.loads(export.data)["profile"]["email"] == "aino@example.org"

    page = client.get(f"/manage/people/{aino.id}/delete")
    assert "Delete the account of Aino Virtanen" in page.text
    token = csrf_token_from(page)
    wrong = client.post(
        f"/manage/people/{aino.id}/delete",
        data={"csrf_token": token, "confirm_email": "someone@example.org"},
    )
    assert wrong.status_code == 400 and "Type aino@example.org to confirm." in wrong.text
    done = client.post(
        f"/manage/people/{aino.id}/delete",
        data={"csrf_token": token, "confirm_email": "aino@example.org"},
        follow_redirects=True,
    )
    assert "The account of Aino Virtanen is deleted: 1 upcoming registration(s)" in done.text
    mails = deliver_outbox()
    deleted = [m for m in mails if str(m["Subject"]).endswith("account is deleted")]
    assert "a coordinator deleted your account" in deleted[0].get_body(("plain",)).get_content()
    assert client.get(f"/manage/people/{aino.id}/delete").status_code == 404


def test_only_admins_delete_coordinators_and_the_last_admin_stays(client, auth, make_user, network):
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    other = make_user("other.coord@example.org", account_role=AccountRole.coordinator)
    admin = make_user("admin@example.org", account_role=AccountRole.admin)
    auth.login("coord@example.org")
    page = client.get(f"/manage/people/{other.id}/delete")
    assert "Only an admin can delete the account of a coordinator." in page.text
    refused = client.post(
        f"/manage/people/{other.id}/delete",
        data={"csrf_token": csrf_token_from(page), "confirm_email": "other.coord@example.org"},
    )
    assert refused.status_code == 403
    assert client.get(f"/manage/people/{admin.id}/export").status_code == 403
    auth.logout()
    auth.login("admin@example.org")
    page = client.get("/account/delete")
    assert "This is the last admin account" in page.text
    assert _delete_own(client).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, admin.id).active


def test_the_migration_starts_every_existing_registrations_history(tmp_path):
    """Upgrading a database with registrations: one "created" entry each, and the
    index still allows one active registration per person and event."""
    import flask_migrate

    from nscal import create_app
    from tests.conftest import test_config

    app = create_app(test_config(f"sqlite:///{tmp_path / 'old.sqlite'}"))
    with app.app_context():
        flask_migrate.upgrade(revision="0005_account_security")
        with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO user_account (id, email, name, account_role, active, feed_token,"
                " created_at, session_version) VALUES"
                " (1, 'aino@example.org', 'Aino', 'member', 1, 'token-1', '2027-01-01', 1)",
                "INSERT INTO event (id, uid, title, kind, format, timezone, starts_at, ends_at,"
                " all_day, visibility, status, sequence, description, venue, online_url,"
                " created_at, updated_at) VALUES (1, 'u1', 'Old meeting', 'city-meeting',"
                " 'online', 'Europe/Oslo', '2027-01-10 09:00', '2027-01-10 10:00', 0, 'public',"
                " 'published', 0, '', '', '', '2027-01-01', '2027-01-01')",
                "INSERT INTO registration (id, event_id, user_id, status, note, created_at,"
                " updated_at) VALUES (1, 1, 1, 'cancelled', '', '2027-01-02', '2027-01-03'),"
                " (2, 1, 1, 'confirmed', 'Hi', '2027-01-04', '2027-01-04')",
            ):
                connection.exec_driver_sql(statement)
        flask_migrate.upgrade()
        rows = db.session.execute(
            sa.select(
                RegistrationStatusChange.registration_id,
                RegistrationStatusChange.from_status,
                RegistrationStatusChange.to_status,
                RegistrationStatusChange.changed_by_id,
            ).order_by(RegistrationStatusChange.registration_id)
        ).all()
        assert rows == [
            (1, None, RegistrationStatus.cancelled, 1),
            (2, None, RegistrationStatus.confirmed, 1),
        ]
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO registration (event_id, user_id, status, note, created_at,"
                " updated_at) VALUES (1, 1, 'waitlisted', '', '2027-01-05', '2027-01-05')"
            )
        with db.engine.begin() as connection:  # anonymous ones never clash
            for _ in range(2):
                connection.exec_driver_sql(
                    "INSERT INTO registration (event_id, user_id, status, note, created_at,"
                    " updated_at) VALUES (1, NULL, 'confirmed', '', '2027-01-05', '2027-01-05')"
                )
        db.session.remove()
        db.engine.dispose()


def test_coordinators_find_the_request_page_from_the_dashboard(client, auth, make_user, network):
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    assert 'href="/manage/people/requests"' in client.get("/manage/").text
    assert (
        "No account has the address x@example.org."
        in client.get("/manage/people/requests?email=x@example.org").text
    )
