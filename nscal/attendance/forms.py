"""Forms of attendance: a coordinator's mark, "mark all", a new code, the check-in code."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from nscal.attendance.models import AttendanceStatus
from nscal.formfields import Form

CLEAR = "clear"


class MarkForm(Form):
    # One button per choice (``name="attendance"``): one click marks the row.
    attendance = SelectField(
        _l("Attendance"),
        choices=[SelectChoice(status.value, status.label) for status in AttendanceStatus]
        + [SelectChoice(CLEAR, _l("Not marked"))],
    )

    def status(self) -> AttendanceStatus | None:
        return None if self.attendance.data == CLEAR else AttendanceStatus(self.attendance.data)


class MarkAllForm(Form):
    submit = SubmitField(_l("Yes, mark them attended"))


class NewCodeForm(Form):
    submit = SubmitField(_l("Make a check-in code"))


class CheckInForm(Form):
    code = StringField(
        _l("Check-in code"),
        validators=[InputRequired(_l("Type the check-in code.")), Length(max=20)],
        description=_l("The six letters and digits shown at the venue or in the online meeting."),
    )
    submit = SubmitField(_l("Check in"))
