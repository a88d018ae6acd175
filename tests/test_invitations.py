"""Invitations: a coordinator invites, the link sets a password once, and expires."""

import re
import time

import itsdangerous.timed

from nscal.accounts.models import AccountRole
from nscal.accounts.services import find_user_by_email


def invite(client, auth, **fields):
    token = auth.csrf_token("/manage/people/invite")
    data = {
        "csrf_token": token,
        "city": "0",
        "participant_role": "0",
        "account_role": "member",
        **fields,
    }
    return client.post("/manage/people/invite", data=data, follow_redirects=True)


def invitation_path(message) -> str:
    body = message.get_body(("plain",)).get_content()
    match = re.search(r"https://calendar\.test(/auth/invitation/\S+)", body)
    assert match, body
    return match.group(1)


def choose_password(client, path, password="a long new password"):
    page = client.get(path)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    return client.post(path, data={"csrf_token": token, "password": password, "confirm": password})


def test_coordinator_invites_and_the_link_sets_a_password(
    client, auth, make_user, demo, deliver_outbox
):
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    response = invite(client, auth, email="New.Person@Example.org", name="Nina Nielsen")
    assert "Invitation sent to new.person@example.org" in response.text
    [message] = deliver_outbox()
    assert message["To"] == "new.person@example.org"
    path = invitation_path(message)
    auth.logout()

    page = client.get(path)
    assert page.status_code == 200
    assert "Welcome, Nina Nielsen" in page.text
    response = choose_password(client, path)
    assert response.status_code == 302
    auth.logout()
    response = auth.login("new.person@example.org", "a long new password")
    assert response.headers["Location"] == "/"
    assert client.get("/account").status_code == 200


def test_invitation_link_works_only_once(client, auth, make_user, deliver_outbox):
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    invite(client, auth, email="once@example.org", name="Olli Once")
    [message] = deliver_outbox()
    path = invitation_path(message)
    auth.logout()
    assert choose_password(client, path).status_code == 302
    auth.logout()

    again = client.get(path)
    assert again.status_code == 410
    assert "already been used" in again.text
    token = auth.csrf_token()
    reuse = client.post(
        path,
        data={
            "csrf_token": token,
            "password": "another long password",
            "confirm": "another long password",
        },
    )
    assert reuse.status_code == 410
    assert auth.login("once@example.org", "another long password").status_code == 200


def test_expired_invitation_is_refused(client, auth, make_user, deliver_outbox, monkeypatch):
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    invite(client, auth, email="late@example.org", name="Lars Late")
    [message] = deliver_outbox()
    path = invitation_path(message)
    auth.logout()

    eight_days_later = time.time() + 8 * 24 * 3600
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: eight_days_later)
    response = client.get(path)
    assert response.status_code == 410
    assert "expired" in response.text
    assert not find_user_by_email("late@example.org").has_password


def test_tampered_invitation_is_refused(client):
    response = client.get("/auth/invitation/not-a-real-token")
    assert response.status_code == 410
    assert "not valid" in response.text


def test_short_password_is_refused_with_a_reason(client, auth, make_user, deliver_outbox):
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    invite(client, auth, email="short@example.org", name="Sami Short")
    [message] = deliver_outbox()
    path = invitation_path(message)
    auth.logout()
    response = choose_password(client, path, password="short")
    assert response.status_code == 200
    assert "at least 10 characters" in response.text
    assert not find_user_by_email("short@example.org").has_password


def test_inviting_an_existing_address_says_so(client, auth, make_user, deliver_outbox):
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    make_user("taken@example.org")
    auth.login("coord@example.org")
    response = invite(client, auth, email="TAKEN@example.org", name="Someone")
    assert "already an account for taken@example.org" in response.text
    assert deliver_outbox() == []


def test_coordinator_cannot_invite_an_admin(client, auth, make_user):
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    response = invite(client, auth, email="boss@example.org", name="Boss", account_role="admin")
    assert find_user_by_email("boss@example.org") is None
    assert "Not a valid choice" in response.text or "Only an admin" in response.text


def test_admin_invites_a_coordinator(client, auth, make_user):
    make_user("admin@example.org", account_role=AccountRole.admin)
    auth.login("admin@example.org")
    invite(client, auth, email="coord2@example.org", name="Cecilia", account_role="coordinator")
    assert find_user_by_email("coord2@example.org").account_role is AccountRole.coordinator
