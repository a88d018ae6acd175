"""Feedback after an event: one mail per confirmed participant with a single-use link,
answers anonymous by default, summed for coordinators and exported as CSV."""

import csv
import email
import io
import re
from datetime import timedelta
from email import policy

import pytest
import sqlalchemy as sa

from nscal.db import clock, db, utcnow
from nscal.mail.models import OutboxMessage
from nscal.questions.models import Answer, FeedbackResponse, QuestionKind, QuestionPurpose
from nscal.questions.services import Owner, QuestionData, add_question
from nscal.registrations.models import RegistrationStatus
from nscal.registrations.services import register_for_event, set_registration_status
from tests.questions.conftest import post

LINK = re.compile(r"https?://\S+/feedback/[\w.\-]+")


@pytest.fixture
def survey(meeting, make_user):
    """The meeting with two feedback questions and three people: two confirmed, one
    cancelled; the clock after the meeting."""
    owner = Owner("event", meeting.id)
    useful = add_question(
        owner,
        QuestionData(
            QuestionKind.one_choice,
            "How useful was it?",
            required=True,
            choices=["Very", "Somewhat", "Not"],
        ),
        QuestionPurpose.feedback,
    )
    comment = add_question(
        owner, QuestionData(QuestionKind.long_text, "Anything else?"), QuestionPurpose.feedback
    )
    people = {}
    for email_address, name in (
        ("aino@example.org", "Aino Virtanen"),
        ("sven@example.org", "Sven Berg"),
        ("gone@example.org", "Gone Person"),
    ):
        person = make_user(email_address, name=name, participant_role="practitioner")
        people[email_address] = register_for_event(meeting.id, person.id)
    db.session.commit()
    set_registration_status(people["gone@example.org"].id, RegistrationStatus.cancelled)
    db.session.commit()
    meeting.useful, meeting.comment = useful, comment
    yield meeting
    clock.reset()


def after_the_meeting(meeting):
    clock.advance(meeting.ends_at - utcnow() + timedelta(hours=2))


def links_by_recipient() -> dict[str, str]:
    links = {}
    for row in db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.subject.like("How was it?%"))
    ).scalars():
        message = email.message_from_bytes(row.message, policy=policy.default)
        text = message.get_body(("plain",)).get_content()
        links[row.recipient] = LINK.search(text).group(0)
    return links


def mail_text(address: str) -> str:
    row = db.session.execute(
        sa.select(OutboxMessage).where(
            OutboxMessage.recipient == address, OutboxMessage.subject.like("How was it?%")
        )
    ).scalar_one()
    message = email.message_from_bytes(row.message, policy=policy.default)
    return message.get_body(("plain",)).get_content()


def send(client, meeting, anonymous=True):
    path = f"/manage/events/{meeting.id}/feedback/send"
    data = {"anonymous": "y"} if anonymous else {}
    return post(client, path, data, token_page=path, follow_redirects=True)


def test_the_survey_waits_for_the_end_of_the_event(client, auth, coordinator, survey):
    auth.login("coord@example.org")
    page = client.get(f"/manage/events/{survey.id}/feedback").text
    assert "The survey can be sent once the event is over." in page
    response = send(client, survey)
    assert "The survey can be sent once the event is over." in response.text
    assert links_by_recipient() == {}


