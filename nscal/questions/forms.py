"""Forms for managing questions, answering them, and the participant list.

The answers themselves are read by ``sent_answers`` from fields named ``q_<id>``: the
questions differ per event and role, and ``nscal.questions.services.read_answers``
checks them.
"""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from nscal.formfields import Form, IdSelectMultipleField
from nscal.questions.models import Question, QuestionKind
from nscal.questions.services import MAX_HELP, MAX_LABEL, QuestionData


def field_name(question: Question) -> str:
    return f"q_{question.id}"


def sent_answers(questions: list[Question], formdata) -> dict[int, list[str]]:
    """What a form sent for each question, by question id."""
    return {question.id: formdata.getlist(field_name(question)) for question in questions}


class QuestionForm(Form):
    label = StringField(_l("Question"), validators=[InputRequired(), Length(max=MAX_LABEL)])
    kind = SelectField(
        _l("Type of answer"),
        choices=[SelectChoice(kind.value, kind.label) for kind in QuestionKind],
        default=QuestionKind.short_text.value,
    )
    choices = TextAreaField(
        _l("Options"),
        validators=[Optional(), Length(max=8000)],
        description=_l("For one choice or several choices: one option per line."),
    )
    help_text = StringField(
        _l("Help text"),
        validators=[Optional(), Length(max=MAX_HELP)],
        description=_l("Optional."),
    )
    required = BooleanField(_l("An answer is required"))
    roles = IdSelectMultipleField(
        _l("Ask only people in these participant roles"),
        description=_l("Choose none to ask everyone."),
    )
    submit = SubmitField(_l("Save the question"))

    def fill(self, question: Question) -> None:
        self.label.data = question.label
        self.kind.data = question.kind.value
        self.choices.data = question.choices
        self.help_text.data = question.help_text
        self.required.data = question.required
        self.roles.data = [role.id for role in question.roles]

    def question_data(self) -> QuestionData:
        return QuestionData(
            kind=QuestionKind(self.kind.data),
            label=self.label.data or "",
            help_text=self.help_text.data or "",
            required=bool(self.required.data),
            choices=(self.choices.data or "").split("\n"),
            role_ids=list(self.roles.data or []),
        )


class CopyQuestionsForm(Form):
    source = SelectField(_l("Copy the questions of"), validators=[InputRequired()])
    submit = SubmitField(_l("Copy the questions"))


class MoveQuestionForm(Form):
    direction = SelectField(
        _l("Direction"),
        choices=[SelectChoice("up", _l("Up")), SelectChoice("down", _l("Down"))],
    )


class DeleteQuestionForm(Form):
    submit = SubmitField(_l("Delete the question and its answers"))


class ParticipantListSettingForm(Form):
    visible = BooleanField(_l("Confirmed participants may see the participant list"))
    submit = SubmitField(_l("Save"))


class ListingForm(Form):
    listed = BooleanField(_l("Show me on the participant list"))
    submit = SubmitField(_l("Save my choice"))


class ChangeAnswersForm(Form):
    submit = SubmitField(_l("Save my answers"))


class SendSurveyForm(Form):
    anonymous = BooleanField(
        _l("Anonymous answers"),
        default=True,
        description=_l(
            "The answers are stored without the person's name. Fixed once the first mail is sent."
        ),
    )
    submit = SubmitField(_l("Send the survey"))


class FeedbackForm(Form):
    submit = SubmitField(_l("Send my feedback"))
