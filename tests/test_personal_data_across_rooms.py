"""A person's data kept by the rooms beside registrations (answers, the participant list,
attendance, feedback, messages, reminders, single sign-on, the feed alarm, programmes):
in the download, removed or kept anonymous on deletion, and purged after its months."""

import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from nscal.accounts.models import AccountRole, SsoIdentity
from nscal.attendance.models import Attendance, AttendanceStatus, CheckInFailure
from nscal.attendance.services import attendance_counts
from nscal.db import clock, db, utcnow
from nscal.mail.models import MailStatus, OutboxMessage
from nscal.messaging.models import ParticipantMessage
from nscal.messaging.services import Selection, Upload, save_draft, send_message
from nscal.people.retention import months_before, purge
from nscal.programme.models import ItemKind, ProgrammeItem, Speaker
from nscal.questions.models import (
    Answer,
    FeedbackResponse,
    ParticipantListing,
    QuestionKind,
    QuestionPurpose,
)
from nscal.questions.services import Owner, QuestionData, add_question, save_answers, set_listed
from nscal.registrations.models import Registration
from nscal.registrations.services import cancel_registration, register_for_event
from nscal.reminders.models import FeedAlarm, ReminderSent
from tests.conftest import PASSWORD, csrf_token_from

ZONE = ZoneInfo("Europe/Helsinki")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def wall_clock(days: float):
    return (utcnow() + timedelta(days=days)).astimezone(ZONE).replace(tzinfo=None, microsecond=0)


@pytest.fixture
def world(network, make_user, make_event, deliver_outbox):
    """A Helsinki meeting in three days where Aino and Bo registered and did everything
    the rooms keep something of; then the clock moves past the meeting."""
    coordinator = make_user(
        "coord@example.org", name="Cora Coordinator", account_role=AccountRole.coordinator
    )
    aino = make_user(
        "aino@example.org", name="Aino Virtanen", city="helsinki", participant_role="practitioner"
    )
    bo = make_user("bo@example.org", name="Bo Berg", city="malmo", participant_role="mayor")
    meeting = make_event(
        "Helsinki city meeting",
        start=wall_clock(3),
        end=wall_clock(3.2),
        timezone="Europe/Helsinki",
    )
    owner = Owner("event", meeting.id)
    diet = add_question(
        owner, QuestionData(QuestionKind.one_choice, "Diet", choices=["Vegetarian", "Vegan"])
    )
    useful = add_question(
        owner, QuestionData(QuestionKind.long_text, "What was useful?"), QuestionPurpose.feedback
    )
    registrations = {}
    for person, answer in ((aino, "Vegetarian"), (bo, "Vegan")):
        registration = register_for_event(meeting.id, person.id)
        save_answers(registration, {diet.id: answer})
        set_listed(registration, True)
        registrations[person.email] = registration
    db.session.flush()
    for person, words in ((aino, "The youth workshop"), (bo, "Bo's own view")):
        registration = registrations[person.email]
        db.session.add(
            Attendance(registration_id=registration.id, status=AttendanceStatus.attended)
        )
        db.session.add(
            ReminderSent(
                registration_id=registration.id,
                reminder_key="1d",
                event_starts_at=meeting.starts_at,
            )
        )
        response = FeedbackResponse(
            event_id=meeting.id, registration_id=registration.id, submitted_on=date(2030, 1, 2)
        )
        db.session.add(response)
        db.session.flush()
        db.session.add(Answer(question_id=useful.id, response_id=response.id, value=words))
        db.session.add(
            SsoIdentity(
                user_id=person.id,
                provider="helsinki",
                subject=f"sub-{person.id}",
                email=person.email,
            )
        )
        db.session.add(FeedAlarm(user_id=person.id, minutes_before=15))
        db.session.add(CheckInFailure(event_id=meeting.id, user_id=person.id, failures=2))
    item = ProgrammeItem(
        event_id=meeting.id,
        kind=ItemKind.talk,
        title="Youth work in Helsinki",
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at + timedelta(hours=1),
    )
    db.session.add(item)
    db.session.flush()
    db.session.add(Speaker(item_id=item.id, user_id=aino.id, name="Aino Virtanen"))
    message = save_draft(
        sender=coordinator,
        subject="The agenda",
        text="Please read the agenda before we meet.",
        selection=Selection(),
        event_id=meeting.id,
        attachment=Upload("agenda.pdf", PDF),
    )
    send_message(message.id)
    db.session.commit()
    deliver_outbox()
    clock.advance(timedelta(days=4))  # the meeting is over
    yield {"meeting": meeting, "aino": aino, "bo": bo, "regs": registrations, "message": message}
    clock.reset()


