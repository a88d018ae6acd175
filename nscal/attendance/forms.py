"""Forms of attendance: a coordinator's mark, "mark all", a new code, the check-in code."""

from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from nscal.attendance.models import AttendanceStatus
from nscal.formfields import Form

CLEAR = "clear"


class MarkForm(Form):
    # One button per choice (``name="attendance"``): one click marks the row.
    attendance = SelectField(
        "Attendance",
        choices=[SelectChoice(status.value, status.label) for status in AttendanceStatus]
        + [SelectChoice(CLEAR, "Not marked")],
    )

    def status(self) -> AttendanceStatus | None:
        return None if self.attendance.data == CLEAR else AttendanceStatus(self.attendance.data)


class MarkAllForm(Form):
    submit = SubmitField("Yes, mark them attended")


class NewCodeForm(Form):
    submit = SubmitField("Make a check-in code")


class CheckInForm(Form):
    code = StringField(
        "Check-in code",
        validators=[InputRequired("Type the check-in code."), Length(max=20)],
        description="The six letters and digits shown at the venue or in the online meeting.",
    )
    submit = SubmitField("Check in")
