"""The coordinator's pages: write, preview exactly as sent, send once, see the history."""

import html
import re

import pytest
import sqlalchemy as sa

from nscal.db import db
from nscal.mail.models import OutboxMessage
from nscal.messaging.models import ParticipantMessageMail
from tests.messaging.conftest import message_ids

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def outbox_count() -> int:
    db.session.commit()
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))


def test_the_roster_links_to_writing_and_the_history(client, coordinator, meeting):
    page = client.get(f"/manage/events/{meeting.id}/registrations").text
    assert f'href="/manage/events/{meeting.id}/messages/new">Write to participants' in page
    assert f'href="/manage/events/{meeting.id}/messages"' in page


def test_the_preview_shows_one_persons_mail_and_the_count(
    client, coordinator, people, meeting, writer
):
    path = writer.preview_path(writer.write_to_event(meeting, statuses=("confirmed", "waitlisted")))
    page = client.get(path).text
    assert "This goes to 3 people: 2 confirmed, 1 on the waiting list." in page
    assert "What Aino Virtanen gets" in page
    assert '<pre class="mail-text">Hello Aino Virtanen,\n\nDear all,' in page  # text first
    assert html.escape("Aino Virtanen <aino@example.org>") in page
    assert html.escape("Cora Coordinator <cora@example.org>") in page  # Reply-To
    assert 'iframe class="mail-preview" sandbox' in page
    assert "Send to 3 people" in page
    assert outbox_count() == 0  # a preview sends nothing

    as_kari = client.get(f"{path}?as={people['kari'].id}").text
    assert "What Kari Nordmann gets" in as_kari
    frame = client.get(f"{path}.html?as={people['kari'].id}")
    assert frame.status_code == 200
    assert "Hello Kari Nordmann," in frame.text
    assert "frame-ancestors 'self'" in frame.headers["Content-Security-Policy"]


def test_sending_queues_one_mail_per_person_and_a_second_click_sends_nothing(
    client, coordinator, people, meeting, writer
):
    path = writer.preview_path(writer.write_to_event(meeting, statuses=("confirmed", "pending")))
    token_page = client.get(path)
    first = writer.send(path)
    assert first.status_code == 302
    assert first.headers["Location"] == f"/manage/events/{meeting.id}/messages"
    assert outbox_count() == 3

    # The same form posted again (a double click, or the back button).
    from tests.conftest import csrf_token_from

    again = client.post(
        path.replace("/preview", "/send"), data={"csrf_token": csrf_token_from(token_page)}
    )
    assert again.status_code == 302
    assert outbox_count() == 3
    assert "sent already" in client.get(again.headers["Location"]).text
    recipients = sorted(row.recipient for row in db.session.scalars(sa.select(OutboxMessage)))
    assert recipients == ["aino@example.org", "bjorn@example.org", "nivi@example.org"]


def test_history_counts_sent_then_delivered(
    client, coordinator, people, meeting, writer, deliver_outbox
):
    writer.send(writer.preview_path(writer.write_to_event(meeting, subject="Bring ID")))
    page = client.get(f"/manage/events/{meeting.id}/messages").text
    assert "Bring ID" in page and "Cora Coordinator" in page
    assert "2 sent · 0 delivered · 2 waiting · 0 failed" in page
    assert "Confirmed · every participant role · every city" in page
    # In the coordinator's own zone (Copenhagen), in the short form: "1 Dec 2026, 13:05 CET".
    assert re.search(r">\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d CET<", page)
    assert len(deliver_outbox()) == 2
    page = client.get(f"/manage/events/{meeting.id}/messages").text
    assert "2 sent · 2 delivered · 0 failed" in page


