"""Feedback after an event: a question set with the purpose "feedback", mailed to those
who attended (to the confirmed participants when no attendance was taken; one mail
each, with a signed single-use link), answered anonymously by default,
summed for coordinators and exported as CSV.

Anonymous means the stored answers do not name the person: the invitation records only
that its link was used, the response only the day it came.
"""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from nscal.accounts.models import User
from nscal.attendance.models import Attendance, AttendanceStatus
from nscal.db import db, utcnow
from nscal.events.models import Event
from nscal.exports import rows_as_csv
from nscal.i18n import in_language, language_of
from nscal.mail.outbox import enqueue
from nscal.questions.models import (
    Answer,
    FeedbackInvitation,
    FeedbackResponse,
    FeedbackSurvey,
    Question,
    QuestionPurpose,
)
from nscal.questions.services import (
    AnswerSheet,
    Owner,
    QuestionError,
    QuestionSummary,
    answer_text,
    own_questions,
    summarise,
)
from nscal.registrations.models import Registration
from nscal.registrations.notifications import mail_about_event
from nscal.registrations.services import confirmed_with_account
from nscal.urls import external_url

FEEDBACK_SALT = "nscal-feedback"
LINK_DAYS = 60  # how long a survey link works


def feedback_questions(event: Event) -> list[Question]:
    return own_questions(Owner("event", event.id), QuestionPurpose.feedback)


def survey_for(event: Event) -> FeedbackSurvey:
    return db.session.get(FeedbackSurvey, event.id) or FeedbackSurvey(
        event_id=event.id, anonymous=True
    )


def attendance_taken(event: Event) -> bool:
    """Whether a coordinator (or a check-in) marked anyone's attendance at the event."""
    return db.session.scalar(
        sa.select(
            sa.exists().where(
                Attendance.registration_id == Registration.id, Registration.event_id == event.id
            )
        )
    )


def invitable(event: Event) -> list[Registration]:
    """Those not asked yet who attended, when attendance was taken; else the confirmed
    participants (nobody marked anyone, so nscal cannot tell who came)."""
    asked = sa.select(FeedbackInvitation.registration_id).where(
        FeedbackInvitation.event_id == event.id
    )
    query = confirmed_with_account(event.id).where(
        User.active.is_(True), Registration.id.not_in(asked)
    )
    if attendance_taken(event):
        query = query.join(Attendance, Attendance.registration_id == Registration.id).where(
            Attendance.status == AttendanceStatus.attended
        )
    return list(db.session.execute(query.order_by(Registration.id)).scalars())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=FEEDBACK_SALT)


def feedback_token(invitation: FeedbackInvitation) -> str:
    return _serializer().dumps({"invitation": invitation.id})


def invitation_for_token(token: str) -> FeedbackInvitation | None:
    """The invitation a link names; None when it is forged, broken or expired."""
    try:
        payload = _serializer().loads(token, max_age=LINK_DAYS * 86400)
    except (BadSignature, SignatureExpired):
        return None
    number = payload.get("invitation") if isinstance(payload, dict) else None
    if not isinstance(number, int) or not 0 < number < 2**31:
        return None
    return db.session.get(FeedbackInvitation, number)


def send_survey(event: Event, *, anonymous: bool, now: datetime | None = None) -> int:
    """Mail the survey to every confirmed participant not asked yet; how many were asked.

    The anonymity is fixed with the first mailing: people were told it.
    """
    now = now or utcnow()
    if now < event.ends_at:
        raise QuestionError(_("The survey can be sent once the event is over."))
    if not feedback_questions(event):
        raise QuestionError(_("Add at least one question to the survey first."))
    survey = db.session.get(FeedbackSurvey, event.id)
    if survey is None:
        survey = FeedbackSurvey(event_id=event.id, anonymous=anonymous)
        db.session.add(survey)
    elif survey.sent_at is None:
        survey.anonymous = anonymous
    people = invitable(event)
    for registration in people:
        invitation = FeedbackInvitation(
            event_id=event.id, registration_id=registration.id, sent_at=now
        )
        db.session.add(invitation)
        db.session.flush()
        with in_language(language_of(registration.user)):  # the link opens in it too
            enqueue(
                mail_about_event(
                    "feedback_request",
                    registration.user,
                    event,
                    link=external_url("questions.feedback", token=feedback_token(invitation)),
                    anonymous=survey.anonymous,
                    days=LINK_DAYS,
                )
            )
    survey.sent_at = survey.sent_at or now
    db.session.flush()
    return len(people)


def submit_feedback(invitation: FeedbackInvitation, sheet: AnswerSheet) -> FeedbackResponse:
    """Store one person's feedback; their link works once."""
    if not sheet.valid:
        raise QuestionError(_("Some answers need another look."))
    # Only one request can flip the flag: a second submission finds it set.
    used = db.session.execute(
        sa.update(FeedbackInvitation)
        .where(FeedbackInvitation.id == invitation.id, FeedbackInvitation.responded.is_(False))
        .values(responded=True)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        raise QuestionError(_("Your feedback is already in: thank you."))
    survey = survey_for(invitation_event(invitation))
    response = FeedbackResponse(
        event_id=invitation.event_id,
        registration_id=None if survey.anonymous else invitation.registration_id,
        submitted_on=utcnow().date(),
    )
    db.session.add(response)
    db.session.flush()
    for question_id, value in sheet.values.items():
        if value:
            db.session.add(Answer(question_id=question_id, response_id=response.id, value=value))
    db.session.flush()
    return response


def invitation_event(invitation: FeedbackInvitation) -> Event:
    return db.session.get(Event, invitation.event_id)


def _responses(event: Event) -> list[FeedbackResponse]:
    return list(
        db.session.execute(
            sa.select(FeedbackResponse)
            .where(FeedbackResponse.event_id == event.id)
            .order_by(FeedbackResponse.id)
        ).scalars()
    )


def _answers_by_response(event: Event) -> dict[int, dict[int, str]]:
    rows = db.session.execute(
        sa.select(Answer.response_id, Answer.question_id, Answer.value)
        .join(FeedbackResponse, FeedbackResponse.id == Answer.response_id)
        .where(FeedbackResponse.event_id == event.id)
    )
    table: dict[int, dict[int, str]] = {}
    for response_id, question_id, value in rows:
        table.setdefault(response_id, {})[question_id] = value
    return table


def feedback_results(event: Event) -> tuple[list[QuestionSummary], int, int]:
    """The answers summed per question, how many responded, and how many were asked."""
    table = _answers_by_response(event)
    asked = db.session.scalar(
        sa.select(sa.func.count(FeedbackInvitation.id)).where(
            FeedbackInvitation.event_id == event.id
        )
    )
    return summarise(feedback_questions(event), list(table.values())), len(_responses(event)), asked


def feedback_as_csv(event: Event) -> str:
    """One row per response: the day it came, who (only when not anonymous), the answers."""
    questions = feedback_questions(event)
    survey = survey_for(event)
    table = _answers_by_response(event)
    header = ["submitted_on"]
    if not survey.anonymous:
        header += ["email", "name"]
    header += [question.label for question in questions]
    rows = []
    for response in _responses(event):
        given = table.get(response.id, {})
        row = [response.submitted_on.isoformat()]
        if not survey.anonymous:
            registration = (
                db.session.get(Registration, response.registration_id)
                if response.registration_id
                else None
            )
            row += [registration.user.email, registration.user.name] if registration else ["", ""]
        row += [answer_text(question, given.get(question.id)) for question in questions]
        rows.append(row)
    return rows_as_csv(header, rows)