def test_the_download_has_what_every_room_keeps_about_the_person_and_nobody_else(
    client, auth, world
):
    auth.login("aino@example.org")
    text = client.get("/account/export").get_data(as_text=True)
    data = json.loads(text)
    [registration] = data["registrations"]
    assert registration["answers"] == [{"question": "Diet", "answer": "Vegetarian"}]
    assert registration["on_participant_list"] is True
    assert registration["attendance"] == {"status": "attended", "checked_in_at": None}
    assert [sent["reminder"] for sent in registration["reminders_received"]] == ["1d"]
    assert data["feedback"] == [
        {
            "event_id": world["meeting"].id,
            "event": "Helsinki city meeting",
            "submitted_on": "2030-01-02",
            "answers": [{"question": "What was useful?", "answer": "The youth workshop"}],
        }
    ]
    [message] = data["messages"]
    assert message["subject"] == "The agenda" and message["from"] == "Cora Coordinator"
    assert message["event"] == "Helsinki city meeting" and message["attachment"] == "agenda.pdf"
    assert any(
        "Please read the agenda" in mail["body"]
        for mail in data["mails"]
        if mail["subject"].startswith("The agenda")
    )
    [identity] = data["single_sign_on"]
    assert identity["provider"] == "helsinki" and identity["subject"] == f"sub-{world['aino'].id}"
    assert data["calendar_alarm_minutes_before"] == 15
    assert [talk["item"] for talk in data["programme_speaker"]] == ["Youth work in Helsinki"]
    assert data["wrong_check_in_codes"][0]["wrong_codes"] == 2
    for other in ("Bo Berg", "bo@example.org", "Vegan", "Bo's own view", f"sub-{world['bo'].id}"):
        assert other not in text


def test_anonymous_feedback_is_in_nobodys_download(client, auth, world):
    db.session.execute(sa.update(FeedbackResponse).values(registration_id=None))
    db.session.commit()
    auth.login("aino@example.org")
    data = client.get("/account/export").get_json()
    assert data["feedback"] == []


def delete_own_account(client):
    page = client.get("/account/delete")
    assert "Answers to registration questions" in page.text
    return client.post(
        "/account/delete",
        data={"csrf_token": csrf_token_from(page), "password": PASSWORD},
        follow_redirects=True,
    )


def test_deleting_removes_what_names_the_person_and_keeps_the_anonymous_counts(client, auth, world):
    aino, meeting = world["aino"], world["meeting"]
    aino_registration_id = world["regs"]["aino@example.org"].id
    bo_registration_id = world["regs"]["bo@example.org"].id
    counts_before = attendance_counts([meeting.id])
    auth.login("aino@example.org")
    assert delete_own_account(client).status_code == 200
    db.session.expire_all()

    kept = db.session.get(Registration, aino_registration_id)
    assert kept.user_id is None and kept.city.slug == "helsinki"
    # Attendance stays with the anonymous registration: the count per event is unchanged.
    assert db.session.get(Attendance, aino_registration_id).status is AttendanceStatus.attended
    assert attendance_counts([meeting.id]) == counts_before == {meeting.id: 2}
    # Answers and the listing go; named feedback keeps its answers without the name.
    answers_left = (
        db.session.execute(
            sa.select(Answer.registration_id).where(Answer.registration_id.is_not(None))
        )
        .scalars()
        .all()
    )
    assert answers_left == [bo_registration_id]
    assert set(db.session.execute(sa.select(ParticipantListing.registration_id)).scalars()) == {
        bo_registration_id
    }
    responses = dict(
        db.session.execute(
            sa.select(Answer.value, FeedbackResponse.registration_id).join(
                FeedbackResponse, FeedbackResponse.id == Answer.response_id
            )
        ).all()
    )
    assert responses == {"The youth workshop": None, "Bo's own view": bo_registration_id}
    # Single sign-on links, the feed alarm and the wrong codes go; Bo's stay.
    assert db.session.scalars(sa.select(SsoIdentity.user_id)).all() == [world["bo"].id]
    assert db.session.scalars(sa.select(FeedAlarm.user_id)).all() == [world["bo"].id]
    assert db.session.scalars(sa.select(CheckInFailure.user_id)).all() == [world["bo"].id]
    # The programme keeps the speaker's name as printed, no longer tied to the account.
    speaker = db.session.execute(sa.select(Speaker)).scalar_one()
    assert (speaker.user_id, speaker.name, speaker.affiliation) == (
        None,
        "Aino Virtanen",
        "Helsinki",
    )
    assert db.session.get(type(aino), aino.id).is_deleted