def test_nobody_selected_cannot_be_sent(client, coordinator, people, meeting, writer):
    path = writer.preview_path(writer.write_to_event(meeting, cities=("reykjavik",)))
    page = client.get(path).text
    assert "Nobody matches this selection." in page
    assert "Send to" not in page
    response = writer.send(path)  # posted anyway
    assert response.headers["Location"] == path
    assert "Nobody matches this selection now; nothing was sent." in client.get(path).text
    assert outbox_count() == 0


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)), "cannot be attached"),
        ("agenda.pdf", b"MZ\x90\x00 pretending to be a PDF" + b"\x00" * 20, "cannot be attached"),
        ("photos.zip", b"PK\x03\x04" + b"\x00" * 40, "looks like a zip archive but cannot be read"),
        ("empty.pdf", b"", "The file is empty."),
    ],
)
def test_refused_file_types(client, coordinator, people, meeting, writer, name, content, error):
    response = writer.write_to_event(meeting, attachment=(name, content))
    assert response.status_code == 400
    assert error in response.text
    assert message_ids() == []


def test_a_file_over_the_limit_is_a_form_error(app, client, coordinator, people, meeting, writer):
    app.config["MESSAGE_ATTACHMENT_MAX_BYTES"] = 2048
    response = writer.write_to_event(meeting, attachment=("agenda.pdf", PDF + b"0" * 3000))
    assert response.status_code == 400
    assert "The file is larger than 2 kB." in response.text


def test_an_attachment_is_stored_once_and_can_be_changed_on_the_draft(
    client, coordinator, people, meeting, writer
):
    path = writer.preview_path(writer.write_to_event(meeting, attachment=("Agenda.pdf", PDF)))
    page = client.get(path).text
    assert "Agenda.pdf" in page
    edit = path.replace("/preview", "/edit")
    assert "Attached now: <strong>Agenda.pdf</strong>" in client.get(edit).text
    response = writer.write(edit, subject="The agenda, again", remove_attachment="y")
    assert response.headers["Location"] == path
    assert "Agenda.pdf" not in client.get(path).text
    assert len(message_ids()) == 1  # the same draft, changed


def test_empty_subject_or_text_are_form_errors(client, coordinator, meeting, writer):
    response = writer.write_to_event(meeting, subject="  ", text="")
    assert response.status_code == 400
    assert "Write a subject." in response.text and "Write the message." in response.text
    response = writer.write_to_event(meeting, statuses=())
    assert "Choose at least one registration status." in response.text


def test_members_cannot_reach_these_pages(client, auth, make_user, network, meeting, people):
    make_user("member@example.org")
    auth.login("member@example.org")
    for path in (
        f"/manage/events/{meeting.id}/messages/new",
        f"/manage/events/{meeting.id}/messages",
        "/manage/messages/1/preview",
        "/manage/series/1/messages/new",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post("/manage/messages/1/send").status_code in (400, 403)
    assert outbox_count() == 0


def test_visitors_are_sent_to_log_in(client, meeting):
    response = client.get(f"/manage/events/{meeting.id}/messages/new")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_unknown_events_and_messages_are_not_found(client, coordinator):
    assert client.get("/manage/events/999/messages/new").status_code == 404
    assert client.get("/manage/messages/999/preview").status_code == 404
    assert client.get("/manage/series/999/messages").status_code == 404


def test_each_mail_is_linked_to_the_message(client, coordinator, people, meeting, writer):
    writer.send(writer.preview_path(writer.write_to_event(meeting)))
    db.session.commit()
    links = db.session.scalars(sa.select(ParticipantMessageMail)).all()
    assert sorted(link.user_id for link in links) == sorted([people["aino"].id, people["bjorn"].id])


def test_the_attachment_downloads_as_a_file_that_never_runs(
    client, coordinator, people, meeting, writer
):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = writer.write_to_event(meeting, attachment=("Agenda 2027.pdf", pdf))
    path = writer.preview_path(response).replace("/preview", "/attachment")
    served = client.get(path)
    assert served.status_code == 200 and served.data == pdf
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert "Agenda 2027.pdf" in served.headers["Content-Disposition"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"].startswith("sandbox")
