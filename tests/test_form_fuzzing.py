"""No form answers with a server error, whatever is typed into it.

Every route that takes a POST is sent generated values (control characters and NUL,
huge and negative numbers, years 1 and 9999, spreadsheet formulas, very long text)
by an administrator, who may use every form. The server may refuse; it never fails,
and the database stays usable after.
"""

import csv
import inspect
import io
import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

import nscal.accounts.forms
import nscal.attendance.forms
import nscal.events.forms
import nscal.imports.forms
import nscal.materials.forms
import nscal.messaging.forms
import nscal.people.forms
import nscal.programme.forms
import nscal.questions.forms
import nscal.registrations.forms
import nscal.reminders.forms
from nscal.accounts.models import AccountRole, User
from nscal.accounts.services import create_user
from nscal.cities.models import ParticipantRole
from nscal.db import db
from nscal.events.models import Event
from nscal.formfields import Form
from nscal.materials.models import Material, MaterialKind, MaterialVisibility
from nscal.questions.models import Question, QuestionKind
from nscal.questions.services import Owner, QuestionData, add_question
from nscal.registrations.models import Registration, RegistrationStatus
from tests.conftest import PASSWORD, csrf_token_from

EXAMPLES_PER_ROUTE = 30
ADMIN = "admin@example.org"
# Logging in and out last: they would end the administrator's session.
LAST = ("auth.logout", "auth.login")

AWKWARD = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "2147483647",
    "2147483648",
    "99999999999999999999",
    "-99999999999999999999",
    "1e400",
    "=cmd|' /C calc'!A0",
    "+SUM(A1:A9)",
    "0001-01-01",
    "9999-12-31",
    "1969-12-31",
    "2200-01-01",
    "2027-03-28",
    "2027-02-30",
    "02:30",
    "25:61",
    "Europe/Copenhagen",
    "Not/AZone",
    "FREQ=DAILY;COUNT=99999999",
    "FREQ=SECONDLY",
    "FREQ=WEEKLY;UNTIL=99991231T000000Z",
    "custom",
    "weekly",
    "series",
    "waitlisted",
    "admin",
    "title\r\nBcc: everyone@example.org",
    "a\x00b",
    "\x00",
    "x" * 5000,
    "https://example.org/\x00",
]
# Each is sent in every field of every form, besides the generated examples.
CRITICAL = [
    "99999999999999999999",
    "-99999999999999999999",
    "Title\r\nBcc: everyone@example.org\x00",
    "0001-01-01",
    "9999-12-31",
    "x" * 5000,
]
TEXT = st.one_of(
    st.sampled_from(AWKWARD),
    # Any character but surrogates, which no browser can send as UTF-8.
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.integers().map(str),
)
VALID = {
    "title": "Board meeting",
    "kind": "city-meeting",
    "city": "0",
    "participant_role": "0",
    "format": "online",
    "host_city": "0",
    "timezone": "Europe/Copenhagen",
    "start_date": "2027-05-05",
    "start_time": "10:00",
    "end_time": "11:30",
    "visibility": "public",
    "scope": "occurrence",
    "reason": "Snow",
    "name": "Aino Virtanen",
    "email": "new.person@example.org",
    "account_role": "member",
    "status": "confirmed",
    "capacity": "10",
    "note": "Vegetarian",
}


CSV_COLUMNS = ("title", "starts", "ends", "timezone", "capacity", "description", "kind")
CSV_ROW = {
    "title": "Board",
    "starts": "2027-05-05 10:00",
    "ends": "11:30",
    "timezone": "Europe/Oslo",
}


def _fields(form: type, prefix: str = "") -> set[str]:
    return {
        f"{prefix}{name}"
        for name, value in vars_of(form)
        if isinstance(value, UnboundField) and name not in {"csrf_token", "submit", "file"}
    }


def all_field_names() -> set[str]:
    """The fields of every form of the app."""
    names: set[str] = set()
    for module in (
        nscal.accounts.forms,
        nscal.attendance.forms,
        nscal.events.forms,
        nscal.imports.forms,
        nscal.messaging.forms,
        nscal.people.forms,
        nscal.programme.forms,
        nscal.materials.forms,
        nscal.registrations.forms,
        nscal.reminders.forms,
        nscal.questions.forms,
    ):
        for _, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, Form):
                names |= _fields(form)
    return names


