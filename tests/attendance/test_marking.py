"""Coordinators take attendance: one click per person, or all confirmed at once after a
confirm step; the marks show in the attendee CSV, on "My events" and in the year plan."""

import csv
import io
from datetime import UTC, datetime

from nscal.attendance.models import Attendance, AttendanceStatus
from nscal.db import db
from nscal.events.models import EventStatus
from nscal.registrations.overview import ROSTER_CSV_COLUMNS
from tests.conftest import csrf_token_from

AFTER = datetime(2027, 3, 31, 9, 0, tzinfo=UTC)


def _attendance_page(client, meeting):
    return client.get(f"/manage/events/{meeting.event.id}/attendance")


def _mark(client, meeting, user, value: str, token: str):
    registration = meeting.registration(user)
    return client.post(
        f"/manage/registrations/{registration.id}/attendance",
        data={"csrf_token": token, "attendance": value},
    )


def _status(meeting, user) -> AttendanceStatus | None:
    db.session.expire_all()
    mark = db.session.get(Attendance, meeting.registration(user).id)
    return mark.status if mark else None


def test_a_coordinator_marks_each_confirmed_person_with_one_click(client, auth, meeting):
    auth.login(meeting.coordinator.email)
    page = _attendance_page(client, meeting)
    assert page.status_code == 200
    # Confirmed people only: the waiting list did not come.
    assert "Aino Virtanen" in page.text and "Mats Persson" in page.text
    assert "Sigrid Olsen" not in page.text
    assert "2 confirmed" in page.text and "2 not marked" in page.text
    token = csrf_token_from(page)

    answer = _mark(client, meeting, meeting.aino, "attended", token)
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"#row-{meeting.registration(meeting.aino).id}")
    _mark(client, meeting, meeting.mats, "excused", token)
    assert _status(meeting, meeting.aino) is AttendanceStatus.attended
    assert _status(meeting, meeting.mats) is AttendanceStatus.excused

    page = client.get(answer.headers["Location"], follow_redirects=True)
    assert "Aino Virtanen: attended." in page.text
    assert "1</strong> attended" in page.text and "1 excused" in page.text

    # A second click changes the mark; "Clear" removes it.
    _mark(client, meeting, meeting.mats, "absent", token)
    assert _status(meeting, meeting.mats) is AttendanceStatus.absent
    _mark(client, meeting, meeting.mats, "clear", token)
    assert _status(meeting, meeting.mats) is None


def test_waitlisted_people_and_unknown_values_are_refused(client, auth, meeting):
    auth.login(meeting.coordinator.email)
    token = csrf_token_from(_attendance_page(client, meeting))
    answer = _mark(client, meeting, meeting.sigrid, "attended", token)
    page = client.get(answer.headers["Location"])
    assert "Sigrid Olsen is not confirmed (on the waiting list)" in page.text
    assert _status(meeting, meeting.sigrid) is None
    answer = _mark(client, meeting, meeting.aino, "present", token)
    assert "Not a valid choice" in client.get(answer.headers["Location"]).text
    assert _status(meeting, meeting.aino) is None


def test_mark_all_confirmed_attended_asks_first_and_keeps_the_excused(client, auth, meeting):
    auth.login(meeting.coordinator.email)
    token = csrf_token_from(_attendance_page(client, meeting))
    _mark(client, meeting, meeting.mats, "excused", token)

    confirm = client.get(f"/manage/events/{meeting.event.id}/attendance/mark-all")
    assert confirm.status_code == 200
    assert "Mark all confirmed as attended?" in confirm.text
    assert "1 confirmed person is not marked yet" in confirm.text
    assert "<li>Aino Virtanen (Helsinki)</li>" in confirm.text
    assert "<li>Mats Persson" not in confirm.text
    # Opening the confirm page changed nothing.
    assert _status(meeting, meeting.aino) is None

    done = client.post(
        f"/manage/events/{meeting.event.id}/attendance/mark-all",
        data={"csrf_token": csrf_token_from(confirm)},
        follow_redirects=True,
    )
    assert "1 person marked attended." in done.text
    assert _status(meeting, meeting.aino) is AttendanceStatus.attended
    assert _status(meeting, meeting.mats) is AttendanceStatus.excused
    assert _status(meeting, meeting.sigrid) is None


