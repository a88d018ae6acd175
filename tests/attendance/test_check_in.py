"""Participants check themselves in with the event's code, during the event only."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from nscal.attendance.models import Attendance, AttendanceStatus
from nscal.attendance.qr import qr_code
from nscal.attendance.services import CODE_ALPHABET, CODE_LENGTH, MAX_WRONG_CODES
from nscal.db import db
from tests.conftest import csrf_token_from

# 29 March 2027 09:00 in Stockholm (CEST, UTC+2) is 07:00 UTC; it ends 30 March 16:00.
STARTS = datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
ENDS = datetime(2027, 3, 30, 14, 0, tzinfo=UTC)


def _code(client, auth, meeting) -> str:
    """The coordinator makes the event's code on the poster page and reads it off."""
    auth.login(meeting.coordinator.email)
    poster = f"/manage/events/{meeting.event.id}/check-in"
    page = client.get(poster)
    assert "has no check-in code yet" in page.text
    made = client.post(
        f"/manage/events/{meeting.event.id}/check-in/code",
        data={"csrf_token": csrf_token_from(page)},
    )
    assert made.status_code == 302
    page = client.get(poster)
    code = re.search(r'<p class="check-in-code">([A-Z0-9]+)</p>', page.text).group(1)
    auth.logout()
    return code


def _mark(meeting, user) -> Attendance | None:
    db.session.expire_all()
    return db.session.get(Attendance, meeting.registration(user).id)


def test_the_code_is_six_unambiguous_characters_and_each_event_has_its_own(
    client, auth, meeting, make_event
):
    code = _code(client, auth, meeting)
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert not set(code) & set("01OIL")
    other = make_event("Another meeting")
    auth.login(meeting.coordinator.email)
    page = client.get(f"/manage/events/{other.id}/check-in")
    client.post(
        f"/manage/events/{other.id}/check-in/code", data={"csrf_token": csrf_token_from(page)}
    )
    other_page = client.get(f"/manage/events/{other.id}/check-in").text
    assert f'<p class="check-in-code">{code}</p>' not in other_page


def test_the_qr_code_on_the_poster_encodes_the_check_in_link(client, auth, meeting):
    code = _code(client, auth, meeting)
    auth.login(meeting.coordinator.email)
    page = client.get(f"/manage/events/{meeting.event.id}/check-in").text
    link = f"https://calendar.test/events/{meeting.event.id}/check-in?code={code}"
    assert f"<code>{link}</code>" in page
    # segno cannot read QR codes back; the modules drawn on the page are those of the link.
    shown = re.search(r'<svg[^>]*class="qr-code".*?</svg>', page, re.S).group(0)
    drawn = re.search(r' d="([^"]+)"', shown).group(1)
    expected = re.search(r' d="([^"]+)"', qr_code(link).svg_inline(scale=6)).group(1)
    assert drawn == expected
    assert "<title>QR code of the check-in link of City network meeting in Malmö</title>" in (
        unescape(shown)
    )
    wrong = re.search(r' d="([^"]+)"', qr_code(link + "X").svg_inline(scale=6)).group(1)
    assert drawn != wrong


def test_opening_the_qr_link_during_the_event_checks_a_confirmed_person_in(
    client, auth, meeting, clock
):
    code = _code(client, auth, meeting)
    clock.set(STARTS - timedelta(minutes=59))  # an hour before: the door opens
    auth.login(meeting.aino.email)
    answer = client.get(f"/events/{meeting.event.id}/check-in?code={code.lower()}")
    assert answer.status_code == 200
    assert "You are checked in at City network meeting in Malmö" in answer.text
    mark = _mark(meeting, meeting.aino)
    assert mark.status is AttendanceStatus.attended
    assert abs(mark.checked_in_at - (STARTS - timedelta(minutes=59))) < timedelta(seconds=5)
    # Scanning again is harmless; the event page says so.
    assert client.get(f"/events/{meeting.event.id}/check-in?code={code}").status_code == 200
    assert "You are <strong>checked in</strong>" in client.get(f"/events/{meeting.event.id}").text
    assert _mark(meeting, meeting.mats) is None


def test_typing_the_code_on_the_event_page_checks_in_on_the_last_afternoon(
    client, auth, meeting, clock
):
    code = _code(client, auth, meeting)
    clock.set(ENDS - timedelta(minutes=5))
    auth.login(meeting.mats.email)
    page = client.get(f"/events/{meeting.event.id}")
    assert "Check-in code" in page.text
    answer = client.post(
        f"/events/{meeting.event.id}/check-in",
        data={"csrf_token": csrf_token_from(page), "code": f" {code[:3]}-{code[3:]} "},
        follow_redirects=True,
    )
    assert "You are checked in at City network meeting in Malmö" in answer.text
    assert _mark(meeting, meeting.mats).status is AttendanceStatus.attended


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (STARTS - timedelta(minutes=61), "Check-in opens an hour before the start"),
        (ENDS, "has ended, so check-in is closed"),
        (ENDS + timedelta(days=3), "has ended, so check-in is closed"),
    ],
)
def test_check_in_is_refused_outside_the_event(client, auth, meeting, clock, when, message):
    code = _code(client, auth, meeting)
    clock.set(when)
    auth.login(meeting.aino.email)
    answer = client.get(f"/events/{meeting.event.id}/check-in?code={code}")
    assert answer.status_code == 409
    assert message in answer.text
    assert _mark(meeting, meeting.aino) is None
    # The event page offers no check-in form then.
    assert "Check-in code" not in client.get(f"/events/{meeting.event.id}").text


