"""The coordinators' import page: upload, preview, confirm."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from nscal.db import db
from nscal.events.models import Event, EventStatus
from tests.conftest import csrf_token_from

FIXTURES = Path(__file__).parent.parent / "fixtures"
PAGE = "/manage/import/"


def event_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Event))


def upload(client, name: str, content: bytes, *, publish: bool = False, token: str | None = None):
    if token is None:
        token = csrf_token_from(client.get(PAGE))
    fields = {"csrf_token": token} if token else {}
    if publish:
        fields["publish"] = "y"
    body, content_type = multipart(fields, name, content)
    return client.post(PAGE, data=body, content_type=content_type)


def multipart(fields: dict[str, str], name: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body built in memory (Werkzeug's test client would spool a
    large one to a temporary file it never closes, which pytest reports)."""
    boundary = "nscal-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def fixture(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


def confirm_fields(page: str) -> dict[str, str]:
    form = page[page.index('action="/manage/import/confirm"') :]
    fields = dict(re.findall(r'name="(csrf_token|payload)"[^>]*value="([^"]+)"', form))
    assert set(fields) == {"csrf_token", "payload"}, "the preview has no confirm form"
    return fields


def test_only_coordinators_may_import(client, demo, make_user, auth):
    assert client.get(PAGE).status_code == 302  # anonymous: to the login page
    assert "/auth/login" in client.get(PAGE).headers["Location"]
    make_user("member@example.org")
    auth.login("member@example.org")
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data={}).status_code in {400, 403}


def test_the_page_offers_an_upload_form(client, coordinator):
    page = client.get(PAGE).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page
    assert "Publish right away" in page


def test_preview_shows_what_would_happen_and_writes_nothing(client, coordinator):
    before = event_count()
    response = upload(client, "outlook.ics", fixture("ics/outlook.ics"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "8 new event(s) would be created and 0 updated" in page
    assert "Weekly coordination" in page and "series of 8 dates" in page
    assert "Visit to Nuuk" in page and "1 Apr 2027, 09:00–10:00 UTC−1 (Nuuk)" in page
    assert "Customized Time Zone" in page  # the zone note
    assert "as drafts" in page
    confirm_fields(page)
    assert event_count() == before


def test_confirm_imports_what_the_preview_showed(client, coordinator):
    before = event_count()
    page = upload(client, "google.ics", fixture("ics/google.ics"), publish=True)
    fields = confirm_fields(page.get_data(as_text=True))
    response = client.post("/manage/import/confirm", data=fields, follow_redirects=True)
    assert response.status_code == 200
    assert "google.ics: Created 4 event(s), updated 0" in response.get_data(as_text=True)
    assert event_count() == before + 8
    summit = db.session.execute(
        sa.select(Event).where(Event.uid == "0f3b8c2d9e1a4b5c6d7e8f9a0b1c2d3e@google.com")
    ).scalar_one()
    assert summit.status is EventStatus.published  # "Publish right away" was ticked
    assert summit.created_by_id == coordinator.id

    # The same preview confirmed again updates, never duplicates.
    again = client.post("/manage/import/confirm", data=fields, follow_redirects=True)
    assert "Created 0 event(s), updated 5" in again.get_data(as_text=True)
    assert event_count() == before + 8


def test_a_bad_file_shows_every_problem_and_no_confirm_button(client, coordinator):
    before = event_count()
    response = upload(client, "bad.csv", fixture("csv/bad.csv"))
    page = response.get_data(as_text=True)
    assert "Nothing can be imported yet: 9 problems" in page
    for line in (3, 6, 7, 8, 9, 10, 11, 12, 13):
        assert f'<td data-label="Line">{line}</td>' in page
    assert "unknown kind &#39;Party&#39;" in page
    assert "does not exist in Europe/Copenhagen" in page
    assert 'action="/manage/import/confirm"' not in page
    assert event_count() == before


def test_a_changed_payload_imports_nothing(client, coordinator):
    page = upload(client, "events.csv", fixture("csv/events.csv"))
    fields = confirm_fields(page.get_data(as_text=True))
    fields["payload"] = fields["payload"][:-3] + "xyz"
    before = event_count()
    response = client.post("/manage/import/confirm", data=fields, follow_redirects=True)
    assert "The preview has expired or was changed" in response.get_data(as_text=True)
    assert event_count() == before


def test_uploads_and_confirms_need_the_csrf_token(client, coordinator):
    before = event_count()
    assert upload(client, "google.ics", fixture("ics/google.ics"), token="").status_code == 400
    page = upload(client, "google.ics", fixture("ics/google.ics"))
    fields = confirm_fields(page.get_data(as_text=True))
    del fields["csrf_token"]
    assert client.post("/manage/import/confirm", data=fields).status_code == 400
    assert event_count() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"BEGIN:VCALENDAR\r\n", "Only .ics (iCalendar) and .csv files"),
        ("big.csv", b"x" * (2 * 1024 * 1024 + 10), "The file is larger than 2 MB"),
    ],
)
def test_wrong_files_are_refused_on_the_form(client, coordinator, name, content, message):
    response = upload(client, name, content)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_far_too_large_upload_gets_a_friendly_413(client, coordinator):
    response = upload(client, "huge.ics", b"x" * (4 * 1024 * 1024))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "That file is too large" in page and "up to 2 MB" in page
