"""Fixtures for messages to participants: a logged-in coordinator, people in several
cities and roles registered with several statuses, and the page steps."""

import io
import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from nscal.accounts.models import AccountRole
from nscal.cities.models import City, ParticipantRole
from nscal.db import db
from nscal.events.models import EventFormat
from nscal.messaging.models import ParticipantMessage
from nscal.registrations.models import Registration, RegistrationStatus
from tests.conftest import csrf_token_from
from tests.mail.conftest import smtp, smtp_server  # noqa: F401 - the real SMTP server

START = datetime(2099, 3, 10, 10, 0)  # noqa: DTZ001 - wall-clock in the event's zone
END = datetime(2099, 3, 10, 11, 30)  # noqa: DTZ001
ONLINE_URL = "https://meet.example.org/prevention-call"


def one(model, slug):
    return db.session.execute(sa.select(model).where(model.slug == slug)).scalar_one()


def register(event, user, status=RegistrationStatus.confirmed, *, role=None, city=None):
    """A registration as the person made it, with their role and city at the time."""
    registration = Registration(
        event_id=event.id,
        user_id=user.id,
        status=status,
        participant_role_id=(one(ParticipantRole, role).id if role else user.participant_role_id),
        city_id=(one(City, city).id if city else user.city_id),
    )
    db.session.add(registration)
    db.session.commit()
    return registration


@pytest.fixture
def coordinator(network, make_user, auth):
    user = make_user(
        "cora@example.org",
        name="Cora Coordinator",
        account_role=AccountRole.coordinator,
        city="copenhagen",
    )
    auth.login("cora@example.org")
    return user


@pytest.fixture
def meeting(network, make_event):
    return make_event(
        "Prevention coordinators' call",
        start=START,
        end=END,
        format=EventFormat.hybrid,
        host_city="oslo",
        venue="City Hall, room 2",
        online_url=ONLINE_URL,
        timezone="Europe/Oslo",
    )


@pytest.fixture
def people(network, make_user, meeting):
    """Five people registered for the meeting, in different statuses, roles and cities."""
    specs = [
        ("aino@example.org", "Aino Virtanen", "helsinki", "practitioner", "confirmed"),
        ("bjorn@example.org", "Björn Larsson", "malmo", "mayor", "confirmed"),
        ("kari@example.org", "Kari Nordmann", "oslo", "practitioner", "waitlisted"),
        ("nivi@example.org", "Nivi Olsen", "nuuk", "leader", "pending"),
        ("gone@example.org", "Gunnar Gone", "bergen", "practitioner", "cancelled"),
    ]
    made = {}
    for email, name, city, role, status in specs:
        # They read English, whatever their city's language (tests/i18n covers that).
        user = make_user(email, name=name, city=city, participant_role=role, language="en")
        register(meeting, user, RegistrationStatus(status))
        made[email.split("@")[0]] = user
    return made


def message_ids() -> list[int]:
    db.session.commit()
    return list(
        db.session.scalars(sa.select(ParticipantMessage.id).order_by(ParticipantMessage.id))
    )


class Writer:
    """A coordinator's steps through the pages: write, preview, send."""

    def __init__(self, client):
        self.client = client

    def write(
        self,
        path,
        *,
        subject="The agenda",
        text="Dear all,\n\nsee you soon.",
        statuses=("confirmed",),
        roles=(),
        cities=(),
        attachment=None,
        **extra,
    ):
        token = csrf_token_from(self.client.get(path))
        data = {
            "csrf_token": token,
            "subject": subject,
            "text": text,
            "statuses": list(statuses),
            "roles": [str(one(ParticipantRole, slug).id) for slug in roles],
            "cities": [str(one(City, slug).id) for slug in cities],
            **extra,
        }
        if attachment is not None:
            name, content = attachment
            data["attachment"] = (io.BytesIO(content), name)
        return self.client.post(path, data=data, content_type="multipart/form-data")

    def write_to_event(self, event, **fields):
        response = self.write(f"/manage/events/{event.id}/messages/new", **fields)
        return response

    def preview_path(self, response) -> str:
        assert response.status_code == 302, response.text
        path = response.headers["Location"]
        assert re.fullmatch(r"/manage/messages/\d+/preview", path), path
        return path

    def send(self, preview_path: str):
        page = self.client.get(preview_path)
        token = csrf_token_from(page)
        return self.client.post(
            preview_path.replace("/preview", "/send"), data={"csrf_token": token}
        )


@pytest.fixture
def writer(client):
    return Writer(client)


@pytest.fixture
def clock():
    """The app's clock, set back after the test."""
    from nscal.db import clock as app_clock

    yield app_clock
    app_clock.reset()