@pytest.mark.parametrize(
    ("person", "message"),
    [
        (
            "sigrid",
            "Your registration for City network meeting in Malmö is not confirmed "
            "(on the waiting list)",
        ),
        ("outsider", "You are not registered for City network meeting in Malmö"),
    ],
)
def test_only_confirmed_participants_check_in(client, auth, meeting, clock, person, message):
    code = _code(client, auth, meeting)
    clock.set(STARTS)
    auth.login(getattr(meeting, person).email)
    answer = client.get(f"/events/{meeting.event.id}/check-in?code={code}")
    assert answer.status_code == 403
    assert message in answer.text
    assert "Check-in code" not in client.get(f"/events/{meeting.event.id}").text


def test_visitors_are_asked_to_log_in_first(client, auth, meeting, clock):
    code = _code(client, auth, meeting)
    clock.set(STARTS)
    answer = client.get(f"/events/{meeting.event.id}/check-in?code={code}")
    assert answer.status_code == 302
    assert "/auth/login" in answer.headers["Location"]


def test_wrong_codes_are_refused_and_after_ten_even_the_right_one(client, auth, meeting, clock):
    code = _code(client, auth, meeting)
    clock.set(STARTS + timedelta(hours=1))
    auth.login(meeting.aino.email)
    url = f"/events/{meeting.event.id}/check-in?code="
    first = client.get(url + "WRONG1")
    assert first.status_code == 400
    assert "That is not the check-in code of this event" in first.text
    assert f"You can try {MAX_WRONG_CODES - 1} more times." in first.text
    for _ in range(MAX_WRONG_CODES - 1):
        client.get(url + "WRONG1")
    blocked = client.get(url + code)
    assert blocked.status_code == 429
    assert "Too many wrong codes. Please ask a coordinator to check you in." in blocked.text
    assert _mark(meeting, meeting.aino) is None
    # Another person's count is their own.
    auth.logout()
    auth.login(meeting.mats.email)
    assert client.get(url + code).status_code == 200


def test_an_event_without_a_code_refuses_every_code(client, auth, meeting, clock):
    clock.set(STARTS)
    auth.login(meeting.aino.email)
    answer = client.get(f"/events/{meeting.event.id}/check-in?code=ABCDEF")
    assert answer.status_code == 400
    assert _mark(meeting, meeting.aino) is None


def test_an_empty_or_huge_code_is_a_form_error_not_a_crash(client, auth, meeting, clock):
    clock.set(STARTS)
    auth.login(meeting.aino.email)
    page = client.get(f"/events/{meeting.event.id}")
    for typed in ("", "x" * 5000, "\x00"):
        answer = client.post(
            f"/events/{meeting.event.id}/check-in",
            data={"csrf_token": csrf_token_from(page), "code": typed},
            follow_redirects=True,
        )
        assert answer.status_code == 200
    assert _mark(meeting, meeting.aino) is None
    assert client.get(f"/events/{meeting.event.id}/check-in?code=" + "y" * 5000).status_code == 400


def test_replacing_the_code_asks_first_and_the_old_code_stops_working(client, auth, meeting, clock):
    old = _code(client, auth, meeting)
    auth.login(meeting.coordinator.email)
    confirm = client.get(f"/manage/events/{meeting.event.id}/check-in/code")
    assert "Replace the check-in code?" in confirm.text
    assert "stop working" in confirm.text
    client.post(
        f"/manage/events/{meeting.event.id}/check-in/code",
        data={"csrf_token": csrf_token_from(confirm)},
    )
    page = client.get(f"/manage/events/{meeting.event.id}/check-in").text
    new = re.search(r'<p class="check-in-code">([A-Z0-9]+)</p>', page).group(1)
    assert new != old
    auth.logout()
    clock.set(STARTS)
    auth.login(meeting.aino.email)
    assert client.get(f"/events/{meeting.event.id}/check-in?code={old}").status_code == 400
    assert client.get(f"/events/{meeting.event.id}/check-in?code={new}").status_code == 200


def test_a_member_sees_no_poster(client, auth, meeting):
    auth.login(meeting.aino.email)
    assert client.get(f"/manage/events/{meeting.event.id}/check-in").status_code == 403
    page = client.get("/account")
    answer = client.post(
        f"/manage/events/{meeting.event.id}/check-in/code",
        data={"csrf_token": csrf_token_from(page)},
    )
    assert answer.status_code == 403
