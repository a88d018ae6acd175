"""Questions: managing them, checking and storing answers, and the participant list.

The rules of an answer (what a number, a date, a choice must look like) live here, so
the registration form, the "change my answers" form and any later caller agree.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import format_number
from flask_babel import gettext as _

from nscal.cities.models import ParticipantRole
from nscal.db import db, utcnow
from nscal.events.models import Event, EventSeries
from nscal.inputs import multi_line, single_line
from nscal.questions.models import (
    Answer,
    ParticipantListing,
    ParticipantListSetting,
    Question,
    QuestionKind,
    QuestionPurpose,
)
from nscal.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from nscal.registrations.services import settings_for
from nscal.timedisplay import short_date
from nscal.timeutil import FIRST_YEAR, LAST_YEAR, year_in_range

MAX_LABEL = 300
MAX_HELP = 500
MAX_CHOICES = 30
MAX_CHOICE = 200
MAX_SHORT_TEXT = 500
MAX_LONG_TEXT = 5000
# Numbers people give (nights, age, kilometres): twelve digits before the point is plenty.
MAX_NUMBER = Decimal("1e12")


class QuestionError(ValueError):
    """A question or an answer was refused; the message is for people."""


# --- whose questions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """An event or a series: what a set of questions belongs to."""

    kind: str  # "event" or "series"
    id: int

    @property
    def column(self):
        return Question.event_id if self.kind == "event" else Question.series_id

    @classmethod
    def parse(cls, value: str) -> "Owner | None":
        """``event-12`` or ``series-3`` (a copy form's choice), or None."""
        kind, _, number = (value or "").partition("-")
        if kind not in ("event", "series") or not number.isdigit() or len(number) > 9:
            return None
        return cls(kind, int(number))


def own_questions(owner: Owner, purpose=QuestionPurpose.registration) -> list[Question]:
    """The questions an event or series asks itself, in their order."""
    return list(
        db.session.execute(
            sa.select(Question)
            .where(owner.column == owner.id, Question.purpose == purpose)
            .order_by(Question.position, Question.id)
        ).scalars()
    )


def questions_for(event: Event, purpose=QuestionPurpose.registration) -> list[Question]:
    """Every question of an event: its series' first, then its own."""
    inherited = own_questions(Owner("series", event.series_id), purpose) if event.series_id else []
    return inherited + own_questions(Owner("event", event.id), purpose)


def questions_asked(event: Event, role_id: int | None) -> list[Question]:
    """The registration questions a person in this participant role is asked."""
    return [question for question in questions_for(event) if question.is_asked_of(role_id)]


# --- managing questions ------------------------------------------------------------------


@dataclass
class QuestionData:
    kind: QuestionKind
    label: str
    help_text: str = ""
    required: bool = False
    choices: list[str] = field(default_factory=list)
    role_ids: list[int] = field(default_factory=list)


def _checked(data: QuestionData) -> QuestionData:
    label = single_line(data.label)
    if not label:
        raise QuestionError(_("Write the question."))
    if len(label) > MAX_LABEL:
        raise QuestionError(_("Keep the question under %(num)d characters.", num=MAX_LABEL))
    help_text = single_line(data.help_text)
    if len(help_text) > MAX_HELP:
        raise QuestionError(_("Keep the help text under %(num)d characters.", num=MAX_HELP))
    choices: list[str] = []
    if data.kind.has_choices:
        for choice in data.choices:
            choice = single_line(choice)
            if choice and choice not in choices:
                choices.append(choice)
        if len(choices) < 2:
            raise QuestionError(_("Give at least two options, one per line."))
        if len(choices) > MAX_CHOICES:
            raise QuestionError(_("Give at most %(num)d options.", num=MAX_CHOICES))
        if any(len(choice) > MAX_CHOICE for choice in choices):
            raise QuestionError(_("Keep each option under %(num)d characters.", num=MAX_CHOICE))
    return QuestionData(data.kind, label, help_text, data.required, choices, data.role_ids)


def _roles(role_ids: list[int]) -> list[ParticipantRole]:
    if not role_ids:
        return []
    return list(
        db.session.execute(
            sa.select(ParticipantRole).where(ParticipantRole.id.in_(role_ids))
        ).scalars()
    )


def owner_exists(owner: Owner) -> bool:
    model = Event if owner.kind == "event" else EventSeries
    return db.session.get(model, owner.id) is not None


def add_question(
    owner: Owner, data: QuestionData, purpose=QuestionPurpose.registration
) -> Question:
    """A new question at the end of the owner's list."""
    data = _checked(data)
    last = db.session.scalar(
        sa.select(sa.func.max(Question.position)).where(
            owner.column == owner.id, Question.purpose == purpose
        )
    )
    question = Question(
        event_id=owner.id if owner.kind == "event" else None,
        series_id=owner.id if owner.kind == "series" else None,
        purpose=purpose,
        kind=data.kind,
        label=data.label,
        help_text=data.help_text,
        required=data.required,
        choices="\n".join(data.choices),
        position=(last or 0) + 1,
        roles=_roles(data.role_ids),
    )
    db.session.add(question)
    db.session.flush()
    return question


def answer_count(question_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Answer.id)).where(Answer.question_id == question_id)
    )