def test_each_confirmed_participant_gets_one_mail_and_answers_once_anonymously(
    client, auth, coordinator, survey
):
    auth.login("coord@example.org")
    after_the_meeting(survey)
    confirm = client.get(f"/manage/events/{survey.id}/feedback/send")
    assert (
        "Send the feedback survey?" in confirm.text and "2 confirmed participant(s)" in confirm.text
    )
    assert links_by_recipient() == {}  # nothing sent before the second step
    assert "on its way to 2 person(s)" in send(client, survey).text
    links = links_by_recipient()
    assert sorted(links) == ["aino@example.org", "sven@example.org"]
    assert "Hello Aino Virtanen," in mail_text("aino@example.org")
    assert len(set(links.values())) == 2
    # Sending again asks nobody twice.
    assert "on its way to 0 person(s)" in send(client, survey).text
    auth.logout()

    # No login needed: the link is the key.
    aino_link = links["aino@example.org"].split("://", 1)[1].split("/", 1)[1]
    path = "/" + aino_link
    page = client.get(path)
    assert page.status_code == 200 and "Your answers are anonymous" in page.text
    field_useful, field_comment = f"q_{survey.useful.id}", f"q_{survey.comment.id}"
    # Required unanswered: shown again with the comment kept.
    response = post(client, path, {field_comment: "Great venue"}, token_page=path)
    assert response.status_code == 422
    assert "This question needs an answer." in response.text and "Great venue" in response.text
    response = post(
        client,
        path,
        {field_useful: "Very", field_comment: "Great venue"},
        token_page=path,
        follow_redirects=True,
    )
    assert "Thank you: your feedback is in." in response.text
    # The link works once.
    assert "Your feedback is in." in client.get(path).text
    [stored] = db.session.execute(sa.select(FeedbackResponse)).scalars().all()
    assert stored.registration_id is None  # not linked to the person
    values = set(
        db.session.execute(sa.select(Answer.value).where(Answer.response_id == stored.id)).scalars()
    )
    assert values == {"Very", "Great venue"}

    auth.login("coord@example.org")
    results = client.get(f"/manage/events/{survey.id}/feedback").text
    assert "<strong>1</strong> of 2 asked have answered." in results
    assert "<li>Very: 1</li>" in results and "<li>Not: 0</li>" in results
    export = client.get(f"/manage/events/{survey.id}/feedback.csv").text
    rows = list(csv.DictReader(io.StringIO(export, newline="")))
    assert rows == [
        {
            "submitted_on": utcnow().date().isoformat(),
            "How useful was it?": "Very",
            "Anything else?": "Great venue",
        }
    ]
    assert "aino" not in export.lower()


def test_a_named_survey_exports_who_answered(client, auth, coordinator, survey):
    auth.login("coord@example.org")
    after_the_meeting(survey)
    send(client, survey, anonymous=False)
    auth.logout()
    link = links_by_recipient()["sven@example.org"]
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert "stored with your name" in client.get(path).text
    post(client, path, {f"q_{survey.useful.id}": "Not"}, token_page=path)
    auth.login("coord@example.org")
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/manage/events/{survey.id}/feedback.csv").text, newline="")
        )
    )
    assert [(row["email"], row["How useful was it?"]) for row in rows] == [
        ("sven@example.org", "Not")
    ]


def test_a_forged_link_opens_nothing(client, survey):
    response = client.get("/feedback/eyJpbnZpdGF0aW9uIjoxfQ.forged.signature")
    assert response.status_code == 404
    assert "This feedback link does not work" in response.text


def test_feedback_questions_are_not_asked_at_registration(client, auth, make_user, survey):
    make_user("new@example.org", participant_role="practitioner")
    auth.login("new@example.org")
    assert "How useful was it?" not in client.get(f"/events/{survey.id}").text


def test_once_attendance_is_taken_only_those_who_attended_are_asked(
    client, auth, coordinator, survey
):
    from nscal.attendance.models import AttendanceStatus
    from nscal.attendance.services import mark_attendance
    from nscal.registrations.models import Registration

    by_email = {
        registration.user.email: registration
        for registration in db.session.execute(
            sa.select(Registration).where(
                Registration.event_id == survey.id,
                Registration.status == RegistrationStatus.confirmed,
            )
        ).scalars()
    }
    mark_attendance(by_email["aino@example.org"].id, AttendanceStatus.attended, marked_by_id=None)
    mark_attendance(by_email["sven@example.org"].id, AttendanceStatus.absent, marked_by_id=None)
    db.session.commit()
    auth.login("coord@example.org")
    after_the_meeting(survey)
    page = client.get(f"/manage/events/{survey.id}/feedback").text
    assert "Send the survey to 1 person(s) who attended" in page
    confirm = client.get(f"/manage/events/{survey.id}/feedback/send").text
    assert "1 person(s) who attended" in confirm
    assert "on its way to 1 person(s)" in send(client, survey).text
    assert sorted(links_by_recipient()) == ["aino@example.org"]  # Sven was absent
    assert (
        "Everyone who attended has been asked."
        in client.get(f"/manage/events/{survey.id}/feedback").text
    )
