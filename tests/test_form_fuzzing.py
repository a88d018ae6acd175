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
import nscal.events.forms
import nscal.imports.forms
import nscal.registrations.forms
from nscal.accounts.models import AccountRole, User
from nscal.accounts.services import create_user
from nscal.cities.models import ParticipantRole
from nscal.db import db
from nscal.events.models import Event
from nscal.formfields import Form
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


def _field_names() -> set[str]:
    """The fields of every form of the app (with the on-behalf form's prefix)."""
    names: set[str] = set()
    for module in (
        nscal.accounts.forms,
        nscal.events.forms,
        nscal.imports.forms,
        nscal.registrations.forms,
    ):
        for _, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, Form):
                names |= {name for name, value in vars_of(form) if isinstance(value, UnboundField)}
    # The roster page's two forms have prefixes; the settings one a field per role.
    names |= {f"behalf-{name}" for name in ("user", "note")}
    settings_fields = {
        name
        for name, value in vars_of(nscal.registrations.forms.RegistrationSettingsForm)
        if isinstance(value, UnboundField)
    }
    names |= {f"settings-{name}" for name in settings_fields}
    names |= {f"settings-quota_{role_id}" for role_id in range(1, 8)}
    return names - {"csrf_token", "submit", "file"}


def vars_of(form: type) -> list[tuple[str, object]]:
    return [(name, getattr(form, name)) for name in dir(form) if not name.startswith("__")]


def _csv_file(values: dict[str, str]) -> str:
    columns = ["title", "starts", "ends", "timezone", "capacity", "description", "kind"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerow([values.get(column, VALID.get(column, "")) for column in columns])
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

    def url(self, rule) -> str:
        arguments = {}
        for name in rule.arguments:
            if name == "event_id":
                arguments[name] = self.event().id
            elif name == "registration_id":
                arguments[name] = self.registration().id
            elif name == "user_id":
                arguments[name] = self.member().id
            elif name == "year":
                arguments[name] = 2027
            elif name == "token":
                arguments[name] = "not-a-valid-token"
        return rule.build(arguments, append_unknown=False)[1]


def post_rules(app) -> list:
    rules = [rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())]
    return sorted(rules, key=lambda rule: (rule.endpoint in LAST, rule.endpoint))


@pytest.fixture
def world(network, make_event):
    return World(make_event)


def test_no_form_answers_with_a_server_error(app, client, world):
    names = sorted(_field_names())
    changes = st.dictionaries(st.sampled_from(names), TEXT, max_size=8)
    session = {"token": None}

    def log_in() -> str:
        with client.session_transaction() as cookie:
            logged_in = cookie.get("_user_id") is not None
        if not logged_in:
            session["token"] = None
            answer = client.post(
                "/auth/login",
                data={
                    "email": ADMIN,
                    "password": PASSWORD,
                    "csrf_token": csrf_token_from(client.get("/auth/login")),
                },
            )
            assert answer.status_code == 302, answer.text
        if session["token"] is None:
            session["token"] = csrf_token_from(client.get("/account"))
        return session["token"]

    cases = 0

    def fuzz(rule):
        @settings(
            max_examples=EXAMPLES_PER_ROUTE,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(changes=changes, as_ics=st.booleans())
        def send(changes, as_ics):
            nonlocal cases
            cases += 1
            token = log_in()
            url = world.url(rule)
            data = {**VALID, **changes, "csrf_token": token}
            if rule.endpoint == "imports.preview":
                text = _ics_file(changes) if as_ics else _csv_file(changes)
                name = "fuzz.ics" if as_ics else "fuzz.csv"
                data["file"] = (io.BytesIO(text.encode()), name)
            if rule.endpoint in LAST:
                session["token"] = None
            response = client.post(url, data=data)
            assert response.status_code < 500, f"POST {url} {data!r}"
            # The database answers after whatever the request did.
            db.session.rollback()
            assert db.session.execute(sa.select(sa.func.count(ParticipantRole.id))).scalar()

        return send

    for rule in post_rules(app):
        fuzz(rule)()
    assert db.session.get(User, world.admin_id) is not None
    assert client.get("/events/").status_code == 200
    print(f"{cases} generated requests to {len(post_rules(app))} routes")  # noqa: T201
    assert cases >= len(post_rules(app)) * 10