def update_question(question: Question, data: QuestionData) -> Question:
    """Change a question; its type stays once people have answered it."""
    data = _checked(data)
    if data.kind is not question.kind and answer_count(question.id):
        raise QuestionError(
            _(
                "People have answered this question, so its type cannot change. "
                "Add a new question instead."
            )
        )
    question.kind = data.kind
    question.label = data.label
    question.help_text = data.help_text
    question.required = data.required
    question.choices = "\n".join(data.choices)
    question.roles = _roles(data.role_ids)
    db.session.flush()
    return question


def owner_of(question: Question) -> Owner:
    if question.event_id is not None:
        return Owner("event", question.event_id)
    return Owner("series", question.series_id)


def move_question(question: Question, step: int) -> None:
    """Move a question one place up (``-1``) or down (``+1``) in its list."""
    siblings = own_questions(owner_of(question), question.purpose)
    index = siblings.index(question)
    target = index + step
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position
    db.session.flush()


def delete_question(question: Question) -> None:
    """Remove a question and every answer to it."""
    db.session.delete(question)
    db.session.flush()


def copy_questions(source: Owner, target: Owner) -> int:
    """Append a copy of the source's questions (an event's: with its series') to the
    target's; returns how many were copied."""
    if source == target:
        raise QuestionError(_("Choose another event or series to copy from."))
    if source.kind == "event":
        event = db.session.get(Event, source.id)
        originals = questions_for(event) if event else []
    else:
        originals = own_questions(source)
    for original in originals:
        add_question(
            target,
            QuestionData(
                original.kind,
                original.label,
                original.help_text,
                original.required,
                original.choice_list,
                [role.id for role in original.roles],
            ),
        )
    return len(originals)


def copy_sources(exclude: Owner) -> list[tuple[Owner, str]]:
    """Events and series that have questions, to copy from (newest first)."""
    owners: list[tuple[Owner, str]] = []
    rows = db.session.execute(
        sa.select(Event.id, Event.title, Event.starts_at)
        .where(
            Event.id.in_(
                sa.select(Question.event_id).where(
                    Question.event_id.is_not(None),
                    Question.purpose == QuestionPurpose.registration,
                )
            )
        )
        .order_by(Event.starts_at.desc())
        .limit(200)
    )
    for event_id, title, starts_at in rows:
        owners.append((Owner("event", event_id), f"{title} ({short_date(starts_at.date())})"))
    series_rows = db.session.execute(
        sa.select(Question.series_id)
        .where(Question.series_id.is_not(None), Question.purpose == QuestionPurpose.registration)
        .distinct()
    ).scalars()
    for series_id in series_rows:
        first = db.session.execute(
            sa.select(Event.title).where(Event.series_id == series_id).order_by(Event.starts_at)
        ).scalar()
        owners.append(
            (Owner("series", series_id), _("Series: %(title)s", title=first or series_id))
        )
    return [(owner, label) for owner, label in owners if owner != exclude]


# --- answers -----------------------------------------------------------------------------


def clean_answer(question: Question, sent: list[str]) -> str:
    """What a person sent for a question, as stored ("" for no answer); raises
    ``QuestionError`` with the reason when it is not an answer the question takes."""
    values = [value for value in (single_line(value) for value in sent) if value]
    kind = question.kind
    if kind is QuestionKind.long_text:
        text = multi_line(sent[0]) if sent else ""
        if len(text) > MAX_LONG_TEXT:
            raise QuestionError(
                _("Keep the answer under %(num)s characters.", num=format_number(MAX_LONG_TEXT))
            )
        answer = text
    elif kind is QuestionKind.short_text:
        answer = values[0] if values else ""
        if len(answer) > MAX_SHORT_TEXT:
            raise QuestionError(_("Keep the answer under %(num)s characters.", num=MAX_SHORT_TEXT))
    elif kind is QuestionKind.one_choice:
        answer = values[0] if values else ""
        if len(values) > 1 or (answer and answer not in question.choice_list):
            raise QuestionError(_("Choose one of the options offered."))
    elif kind is QuestionKind.several_choices:
        offered = question.choice_list
        if any(value not in offered for value in values):
            raise QuestionError(_("Choose only among the options offered."))
        answer = "\n".join(choice for choice in offered if choice in values)
    elif kind is QuestionKind.yes_no:
        answer = values[0] if values else ""
        if len(values) > 1 or answer not in ("", "yes", "no"):
            raise QuestionError(_("Answer yes or no."))
    elif kind is QuestionKind.number:
        answer = _number(values[0]) if values else ""
    else:
        answer = _date(values[0]) if values else ""
    if question.required and not answer:
        raise QuestionError(_("This question needs an answer."))
    return answer


