"""Messages as people get them, through a real SMTP server on loopback: one mail each,
their own name, the text first, the right links, the attachment intact."""

import io
import os
import zipfile
from datetime import datetime, timedelta
from html.parser import HTMLParser

import sqlalchemy as sa

from nscal.accounts.models import User
from nscal.db import db
from nscal.events.models import Event
from nscal.mail.models import OutboxMessage
from nscal.mail.outbox import deliver_due
from nscal.messaging.models import ParticipantMessage
from nscal.messaging.services import Selection, Upload, save_draft, send_message
from nscal.registrations.models import Registration, RegistrationStatus
from tests.messaging.conftest import ONLINE_URL, register


def by_recipient(inbox):
    return {message["To"]: message for message in inbox.messages}


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])


def hrefs(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.hrefs


def test_one_mail_per_person_with_their_own_name_and_the_text_first(
    coordinator, people, meeting, writer, smtp_server
):
    text = "Dear all,\n\nthe venue has changed: see https://example.org/map.\nBring ID."
    path = writer.preview_path(writer.write_to_event(meeting, subject="New venue", text=text))
    writer.send(path)
    report = deliver_due()
    assert report.sent == 2
    assert [envelope.rcpt_tos for envelope in smtp_server.inbox.envelopes] == [
        ["aino@example.org"],
        ["bjorn@example.org"],
    ]
    mails = by_recipient(smtp_server.inbox)
    aino = mails["Aino Virtanen <aino@example.org>"]
    bjorn = mails["Björn Larsson <bjorn@example.org>"]
    assert aino["Subject"] == bjorn["Subject"] == "New venue"
    assert aino["Reply-To"] == "Cora Coordinator <cora@example.org>"
    assert text_of(aino).startswith("Hello Aino Virtanen,\n\nDear all,\n\nthe venue has changed")
    assert text_of(bjorn).startswith("Hello Björn Larsson,\n\nDear all,")
    assert "Aino" not in text_of(bjorn)
    # The essentials after the text: title, time in their zone beside the event's, place.
    body = text_of(aino)
    assert body.index("Bring ID.") < body.index("Prevention coordinators' call")
    assert "11:00–12:30" in body and "10:00–11:30" in body and "in Oslo" in body  # Helsinki
    assert "City Hall, room 2, Oslo" in body
    html = html_of(aino)
    assert "https://example.org/map" in hrefs(html)  # the link is clickable, without its "."
    assert html.count('<p style="margin:0 0 16px;">Dear all,</p>') == 1  # paragraphs kept
    assert "the venue has changed: see" in html and "<br>" in html


def test_the_online_link_goes_only_to_the_confirmed(
    coordinator, people, meeting, writer, smtp_server
):
    path = writer.preview_path(
        writer.write_to_event(meeting, statuses=("confirmed", "waitlisted", "pending"))
    )
    writer.send(path)
    deliver_due()
    mails = by_recipient(smtp_server.inbox)
    assert len(mails) == 4
    for to, mail in mails.items():
        confirmed = to.startswith(("Aino", "Björn"))
        assert (ONLINE_URL in text_of(mail)) is confirmed, to
        assert (ONLINE_URL in html_of(mail)) is confirmed, to
        assert (ONLINE_URL in hrefs(html_of(mail))) is confirmed, to
    assert "You:   On the waiting list" in text_of(mails["Kari Nordmann <kari@example.org>"])


def test_the_attachment_arrives_intact_and_is_stored_once(
    coordinator, people, meeting, writer, smtp_server
):
    agenda = b"%PDF-1.7\n" + os.urandom(300_000) + b"\n%%EOF\n"
    path = writer.preview_path(
        writer.write_to_event(meeting, attachment=("Agenda 10 March.pdf", agenda))
    )
    writer.send(path)
    db.session.commit()
    # The outbox holds a reference, not 2 copies of 300 kB.
    sizes = db.session.scalars(sa.select(sa.func.length(OutboxMessage.message))).all()
    assert len(sizes) == 2 and max(sizes) < 20_000
    deliver_due()
    for mail in smtp_server.inbox.messages:
        [attachment] = list(mail.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename() == "Agenda 10 March.pdf"
        assert attachment.get_content() == agenda
        assert text_of(mail).startswith("Hello ")  # the rest of the mail as it was


# The part that names each application's package (nscal.filetypes looks for it).
MAIN_PARTS = {"word": "word/document.xml", "xl": "xl/workbook.xml", "ppt": "ppt/presentation.xml"}


def office_file(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(MAIN_PARTS[folder], "<document/>")
    return buffer.getvalue()


def odf_file() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def test_office_documents_images_and_text_are_sent_with_the_type_their_content_has(
    coordinator, make_user, make_event, smtp_server
):
    event = make_event()
    person = make_user("p@example.org", name="Pia")
    register(event, person)
    cases = [
        ("minutes.docx", office_file("word"), "wordprocessingml.document", "minutes.docx"),
        ("budget", office_file("xl"), "spreadsheetml.sheet", "budget.xlsx"),
        ("slides.pptx", office_file("ppt"), "presentationml.presentation", "slides.pptx"),
        ("notes.odt", odf_file(), "opendocument.text", "notes.odt"),
        ("map.pdf", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png", "map.pdf.png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + bytes(64), "image/jpeg", "photo.jpg"),
        (
            "c:\\Users\\me\\readme.txt",
            "Tervetuloa, hyvää päivää!\n".encode(),
            "text/plain",
            "readme.txt",
        ),
    ]
    for name, content, content_type, sent_name in cases:
        message = save_draft(
            sender=coordinator,
            subject=name,
            text="See the file.",
            selection=Selection(),
            event_id=event.id,
            attachment=Upload(name, content),
        )
        send_message(message.id)
        db.session.commit()
        deliver_due()
        mail = smtp_server.inbox.messages[-1]
        [attachment] = list(mail.iter_attachments())
        assert content_type in attachment.get_content_type(), name
        assert attachment.get_filename() == sent_name
        assert attachment.get_payload(decode=True) == content


def test_history_counts_delivered_and_failed_mails(
    client, coordinator, people, meeting, writer, smtp_server
):
    smtp_server.inbox.refusals["bjorn@example.org"] = "550 5.1.1 No such mailbox"
    writer.send(writer.preview_path(writer.write_to_event(meeting)))
    history = f"/manage/events/{meeting.id}/messages"
    assert "2 sent · 0 delivered · 2 waiting · 0 failed" in client.get(history).text
    report = deliver_due()
    assert (report.sent, report.failed) == (1, 1)
    assert "2 sent · 1 delivered · 1 failed" in client.get(history).text


def weekly_series(make_event):
    first = make_event(
        "Prevention coordinators' call",
        start=datetime(2099, 1, 7, 10, 0),  # noqa: DTZ001 - wall-clock in Helsinki
        end=datetime(2099, 1, 7, 11, 0),  # noqa: DTZ001
        timezone="Europe/Helsinki",
        rrule="FREQ=WEEKLY;COUNT=3",
        online_url=ONLINE_URL,
    )
    dates = list(
        db.session.scalars(
            sa.select(Event).where(Event.series_id == first.series_id).order_by(Event.starts_at)
        )
    )
    assert len(dates) == 3
    return dates


def test_a_series_message_goes_once_to_each_person_listing_their_coming_dates(
    client, coordinator, make_user, make_event, writer, smtp_server, clock
):
    first, second, third = weekly_series(make_event)
    # They read English, whatever their city's language (tests/i18n covers that).
    aino = make_user("aino@example.org", name="Aino Virtanen", city="helsinki", language="en")
    bjorn = make_user("bjorn@example.org", name="Björn Larsson", city="malmo", language="en")
    kari = make_user("kari@example.org", name="Kari Nordmann", city="oslo", language="en")
    for event in (first, second, third):
        register(event, aino)
    register(third, bjorn, RegistrationStatus.waitlisted)
    register(first, kari)  # only for the date that will be over
    clock.advance(first.ends_at - clock.now() + timedelta(hours=1))

    roster = client.get(f"/manage/events/{second.id}/registrations").text
    assert f'href="/manage/series/{second.series_id}/messages/new"' in roster
    path = writer.preview_path(
        writer.write(
            f"/manage/series/{second.series_id}/messages/new",
            subject="This year's calls",
            statuses=("confirmed", "waitlisted"),
        )
    )
    preview = client.get(path).text
    assert "This goes to 2 people: 1 confirmed, 1 on the waiting list." in preview
    writer.send(path)
    deliver_due()
    mails = by_recipient(smtp_server.inbox)
    assert sorted(mails) == [
        "Aino Virtanen <aino@example.org>",
        "Björn Larsson <bjorn@example.org>",
    ]
    aino_text = text_of(mails["Aino Virtanen <aino@example.org>"])
    assert "You are registered for these dates:" in aino_text
    assert aino_text.count("Prevention coordinators' call") == 2  # the two coming dates
    assert "14 Jan" in aino_text and "21 Jan" in aino_text and "7 Jan" not in aino_text
    assert aino_text.count(ONLINE_URL) == 2
    bjorn_text = text_of(mails["Björn Larsson <bjorn@example.org>"])
    assert bjorn_text.count("Prevention coordinators' call") == 1 and ONLINE_URL not in bjorn_text
    # The history is on the series and on each of its dates.
    for page in (
        f"/manage/series/{second.series_id}/messages",
        f"/manage/events/{third.id}/messages",
    ):
        assert "This year&#39;s calls" in client.get(page).text
        assert "2 sent · 2 delivered · 0 failed" in client.get(page).text


def test_sending_to_hundreds_takes_a_few_queries_beyond_one_insert_each(
    app, coordinator, meeting, make_user
):
    from nscal.accounts.services import create_user

    for number in range(120):
        user = create_user(email=f"p{number}@example.org", name=f"Person {number:03}")
        db.session.flush()
        db.session.add(
            Registration(event_id=meeting.id, user_id=user.id, status=RegistrationStatus.confirmed)
        )
    db.session.commit()
    message = save_draft(
        sender=db.session.get(User, coordinator.id),
        subject="Hello all",
        text="Welcome.",
        selection=Selection(),
        event_id=meeting.id,
    )
    db.session.commit()
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert send_message(message.id) == 120
        db.session.commit()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    inserts = [s for s in statements if s.startswith("INSERT INTO mail_outbox")]
    assert len(inserts) == 120
    assert len(statements) - len(inserts) <= 12
    assert db.session.get(ParticipantMessage, message.id).recipient_count == 120
