"""Fixtures for materials: an event, the four kinds of viewer, files of every kind,
and a coordinator who uploads through the page."""

import io
import zipfile
from dataclasses import dataclass

import pytest
from flask import g
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from nscal.accounts.models import AccountRole
from nscal.db import db
from nscal.registrations.models import Registration, RegistrationStatus
from tests.conftest import PASSWORD, csrf_token_from

# A one-page PDF, as small as a real one gets.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7"
    b"5\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_BYTES = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


def office_file(main_part: str) -> bytes:
    """A minimal Office Open XML package whose main part is ``main_part``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main_part, "<document/>")
    return out.getvalue()


def odf_file(mimetype: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        package.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


class OwnClient(FlaskClient):
    """A test client that is one person: the tests' app context outlives requests, and
    Flask-Login keeps the signed-in person on ``g`` (and Flask-WTF the CSRF token), so
    each request forgets the last one's."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        return super().open(*args, **kwargs)


def own_client(app) -> OwnClient:
    return OwnClient(app, app.response_class, use_cookies=True)


def logged_in(app, email: str):
    """A test client of its own (its own cookies), logged in as ``email``."""
    client = own_client(app)
    token = csrf_token_from(client.get("/auth/login"))
    answer = client.post(
        "/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302, answer.text
    return client


@dataclass
class Viewers:
    visitor: object
    member: object
    participant: object
    coordinator: object

    def __getitem__(self, name: str):
        return getattr(self, name)


@pytest.fixture
def event(network, make_event):
    return make_event("Malmö city meeting", host_city="malmo")


@pytest.fixture
def people(app, make_user, event):
    """Accounts around ``event``: a member, a confirmed participant, one on the waiting
    list, one who cancelled, and a coordinator."""
    users = {
        "member": make_user("member@example.org", name="Mia Member"),
        "participant": make_user("participant@example.org", name="Pia Participant"),
        "waiting": make_user("waiting@example.org", name="Walt Waiting"),
        "cancelled": make_user("cancelled@example.org", name="Cal Cancelled"),
        "coordinator": make_user(
            "coordinator@example.org", name="Cora Coordinator", account_role=AccountRole.coordinator
        ),
    }
    for name, status in (
        ("participant", RegistrationStatus.confirmed),
        ("waiting", RegistrationStatus.waitlisted),
        ("cancelled", RegistrationStatus.cancelled),
    ):
        order = 1 if status is RegistrationStatus.waitlisted else None
        db.session.add(
            Registration(
                event_id=event.id, user_id=users[name].id, status=status, waitlist_order=order
            )
        )
    db.session.commit()
    return users


@pytest.fixture
def viewers(app, people) -> Viewers:
    return Viewers(
        visitor=own_client(app),
        member=logged_in(app, "member@example.org"),
        participant=logged_in(app, "participant@example.org"),
        coordinator=logged_in(app, "coordinator@example.org"),
    )


class Coordinator:
    """The coordinators' materials page, driven as a coordinator would."""

    def __init__(self, client, event):
        self.client, self.event = client, event
        self.page = f"/manage/events/{event.id}/materials"

    def token(self) -> str:
        return csrf_token_from(self.client.get(self.page))

    def upload(
        self, data: bytes, filename: str, *, title="", kind="slides", visibility="public", item=""
    ):
        # Encoded in memory: werkzeug's test client spools a large body to a temporary
        # file it never closes.
        boundary, body = encode_multipart(
            {
                "csrf_token": self.token(),
                "file": FileStorage(io.BytesIO(data), filename),
                "title": title,
                "kind": kind,
                "visibility": visibility,
                "programme_item": str(item),
            }
        )
        return self.client.post(
            f"{self.page}/upload",
            data=body,
            content_type=f"multipart/form-data; boundary={boundary}",
        )

    def add_link(self, url: str, *, title="", kind="other", visibility="public", item=""):
        return self.client.post(
            f"{self.page}/link",
            data={
                "csrf_token": self.token(),
                "link-url": url,
                "link-title": title,
                "link-kind": kind,
                "link-visibility": visibility,
                "link-programme_item": str(item),
            },
        )


@pytest.fixture
def coordinator(viewers, event) -> Coordinator:
    return Coordinator(viewers.coordinator, event)


def latest_material():
    import sqlalchemy as sa

    from nscal.materials.models import Material

    return db.session.execute(sa.select(Material).order_by(Material.id.desc())).scalars().first()