def _number(text: str) -> str:
    try:
        number = Decimal(text.replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise QuestionError(_("Enter a number, such as 2 or 1.5.")) from None
    if not number.is_finite() or abs(number) >= MAX_NUMBER:
        raise QuestionError(_("Enter a number, such as 2 or 1.5."))
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _date(text: str) -> str:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise QuestionError(_("Enter a date as YYYY-MM-DD, such as 2027-03-29.")) from None
    if not year_in_range(day.year) or len(text) != 10:
        raise QuestionError(
            _(
                "Enter a date between %(first)s and %(last)s as YYYY-MM-DD.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )
    return day.isoformat()


@dataclass
class AnswerSheet:
    """Answers read from a form: the values to store, or the errors to show, per question."""

    questions: list[Question]
    sent: dict[int, list[str]]
    values: dict[int, str] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors

    def shown(self, question: Question) -> list[str]:
        """What the form shows for a question: what was sent, so nothing typed is lost."""
        return self.sent.get(question.id, [])


def read_answers(questions: list[Question], sent: dict[int, list[str]]) -> AnswerSheet:
    """Check what was sent for each question (keyed by question id)."""
    sheet = AnswerSheet(questions, sent)
    for question in questions:
        try:
            sheet.values[question.id] = clean_answer(question, sent.get(question.id, []))
        except QuestionError as exc:
            sheet.errors[question.id] = str(exc)
    return sheet


def stored_sheet(questions: list[Question], registration: Registration) -> AnswerSheet:
    """A sheet showing a person's stored answers, for the "change my answers" form."""
    answers = answers_of(registration.id)
    sent = {
        question.id: answers[question.id].split("\n")
        for question in questions
        if question.id in answers
    }
    return AnswerSheet(questions, sent)


def answers_of(registration_id: int) -> dict[int, str]:
    return dict(
        db.session.execute(
            sa.select(Answer.question_id, Answer.value).where(
                Answer.registration_id == registration_id
            )
        ).all()
    )


def answers_close_at(event: Event) -> datetime:
    settings = settings_for(event)
    return settings.closes_at or event.starts_at


def may_change_answers(event: Event, now: datetime | None = None) -> bool:
    return (now or utcnow()) < answers_close_at(event)


def save_answers(registration: Registration, values: dict[int, str], *, new: bool = False) -> None:
    """Store a registration's answers (an empty answer removes the stored one).

    ``new``: the registration was just made and has no answers yet, so none are read
    (the registration form calls this while the event's lock is held)."""
    stored = (
        {}
        if new
        else {
            answer.question_id: answer
            for answer in db.session.execute(
                sa.select(Answer).where(Answer.registration_id == registration.id)
            ).scalars()
        }
    )
    for question_id, value in values.items():
        answer = stored.get(question_id)
        if not value:
            if answer is not None:
                db.session.delete(answer)
        elif answer is None:
            db.session.add(
                Answer(question_id=question_id, registration_id=registration.id, value=value)
            )
        else:
            answer.value = value
    db.session.flush()


def change_answers(
    registration: Registration, sheet: AnswerSheet, now: datetime | None = None
) -> None:
    """A participant's new answers; refused once registration has closed."""
    if not registration.status.is_active:
        raise QuestionError(_("Your registration is cancelled."))
    if not may_change_answers(registration.event, now):
        raise QuestionError(_("Registration has closed: your answers can no longer be changed."))
    if not sheet.valid:
        raise QuestionError(_("Some answers need another look."))
    save_answers(registration, sheet.values)


# --- the participant list ----------------------------------------------------------------


def participant_list_visible(event_id: int) -> bool:
    setting = db.session.get(ParticipantListSetting, event_id)
    return setting is not None and setting.visible


def set_participant_list_visible(event_id: int, visible: bool) -> None:
    setting = db.session.get(ParticipantListSetting, event_id)
    if setting is None:
        setting = ParticipantListSetting(event_id=event_id)
        db.session.add(setting)
    setting.visible = visible
    db.session.flush()


def is_listed(registration_id: int) -> bool:
    return db.session.get(ParticipantListing, registration_id) is not None


def set_listed(registration: Registration, listed: bool, *, new: bool = False) -> None:
    """Whether the person appears on the event's participant list (their choice).

    ``new``: the registration was just made and is on no list yet (nothing is read)."""
    listing = None if new else db.session.get(ParticipantListing, registration.id)
    if listed and listing is None:
        db.session.add(ParticipantListing(registration_id=registration.id))
    elif not listed and listing is not None:
        db.session.delete(listing)
    db.session.flush()


@dataclass
class ListedPerson:
    name: str
    role: str


@dataclass
class CityGroup:
    city: str
    people: list[ListedPerson]


def participant_list(event: Event) -> list[CityGroup]:
    """Confirmed participants who agreed to appear, grouped by city (no city last)."""
    rows = db.session.execute(
        sa.select(Registration)
        .join(ParticipantListing, ParticipantListing.registration_id == Registration.id)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.confirmed,
        )
    ).scalars()
    groups: dict[str, list[ListedPerson]] = defaultdict(list)
    for registration in rows:
        city = registration.city.name if registration.city else ""
        role = registration.participant_role.label if registration.participant_role else ""
        groups[city].append(ListedPerson(registration.user.name, role))
    return [
        CityGroup(city or _("No city given"), sorted(people, key=lambda person: person.name))
        for city, people in sorted(groups.items(), key=lambda item: (not item[0], item[0]))
    ]


# --- what coordinators see ---------------------------------------------------------------


@dataclass
class ChoiceCount:
    choice: str
    count: int


@dataclass
class QuestionSummary:
    question: Question
    counts: list[ChoiceCount]
    answered: int


def answers_by_registration(event: Event) -> dict[int, dict[int, str]]:
    """For each registration of the event: question id -> stored answer."""
    rows = db.session.execute(
        sa.select(Answer.registration_id, Answer.question_id, Answer.value)
        .join(Registration, Registration.id == Answer.registration_id)
        .where(Registration.event_id == event.id)
    )
    table: dict[int, dict[int, str]] = defaultdict(dict)
    for registration_id, question_id, value in rows:
        table[registration_id][question_id] = value
    return table


def listed_registrations(event: Event) -> set[int]:
    return set(
        db.session.execute(
            sa.select(ParticipantListing.registration_id)
            .join(Registration, Registration.id == ParticipantListing.registration_id)
            .where(Registration.event_id == event.id)
        ).scalars()
    )


def answer_summaries(event: Event) -> list[QuestionSummary]:
    """Per registration question: how many of the active registrations answered, and
    how many chose each option."""
    active = set(
        db.session.execute(
            sa.select(Registration.id).where(
                Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES)
            )
        ).scalars()
    )
    table = answers_by_registration(event)
    given = [answers for registration_id, answers in table.items() if registration_id in active]
    return summarise(questions_for(event), given)


def summarise(
    questions: list[Question], answer_sets: list[dict[int, str]]
) -> list[QuestionSummary]:
    """Per question: how many answered, and for choices and yes/no how often each option
    was chosen (options no longer offered, but answered before, at the end)."""
    summaries = []
    for question in questions:
        given = [answers[question.id] for answers in answer_sets if question.id in answers]
        counter: Counter[str] = Counter()
        for value in given:
            counter.update(value.split("\n"))
        if question.kind.has_choices:
            options = question.choice_list
        elif question.kind is QuestionKind.yes_no:
            options = ["yes", "no"]
        else:
            options = []
        extra = sorted(set(counter) - set(options)) if options else []
        summaries.append(
            QuestionSummary(
                question,
                [ChoiceCount(option, counter[option]) for option in [*options, *extra]],
                len(given),
            )
        )
    return summaries


def answer_text(question: Question, value: str | None) -> str:
    """An answer as a person reads it (several choices separated by semicolons)."""
    if not value:
        return ""
    if question.kind is QuestionKind.several_choices:
        return "; ".join(value.split("\n"))
    return value


def answer_columns(event: Event) -> tuple[list[Question], dict[int, dict[int, str]]]:
    """The questions (one export column each) and the answers per registration."""
    return questions_for(event), answers_by_registration(event)
