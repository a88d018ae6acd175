"""Account recovery: "Forgot your password?" mails a single-use link that expires."""

import re
from datetime import timedelta

from nscal.accounts.models import AccountRole
from nscal.accounts.services import find_user_by_email, password_reset_token
from tests.accounts.conftest import login_as, text_without_tokens
from tests.conftest import PASSWORD, csrf_token_from

SENT = "If an account exists for that address, we have sent a link"


def ask_for_link(client, email):
    token = csrf_token_from(client.get("/auth/forgot-password"))
    return client.post(
        "/auth/forgot-password",
        data={"csrf_token": token, "email": email},
        follow_redirects=True,
    )


def reset_path(message) -> str:
    match = re.search(
        r"https://calendar\.test(/auth/reset-password/\S+)",
        message.get_body(("plain",)).get_content(),
    )
    assert match, message.get_body(("plain",)).get_content()
    return match.group(1)


def choose(client, path, password="a brand new secret"):
    token = csrf_token_from(client.get(path))
    return client.post(path, data={"csrf_token": token, "password": password, "confirm": password})


def test_the_login_page_links_to_the_recovery_page(client):
    page = client.get("/auth/login").text
    assert 'href="/auth/forgot-password"' in page
    assert "Forgot your password?" in page


def test_every_address_gets_the_same_answer(client, make_user, deliver_outbox):
    make_user("aino@example.org")
    known = ask_for_link(client, "Aino@Example.org")
    unknown = ask_for_link(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert SENT in known.text
    assert text_without_tokens(known) == text_without_tokens(unknown)
    [message] = deliver_outbox()
    assert message["To"] == "aino@example.org"
    assert "works once, for an hour" in message.get_body(("plain",)).get_content()


def test_the_link_sets_a_new_password_once_and_logs_in(
    client, other_worker, make_user, deliver_outbox
):
    make_user("aino@example.org")
    laptop = other_worker.test_client()
    login_as(laptop, "aino@example.org", PASSWORD)
    ask_for_link(client, "aino@example.org")
    [message] = deliver_outbox()
    path = reset_path(message)

    page = client.get(path)
    assert page.status_code == 200
    assert "aino@example.org" in page.text
    response = choose(client, path)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert laptop.get("/account").status_code == 302  # the old sessions ended

    browser = other_worker.test_client()
    assert "Wrong email or password." in login_as(browser, "aino@example.org", PASSWORD).text
    assert login_as(browser, "aino@example.org", "a brand new secret").status_code == 302

    again = client.get(path)
    assert again.status_code == 410
    assert "already been used" in again.text


def test_the_link_expires_after_an_hour(client, make_user, clock):
    user = make_user("aino@example.org")
    path = f"/auth/reset-password/{password_reset_token(user)}"
    clock.advance(timedelta(minutes=59))
    assert client.get(path).status_code == 200
    clock.advance(timedelta(minutes=1, seconds=1))
    response = client.get(path)
    assert response.status_code == 410
    assert "This link has expired" in response.text


def test_the_reset_page_applies_the_password_policy(client, make_user):
    user = make_user("aino@example.org")
    path = f"/auth/reset-password/{password_reset_token(user)}"
    response = choose(client, path, "password12")
    assert response.status_code == 200
    assert "This password is too easy to guess." in response.text
    assert find_user_by_email("aino@example.org") is not None
    assert login_as(client, "aino@example.org", PASSWORD).status_code == 302


def test_a_forged_link_is_refused(client):
    response = client.get("/auth/reset-password/not-a-real-token")
    assert response.status_code == 410
    assert "not valid" in response.text


def test_deactivated_accounts_get_no_mail(client, make_user, deliver_outbox):
    make_user("gone@example.org", active=False)
    assert SENT in ask_for_link(client, "gone@example.org").text
    assert deliver_outbox() == []


def test_asking_too_often_for_one_address_is_throttled(client, make_user, deliver_outbox, clock):
    make_user("aino@example.org")
    for _ in range(3):
        assert SENT in ask_for_link(client, "aino@example.org").text
    response = ask_for_link(client, "aino@example.org")
    assert response.status_code == 429
    assert "Too many attempts. Try again in 1 minute." in response.text
    assert response.headers["Retry-After"] == "60"
    assert len(deliver_outbox()) == 3
    clock.advance(timedelta(seconds=61))
    assert SENT in ask_for_link(client, "aino@example.org").text


def test_one_client_asking_for_many_addresses_is_throttled(client):
    for number in range(10):
        assert SENT in ask_for_link(client, f"guess{number}@example.org").text
    assert ask_for_link(client, "another@example.org").status_code == 429


def test_guessing_links_is_throttled(client, make_user):
    user = make_user("aino@example.org")
    for _ in range(10):
        assert client.get("/auth/reset-password/guessed").status_code == 410
    response = client.get(f"/auth/reset-password/{password_reset_token(user)}")
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_operators_mail_a_reset_link(runner, make_user, deliver_outbox):
    make_user("aino@example.org")
    result = runner.invoke(args=["reset-password", "AINO@example.org", "--send-link"])
    assert result.exit_code == 0, result.output
    assert "Queued a reset link for aino@example.org" in result.output
    [message] = deliver_outbox()
    assert "/auth/reset-password/" in message.get_body(("plain",)).get_content()


def test_operators_set_a_password(runner, make_user, client):
    make_user("aino@example.org")
    result = runner.invoke(
        args=["reset-password", "aino@example.org"],
        input="a brand new secret\na brand new secret\n",
    )
    assert result.exit_code == 0, result.output
    assert login_as(client, "aino@example.org", "a brand new secret").status_code == 302


def test_operators_get_a_clear_message_for_an_unknown_address(runner):
    result = runner.invoke(args=["reset-password", "nobody@example.org", "--send-link"])
    assert result.exit_code == 1
    assert "There is no account for nobody@example.org." in result.output


def test_no_link_for_a_deactivated_account_from_the_command_line(runner, make_user):
    make_user("gone@example.org", active=False)
    result = runner.invoke(args=["reset-password", "gone@example.org", "--send-link"])
    assert result.exit_code == 1
    assert "deactivated" in result.output


def test_an_admin_sends_a_reset_link_to_someone_who_has_a_password(
    client, auth, make_user, deliver_outbox
):
    make_user("admin@example.org", account_role=AccountRole.admin)
    member = make_user("mia@example.org", name="Mia")
    auth.login("admin@example.org")
    page = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{member.id}/reset-link" in page
    token = auth.csrf_token("/admin/users")
    response = client.post(
        f"/admin/users/{member.id}/reset-link", data={"csrf_token": token}, follow_redirects=True
    )
    assert "A password reset link was sent to mia@example.org." in response.get_data(as_text=True)
    [message] = deliver_outbox()
    assert message["To"] == "mia@example.org"
    client.post("/auth/logout", data={"csrf_token": auth.csrf_token("/account")})
    reset = client.get(reset_path(message))
    assert reset.status_code == 200