def fields_of(endpoint: str) -> list[str]:
    """The names a route's form reads (every form's, for routes without one of their own)."""
    forms = nscal.events.forms, nscal.accounts.forms, nscal.registrations.forms
    events, accounts, registrations = forms
    questions = nscal.questions.forms
    # The answers' fields are named after the questions' ids (World makes the first ones).
    answers = {f"q_{question_id}" for question_id in range(1, len(QuestionKind) + 3)}
    settings_fields = _fields(registrations.RegistrationSettingsForm, "settings-") | {
        f"settings-quota_{role_id}" for role_id in range(1, 8)
    }
    known = {
        # The event form with the registration settings (prefix settings-, a quota per role).
        "manage_events.new_event": _fields(events.EventForm) | settings_fields,
        "manage_events.edit_event": _fields(events.EventForm) | settings_fields,
        "manage_events.cancel": _fields(events.CancelEventForm),
        "manage_events.publish_selected": _fields(events.PublishSelectedForm),
        "manage_events.publish": _fields(events.ConfirmPublishForm),
        "manage_events.unpublish": _fields(events.ConfirmPublishForm),
        "manage_events.accept": _fields(events.AcceptConflictForm),
        "registrations.cancel": {"next"},
        "people.toggle_active": {"active"},
        "account.profile": _fields(accounts.ProfileForm),
        "account.password": _fields(accounts.ChangePasswordForm),
        "zone.choose": _fields(accounts.ZoneForm),
        "auth.login": _fields(accounts.LoginForm),
        "auth.accept_invitation": _fields(accounts.NewPasswordForm),
        "people.invite": _fields(accounts.InviteForm),
        "people.change_role": _fields(accounts.AccountRoleForm),
        "people.edit_user": _fields(accounts.UserEditForm),
        "data_rights.delete_own": _fields(nscal.people.forms.DeleteOwnAccountForm),
        "data_rights.delete_for": _fields(nscal.people.forms.DeleteForPersonForm),
        "registrations.register": _fields(registrations.RegisterForm) | answers | {"listed"},
        "registrations.move": _fields(registrations.StatusForm),
        # The settings moved to the event form; an old page's POST is sent there.
        "registrations.roster": settings_fields,
        "registrations.register_on_behalf": _fields(registrations.OnBehalfForm, "behalf-"),
        "questions.manage": _fields(questions.QuestionForm, "new-") | {"ask_at"},
        "questions.edit": _fields(questions.QuestionForm),
        "questions.copy": _fields(questions.CopyQuestionsForm, "copy-") | {"ask_at"},
        "questions.move": _fields(questions.MoveQuestionForm),
        "questions.participant_list_setting": {"plist-visible"},
        "questions.my_listing": {"listing-listed", "back"},
        "questions.my_answers": answers,
        "questions.feedback_manage": _fields(questions.QuestionForm, "new-"),
        "questions.feedback_send": _fields(questions.SendSurveyForm),
        "questions.feedback": answers,
        "imports.preview": {*CSV_COLUMNS, "publish"},
        "imports.confirm": {"payload"},
        "reminders.event_reminders": _fields(nscal.reminders.forms.EventRemindersForm),
        "reminders.series_reminders_view": _fields(
            nscal.reminders.forms.EventRemindersForm, "series-"
        ),
        "reminders.defaults": _fields(nscal.reminders.forms.DefaultRemindersForm),
        "reminders.feed_alarm": _fields(nscal.reminders.forms.FeedAlarmForm),
        "messaging.write_to_event": _fields(nscal.messaging.forms.ComposeForm),
        "messaging.write_to_series": _fields(nscal.messaging.forms.ComposeForm),
        "messaging.edit": _fields(nscal.messaging.forms.ComposeForm),
        "programme.manage": _fields(nscal.programme.forms.ItemForm),
        "programme.move": _fields(nscal.programme.forms.ItemActionForm),
        "programme.delete": _fields(nscal.programme.forms.ItemActionForm),
        "programme.copy": _fields(nscal.programme.forms.CopyProgrammeForm),
        "attendance.mark": _fields(nscal.attendance.forms.MarkForm),
        "attendance.check_in_typed": _fields(nscal.attendance.forms.CheckInForm),
        "materials.upload": _fields(nscal.materials.forms.UploadForm),
        "materials.add_link_view": _fields(nscal.materials.forms.LinkForm, "link-"),
        "materials.visibility": _fields(nscal.materials.forms.VisibilityForm),
    }
    return sorted(known.get(endpoint) or all_field_names())


