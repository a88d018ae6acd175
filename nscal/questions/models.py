"""Registration questions of an event or a series, the answers per registration, and the
participant list: whether an event shows it, and who agreed to appear on it.

A series' questions are asked at each of its occurrences, before the occurrence's own.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nscal.cities.models import ParticipantRole
from nscal.db import UTCDateTime, db, str_enum, utcnow


class QuestionKind(enum.StrEnum):
    short_text = "short-text"
    long_text = "long-text"
    one_choice = "one-choice"
    several_choices = "several-choices"
    yes_no = "yes-no"
    number = "number"
    date = "date"

    @property
    def label(self) -> str:
        """The type of answer in the reader's language (lazy: also for form choices)."""
        return _KIND_LABELS[self.value]

    @property
    def has_choices(self) -> bool:
        return self in (QuestionKind.one_choice, QuestionKind.several_choices)

    @property
    def is_counted(self) -> bool:
        """Answers summed per choice on the coordinators' pages."""
        return self.has_choices or self is QuestionKind.yes_no


# The types of answer a question takes, as coordinators choose them.
_KIND_LABELS = {
    "short-text": _l("Short text"),
    "long-text": _l("Long text"),
    "one-choice": _l("One choice"),
    "several-choices": _l("Several choices"),
    "yes-no": _l("Yes or no"),
    "number": _l("Number"),
    # Translators: a type of answer: a day of the calendar.
    "date": _l("Date"),
}


class QuestionPurpose(enum.StrEnum):
    registration = "registration"
    feedback = "feedback"


question_role = sa.Table(
    "question_role",
    db.metadata,
    sa.Column("question_id", sa.ForeignKey("question.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "participant_role_id",
        sa.ForeignKey("participant_role.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class Question(db.Model):
    """One question of an event or of a series (exactly one of the two owns it)."""

    __tablename__ = "question"
    __table_args__ = (
        sa.CheckConstraint("(event_id IS NULL) <> (series_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), index=True
    )
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event_series.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[QuestionPurpose] = mapped_column(
        str_enum(QuestionPurpose, "question_purpose"), default=QuestionPurpose.registration
    )
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))
    label: Mapped[str] = mapped_column(sa.String(300))
    help_text: Mapped[str] = mapped_column(sa.String(500), default="")
    required: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The options of a choice question, one per line, in the order shown.
    choices: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Asked only of people in these roles; none: asked of everyone.
    roles: Mapped[list[ParticipantRole]] = relationship(
        secondary=question_role, lazy="selectin", order_by=ParticipantRole.id
    )

    @property
    def choice_list(self) -> list[str]:
        return [line for line in self.choices.split("\n") if line]

    def is_asked_of(self, role_id: int | None) -> bool:
        return not self.roles or any(role.id == role_id for role in self.roles)

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.kind.value} {self.label!r}>"


class Answer(db.Model):
    """An answer to one question: a registration question's with the person's
    registration, a feedback question's with a (by default anonymous) response.

    The value is text: choices as the option's text (several: one per line), yes/no as
    ``yes``/``no``, numbers in plain decimal notation, dates as ``YYYY-MM-DD``.
    """

    __tablename__ = "question_answer"
    __table_args__ = (
        sa.UniqueConstraint("question_id", "registration_id"),
        sa.UniqueConstraint("question_id", "response_id", name="uq_question_answer_response"),
        sa.CheckConstraint(
            "(registration_id IS NULL) <> (response_id IS NULL)", name="one_answerer"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    response_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("feedback_response.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    question: Mapped[Question] = relationship(lazy="joined")


class FeedbackSurvey(db.Model):
    """An event's feedback survey: whether answers are anonymous, and when it went out."""

    __tablename__ = "feedback_survey"

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    anonymous: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FeedbackInvitation(db.Model):
    """One person asked for feedback (one mail, one link). ``responded`` makes the link
    single-use; it has no time, so it cannot be matched to an anonymous response."""

    __tablename__ = "feedback_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class FeedbackResponse(db.Model):
    """One filled-in survey. Linked to the registration only when the survey is not
    anonymous; the day it came, not the time, so it cannot be matched by timing."""

    __tablename__ = "feedback_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL")
    )
    submitted_on: Mapped[date] = mapped_column(sa.Date)


class ParticipantListSetting(db.Model):
    """Whether confirmed participants of an event may see who else is coming."""

    __tablename__ = "participant_list_setting"

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    visible: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class ParticipantListing(db.Model):
    """A registration whose person agreed to appear on the event's participant list."""

    __tablename__ = "participant_listing"

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
