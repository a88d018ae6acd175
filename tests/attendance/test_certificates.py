"""Certificates of attendance: the PDF's words (read back with pypdf), who may download."""

import io
import re
import zipfile
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from nscal.attendance.models import AttendanceStatus
from nscal.attendance.services import mark_attendance
from nscal.db import db
from nscal.registrations.services import register_for_event


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _attended(meeting, user) -> None:
    mark_attendance(meeting.registration(user).id, AttendanceStatus.attended, marked_by_id=None)
    db.session.commit()


def test_the_certificate_names_the_person_event_days_hours_host_and_signature(
    app, client, auth, meeting
):
    app.config["CERTIFICATE_TEXT"] = "Thank you for your work on safer cities."
    app.config["CERTIFICATE_SIGNATURE"] = "Karin Lund, Head of the Secretariat"
    _attended(meeting, meeting.aino)
    auth.login(meeting.aino.email)
    answer = client.get(f"/my/events/{meeting.event.id}/certificate.pdf")
    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith(
        f'attachment; filename="certificate-{meeting.event.id}-aino-virtanen-'
    )
    text = _text(answer.data)
    for expected in (
        "Nordic Safe Cities",
        "Certificate of attendance",
        "Aino Virtanen",
        "City network meeting in Malmö",
        "29–30 March 2027",
        # In Stockholm's time, the event's own, though Aino lives in Helsinki.
        "Monday 29 March 2027, 09:00–16:00 CEST",
        "Tuesday 30 March 2027, 09:00–16:00 CEST",
        "Total 14 hours",
        "Host city Malmö",
        "Thank you for your work on safer cities.",
        "Karin Lund",
        "Head of the Secretariat",
    ):
        assert expected in text, (expected, text)


def test_a_night_across_the_clock_change_counts_the_hours_it_lasted(
    client, auth, meeting, make_event
):
    # Sweden springs forward at 02:00 on 28 March 2027: 22:00–06:00 lasts 7 hours.
    night = make_event(
        "Night patrol walk",
        start=datetime(2027, 3, 27, 22, 0),  # noqa: DTZ001 - wall clock in the event's zone
        end=datetime(2027, 3, 28, 6, 0),  # noqa: DTZ001
        timezone="Europe/Stockholm",
    )
    registration = register_for_event(night.id, meeting.mats.id)
    db.session.commit()
    mark_attendance(registration.id, AttendanceStatus.attended, marked_by_id=None)
    db.session.commit()
    auth.login(meeting.mats.email)
    text = _text(client.get(f"/my/events/{night.id}/certificate.pdf").data)
    assert "Saturday 27 March 2027 22:00 – Sunday 28 March 2027 06:00 CEST" in text
    assert "Total 7 hours" in text


def test_an_evening_in_nuuk_is_on_its_own_date_not_utcs(client, auth, meeting, make_event):
    # 23:00–23:45 in Nuuk on 29 March is already 30 March in UTC (and in Helsinki).
    webinar = make_event(
        "Webinar: Safer Arctic cities",
        start=datetime(2027, 3, 29, 23, 0),  # noqa: DTZ001
        end=datetime(2027, 3, 29, 23, 45),  # noqa: DTZ001
        timezone="America/Nuuk",
    )
    registration = register_for_event(webinar.id, meeting.aino.id)
    db.session.commit()
    mark_attendance(registration.id, AttendanceStatus.attended, marked_by_id=None)
    db.session.commit()
    auth.login(meeting.aino.email)
    text = _text(client.get(f"/my/events/{webinar.id}/certificate.pdf").data)
    assert "Monday 29 March 2027, 23:00–23:45" in text
    assert "Total 45 minutes" in text
    assert "Host city" not in text


def test_an_all_day_meeting_has_its_days_and_no_hours(client, auth, meeting, make_event):
    kick_off = make_event(
        "Kick-off City Meeting",
        start=date(2027, 1, 13),
        end=date(2027, 1, 15),  # exclusive, as in iCalendar
        timezone="Europe/Copenhagen",
        all_day=True,
    )
    registration = register_for_event(kick_off.id, meeting.aino.id)
    db.session.commit()
    mark_attendance(registration.id, AttendanceStatus.attended, marked_by_id=None)
    db.session.commit()
    auth.login(meeting.aino.email)
    text = _text(client.get(f"/my/events/{kick_off.id}/certificate.pdf").data)
    assert "13–14 January 2027" in text
    assert "Wednesday 13 January 2027" in text and "Thursday 14 January 2027" in text
    assert "Total" not in text


@pytest.mark.parametrize("mark", [None, AttendanceStatus.absent, AttendanceStatus.excused])
def test_no_certificate_without_attending(client, auth, meeting, mark):
    if mark is not None:
        mark_attendance(meeting.registration(meeting.mats).id, mark, marked_by_id=None)
        db.session.commit()
    auth.login(meeting.mats.email)
    assert client.get(f"/my/events/{meeting.event.id}/certificate.pdf").status_code == 404


def test_another_persons_certificate_is_not_found(client, auth, meeting):
    _attended(meeting, meeting.aino)
    auth.login(meeting.outsider.email)
    # The person's own URL only ever shows their own: Olli did not attend.
    assert client.get(f"/my/events/{meeting.event.id}/certificate.pdf").status_code == 404
    registration = meeting.registration(meeting.aino)
    url = f"/manage/events/{meeting.event.id}/certificates/{registration.id}.pdf"
    assert client.get(url).status_code == 403
    assert client.get(f"/manage/events/{meeting.event.id}/certificates.zip").status_code == 403
    auth.logout()
    assert client.get(f"/my/events/{meeting.event.id}/certificate.pdf").status_code == 302


def test_coordinators_download_anyones_certificate_and_all_as_a_zip(client, auth, meeting):
    _attended(meeting, meeting.aino)
    _attended(meeting, meeting.mats)
    auth.login(meeting.coordinator.email)
    aino = meeting.registration(meeting.aino)
    one = client.get(f"/manage/events/{meeting.event.id}/certificates/{aino.id}.pdf")
    assert one.status_code == 200 and "Aino Virtanen" in _text(one.data)
    # A registration of another event, or of someone who did not attend: 404.
    sigrid = meeting.registration(meeting.sigrid)
    url = f"/manage/events/{meeting.event.id}/certificates/{sigrid.id}.pdf"
    assert client.get(url).status_code == 404
    assert client.get(f"/manage/events/999/certificates/{aino.id}.pdf").status_code == 404

    archive = client.get(f"/manage/events/{meeting.event.id}/certificates.zip")
    assert archive.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.data)) as files:
        names = sorted(files.namelist())
        texts = [_text(files.read(name)) for name in names]
    assert len(names) == 2 and all(name.endswith(".pdf") for name in names)
    assert any("Aino Virtanen" in text for text in texts)
    assert any("Mats Persson" in text for text in texts)
