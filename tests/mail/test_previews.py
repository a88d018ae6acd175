"""Coordinators see every kind of mail before anyone gets it, with made-up data."""

import html

import pytest
import sqlalchemy as sa

from nscal.accounts.models import AccountRole
from nscal.db import db
from nscal.events.models import Event
from nscal.mail.models import OutboxMessage
from nscal.mail.previews import MAIL_KINDS


@pytest.fixture
def coordinator(make_user, auth):
    make_user("coord@example.org", name="Cora Coordinator", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")


def test_the_dashboard_links_to_the_mail_kinds(client, coordinator):
    assert 'href="/manage/mail/"' in client.get("/manage/").text
    page = client.get("/manage/mail/")
    assert page.status_code == 200
    for name, kind in MAIL_KINDS.items():
        assert f'href="/manage/mail/{name}"' in page.text
        assert html.escape(kind.label) in page.text


@pytest.mark.parametrize("name", list(MAIL_KINDS))
def test_each_kind_shows_subject_html_and_text(client, coordinator, name):
    page = client.get(f"/manage/mail/{name}")
    assert page.status_code == 200
    assert "Alex Example" in page.text  # the made-up person, not the coordinator
    assert "Cora Coordinator," not in page.text
    assert f'<iframe class="mail-preview" sandbox src="/manage/mail/{name}/html"' in page.text
    assert '<pre class="mail-text">Hello Alex Example,' in page.text
    assert "Nordic Safe Cities" in page.text


def test_a_preview_stores_and_sends_nothing(client, coordinator):
    for name in MAIL_KINDS:
        client.get(f"/manage/mail/{name}")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_an_unknown_kind_is_not_found(client, coordinator):
    assert client.get("/manage/mail/no-such-mail").status_code == 404


def test_members_may_not_see_the_previews(client, auth, make_user):
    make_user("member@example.org")
    auth.login("member@example.org")
    assert client.get("/manage/mail/").status_code == 403
    assert client.get("/manage/mail/registration_confirmed").status_code == 403


def test_visitors_are_asked_to_log_in(client):
    for path in ("/manage/mail/", "/manage/mail/invitation"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("name", ["registration_confirmed", "invitation"])
def test_the_html_part_is_framed_with_a_policy_of_its_own(client, coordinator, name):
    part = client.get(f"/manage/mail/{name}/html")
    assert part.status_code == 200
    assert part.text.lower().startswith("<!doctype html>")
    assert "Alex Example" in part.text
    # Inline styles (as mail needs) but no scripts, and framed by our own page only.
    policy = part.headers["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    assert part.headers["X-Frame-Options"] == "SAMEORIGIN"
    # Every other page still refuses to be framed.
    page = client.get(f"/manage/mail/{name}")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


def test_every_mail_template_has_a_preview():
    """A room that adds a kind of mail registers it here, so coordinators can see it."""
    from pathlib import Path

    import nscal

    folder = Path(nscal.__file__).parent / "templates" / "mail"
    templates = {path.stem for path in folder.glob("*.txt") if not path.stem.startswith("_")}
    previewed = {kind.template for kind in MAIL_KINDS.values()}
    assert templates - previewed == set()
    for new_kind in (
        "reminder",
        "participant_message",
        "feedback_request",
        "minutes_published",
        "account_deleted",
    ):
        assert new_kind in previewed