def has_form(endpoint: str) -> bool:
    return set(fields_of(endpoint)) != all_field_names()


def vars_of(form: type) -> list[tuple[str, object]]:
    return [(name, getattr(form, name)) for name in dir(form) if not name.startswith("__")]


def _csv_file(values: dict[str, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerow([values.get(column, CSV_ROW.get(column, "")) for column in CSV_COLUMNS])
    return out.getvalue()


def _ics_file(values: dict[str, str]) -> str:
    start = re.sub(r"[^0-9]", "", values.get("starts", "")) or "20270505"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//fuzz//EN",
        "BEGIN:VEVENT",
        "UID:fuzz@example.org",
        f"DTSTART;VALUE=DATE:{start[:8]}",
        f"SUMMARY:{values.get('title', '')}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines)


class World:
    """The rows the routes act on; recreated when a generated request removed them."""

    def __init__(self, make_event):
        self.make_event = make_event
        self.admin_id = create_user(
            email=ADMIN, name="Admin", account_role=AccountRole.admin, password=PASSWORD
        ).id
        db.session.commit()

    def member(self) -> User:
        member = db.session.execute(
            sa.select(User).where(User.email == "member@example.org")
        ).scalar_one_or_none()
        if member is None:
            member = create_user(email="member@example.org", name="Member")
            db.session.commit()
        return member

    def event(self) -> Event:
        event = db.session.execute(
            sa.select(Event).order_by(Event.id.desc()).limit(1)
        ).scalar_one_or_none()
        if event is None:
            event = self.make_event(
                "Fuzzed meeting",
                start=datetime(2027, 5, 5, 10, 0),  # noqa: DTZ001 - wall clock
                end=datetime(2027, 5, 5, 11, 30),  # noqa: DTZ001
            )
        return event

    def registration(self) -> Registration:
        registration = db.session.execute(sa.select(Registration).limit(1)).scalar_one_or_none()
        if registration is None:
            # Directly: the generated requests may have closed or filled the event.
            registration = Registration(
                event_id=self.event().id,
                user_id=self.member().id,
                status=RegistrationStatus.confirmed,
            )
            db.session.add(registration)
            db.session.commit()
        return registration

    def message(self):
        from nscal.messaging.models import MessageStatus, ParticipantMessage
        from nscal.messaging.services import Selection, save_draft

        message = db.session.execute(
            sa.select(ParticipantMessage)
            .where(ParticipantMessage.status == MessageStatus.draft)
            .limit(1)
        ).scalar_one_or_none()
        if message is None:
            message = save_draft(
                sender=db.session.get(User, self.admin_id),
                subject="Fuzzed message",
                text="Hello",
                selection=Selection(),
                event_id=self.event().id,
            )
            db.session.commit()
        return message

    def material(self) -> Material:
        event = self.event()
        material = db.session.execute(
            sa.select(Material).where(Material.event_id == event.id).limit(1)
        ).scalar_one_or_none()
        if material is None:
            material = Material(
                event_id=event.id,
                title="Fuzzed minutes",
                kind=MaterialKind.minutes,
                visibility=MaterialVisibility.participants,
                url="https://example.org/minutes",
            )
            db.session.add(material)
            db.session.commit()
        return material

    def question(self) -> Question:
        """A question of the fuzzed event; the event asks one of each kind."""
        event = self.event()
        question = db.session.execute(
            sa.select(Question).where(Question.event_id == event.id).limit(1)
        ).scalar_one_or_none()
        if question is None:
            for kind in QuestionKind:
                question = add_question(
                    Owner("event", event.id),
                    QuestionData(kind, f"A {kind.label}?", required=True, choices=["A", "B"]),
                )
            db.session.commit()
        return question

    def admin_registration(self) -> None:
        """The administrator's own place at the event, so their answers pages open."""
        event = self.event()
        exists = db.session.execute(
            sa.select(Registration).where(
                Registration.event_id == event.id,
                Registration.user_id == self.admin_id,
                Registration.status == RegistrationStatus.confirmed,
            )
        ).first()
        if exists is None:
            db.session.add(
                Registration(
                    event_id=event.id, user_id=self.admin_id, status=RegistrationStatus.confirmed
                )
            )
            db.session.commit()

    def url(self, rule) -> str:
        arguments = {}
        self.question()
        if rule.endpoint.startswith("questions.my_"):
            self.admin_registration()
        for name in rule.arguments:
            if name == "event_id":
                arguments[name] = self.event().id
            elif name == "material_id":
                material = self.material()
                arguments[name], arguments["event_id"] = material.id, material.event_id
            elif name == "question_id":
                arguments[name] = self.question().id
            elif name == "registration_id":
                arguments[name] = self.registration().id
            elif name == "user_id":
                arguments[name] = self.member().id
            elif name == "year":
                arguments[name] = 2027
            elif name == "token":
                arguments[name] = "not-a-valid-token"
            elif name == "name":  # a single sign-on provider (none is configured here)
                arguments[name] = "no-such-provider"
            elif name == "message_id":
                arguments[name] = self.message().id
            elif name == "series_id":
                arguments[name] = 1
        return rule.build(arguments, append_unknown=False)[1]


def post_rules(app) -> list:
    rules = [rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())]
    return sorted(rules, key=lambda rule: (rule.endpoint in LAST, rule.endpoint))


@pytest.fixture
def world(network, make_event):
    return World(make_event)


class Sender:
    """Posts to a route as the logged-in administrator, with a valid CSRF token."""

    def __init__(self, client, world):
        self.client, self.world = client, world
        self.token: str | None = None
        self.count = 0

    def log_in(self) -> str:
        with self.client.session_transaction() as cookie:
            logged_in = cookie.get("_user_id") is not None
        if not logged_in:
            self.token = None
            answer = self.client.post(
                "/auth/login",
                data={
                    "email": ADMIN,
                    "password": PASSWORD,
                    "csrf_token": csrf_token_from(self.client.get("/auth/login")),
                },
            )
            assert answer.status_code == 302, answer.text
        if self.token is None:
            self.token = csrf_token_from(self.client.get("/account"))
        return self.token

    def send(self, rule, changes: dict[str, str], *, as_ics: bool = False) -> None:
        """Post ``changes`` over valid values; never a server error, the database usable."""
        self.count += 1
        token = self.log_in()
        url = self.world.url(rule)
        data = {**VALID, **changes, "csrf_token": token}
        if rule.endpoint == "imports.preview":
            text = _ics_file(changes) if as_ics else _csv_file(changes)
            name = "fuzz.ics" if as_ics else "fuzz.csv"
            data["file"] = (io.BytesIO(text.encode()), name)
        if rule.endpoint == "materials.upload":
            # The generated values as the file's content: the type is read from it.
            content = "\n".join(changes.values()).encode("utf-8", "surrogatepass")
            data["file"] = (io.BytesIO(content or b"notes"), changes.get("title") or "fuzz.txt")
        if rule.endpoint in LAST:
            self.token = None
        response = self.client.post(url, data=data)
        assert response.status_code < 500, f"POST {url} {data!r}"
        db.session.rollback()
        assert db.session.execute(sa.select(sa.func.count(ParticipantRole.id))).scalar()


@pytest.fixture
def sender(client, world):
    return Sender(client, world)


def _after(app, client, sender, world) -> None:
    assert db.session.get(User, world.admin_id) is not None
    assert client.get("/events/").status_code == 200
    assert sender.count >= len(post_rules(app))


def _generated(sender: Sender, rule):
    """A property of one route: generated values in its form's fields never fail it."""
    changes = st.dictionaries(st.sampled_from(fields_of(rule.endpoint)), TEXT, max_size=6)

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(changes=changes, as_ics=st.booleans())
    def send(changes, as_ics):
        sender.send(rule, changes, as_ics=as_ics)

    return send


def test_no_form_answers_generated_input_with_a_server_error(app, client, sender, world):
    for rule in post_rules(app):
        _generated(sender, rule)()
    _after(app, client, sender, world)
    print(f"{sender.count} generated requests to {len(post_rules(app))} routes")  # noqa: T201


@pytest.mark.parametrize("value", CRITICAL)
def test_no_field_of_any_form_fails_on_a_critical_value(app, client, sender, world, value):
    for rule in post_rules(app):
        if not has_form(rule.endpoint):  # a button: every name at once is enough
            sender.send(rule, dict.fromkeys(fields_of(rule.endpoint), value))
            continue
        for name in fields_of(rule.endpoint):
            sender.send(rule, {name: value}, as_ics=name == "starts")
    _after(app, client, sender, world)
    print(f"{sender.count} requests with {value[:20]!r}")  # noqa: T201