def test_a_member_cannot_take_attendance(client, auth, meeting):
    auth.login(meeting.aino.email)
    assert _attendance_page(client, meeting).status_code == 403
    token = csrf_token_from(client.get("/account"))
    assert _mark(client, meeting, meeting.aino, "attended", token).status_code == 403
    answer = client.post(
        f"/manage/events/{meeting.event.id}/attendance/mark-all", data={"csrf_token": token}
    )
    assert answer.status_code == 403
    assert _status(meeting, meeting.aino) is None
    auth.logout()
    assert _attendance_page(client, meeting).status_code == 302  # to the login page


def test_the_attendee_csv_keeps_its_columns_and_ends_with_attendance(client, auth, meeting):
    assert ROSTER_CSV_COLUMNS[:10] == (
        "email",
        "name",
        "city",
        "city_name",
        "participant_role",
        "status",
        "registered_at",
        "waitlist_position",
        "note",
        "registered_by",
    )
    auth.login(meeting.coordinator.email)
    token = csrf_token_from(_attendance_page(client, meeting))
    _mark(client, meeting, meeting.aino, "attended", token)
    _mark(client, meeting, meeting.mats, "absent", token)
    answer = client.get(f"/manage/events/{meeting.event.id}/registrations.csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert list(rows[0])[-1] == "attendance"
    assert list(rows[0]) == list(ROSTER_CSV_COLUMNS)
    by_email = {row["email"]: row for row in rows}
    assert by_email["aino@example.org"]["attendance"] == "attended"
    assert by_email["mats@example.org"]["attendance"] == "absent"
    assert by_email["sigrid@example.org"]["attendance"] == ""
    assert by_email["sigrid@example.org"]["status"] == "waitlisted"


def test_my_events_shows_the_mark_and_the_certificate_link(client, auth, meeting, clock):
    auth.login(meeting.coordinator.email)
    token = csrf_token_from(_attendance_page(client, meeting))
    _mark(client, meeting, meeting.aino, "attended", token)
    _mark(client, meeting, meeting.mats, "excused", token)
    auth.logout()
    clock.set(AFTER)

    auth.login(meeting.aino.email)
    page = client.get("/my/events").text
    assert "Attendance and certificates" in page
    assert "Attended" in page
    assert f"/my/events/{meeting.event.id}/certificate.pdf" in page
    auth.logout()

    auth.login(meeting.mats.email)
    page = client.get("/my/events").text
    assert "Excused" in page
    assert "certificate.pdf" not in page


def test_the_year_plan_and_the_event_list_count_who_attended_past_events(
    client, auth, meeting, make_event, clock
):
    make_event(
        "Called-off workshop",
        start=datetime(2027, 3, 3, 9, 0),  # noqa: DTZ001 - wall clock
        end=datetime(2027, 3, 3, 12, 0),  # noqa: DTZ001
        status=EventStatus.cancelled,
    )
    make_event(
        "Autumn summit",
        start=datetime(2027, 10, 5, 9, 0),  # noqa: DTZ001 - wall clock
        end=datetime(2027, 10, 5, 16, 0),  # noqa: DTZ001
    )
    auth.login(meeting.coordinator.email)
    token = csrf_token_from(_attendance_page(client, meeting))
    _mark(client, meeting, meeting.aino, "attended", token)
    _mark(client, meeting, meeting.mats, "attended", token)

    # Before the meeting ends, nothing is counted yet.
    assert "attended</span>" not in client.get("/manage/calendar/2027").text
    clock.set(AFTER)
    for path in ("/manage/calendar/2027", "/manage/events/?year=2027"):
        page = client.get(path).text
        assert '<span class="attended-count">2 attended</span>' in page, path
        # The autumn summit is still to come, the workshop was called off: no counts.
        assert page.count('class="attended-count"') == 1, path
    clock.set(datetime(2027, 10, 6, 9, 0, tzinfo=UTC))
    page = client.get("/manage/calendar/2027").text
    assert '<span class="attended-count">0 attended</span>' in page


def test_the_roster_links_to_attendance(client, auth, meeting):
    auth.login(meeting.coordinator.email)
    page = client.get(f"/manage/events/{meeting.event.id}/registrations").text
    assert f'href="/manage/events/{meeting.event.id}/attendance"' in page