def test_the_purge_removes_answers_and_message_texts_after_their_months(app, world, deliver_outbox):
    app.config.update(
        RETENTION_CANCELLED_REGISTRATIONS_MONTHS=12,
        RETENTION_NOTES_MONTHS=6,
        RETENTION_MAIL_BODIES_MONTHS=3,
    )
    meeting, coordinator = world["meeting"], world["message"].sender
    # An old draft nobody sent.
    save_draft(
        sender=coordinator,
        subject="Never sent",
        text="Draft",
        selection=Selection(),
        event_id=meeting.id,
    )
    db.session.commit()
    sent_at = world["message"].sent_at

    clock.advance(months_before(sent_at, -3) - utcnow() - timedelta(days=1))
    assert purge(dry_run=True).counts["message_texts"] == 0
    clock.advance(timedelta(days=2))
    report = purge()
    db.session.commit()
    # The draft was written four days after the message went: not yet three months old.
    assert report.counts["message_texts"] == 1 and report.counts["message_drafts"] == 0
    assert report.counts["answers"] == 0
    message = db.session.get(ParticipantMessage, world["message"].id)
    db.session.refresh(message)
    assert message.text == "" and message.attachment_data is None
    assert message.subject == "The agenda" and message.attachment_name == "agenda.pdf"
    assert message.recipient_count == 2
    assert db.session.scalar(sa.select(sa.func.count(ParticipantMessage.id))) == 2

    # Six months after the meeting: the registration answers go, feedback stays.
    clock.advance(months_before(meeting.ends_at, -6) - utcnow() + timedelta(minutes=1))
    assert purge(dry_run=True).counts["answers"] == 2
    report = purge()
    db.session.commit()
    assert report.counts["answers"] == 2 and report.counts["message_drafts"] == 1
    assert db.session.scalars(sa.select(ParticipantMessage.subject)).all() == ["The agenda"]
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Answer.id)).where(Answer.registration_id.is_not(None))
        )
        == 0
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Answer.id)).where(Answer.response_id.is_not(None))
        )
        == 2
    )


def test_answers_of_a_purged_cancelled_registration_go_with_it(app, network, make_user, make_event):
    app.config.update(RETENTION_CANCELLED_REGISTRATIONS_MONTHS=1, RETENTION_NOTES_MONTHS=24)
    person = make_user("sven@example.org", city="oslo")
    meeting = make_event("Oslo meeting", start=wall_clock(2), end=wall_clock(2.1))
    question = add_question(
        Owner("event", meeting.id), QuestionData(QuestionKind.short_text, "Org")
    )
    registration = register_for_event(meeting.id, person.id)
    save_answers(registration, {question.id: "Oslo kommune"})
    set_listed(registration, True)
    db.session.commit()
    cancel_registration(meeting.id, person.id)
    db.session.commit()
    try:
        clock.advance(months_before(meeting.ends_at, -1) - utcnow() + timedelta(minutes=1))
        report = purge()
        db.session.commit()
    finally:
        clock.reset()
    assert report.counts["registrations"] == 1 and report.counts["answers"] == 1
    assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(ParticipantListing.registration_id))) == 0


def test_a_message_whose_mail_still_waits_keeps_its_attachment(app, world):
    app.config.update(RETENTION_MAIL_BODIES_MONTHS=3)
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.subject.like("The agenda%"))
        .values(status=MailStatus.pending, sent_at=None)
    )
    db.session.commit()
    clock.advance(timedelta(days=200))
    assert purge().counts["message_texts"] == 0
    db.session.commit()
    message = db.session.get(ParticipantMessage, world["message"].id)
    assert message.attachment_key is not None
