"""The password policy: long enough, not too long, and not easy to guess."""

import pytest

from nscal.accounts.services import PasswordPolicyError, check_password_strength
from nscal.demo import DEMO_PASSWORD
from tests.conftest import PASSWORD, csrf_token_from


def change_password(client, new):
    token = csrf_token_from(client.get("/account"))
    return client.post(
        "/account/password",
        data={"csrf_token": token, "current": PASSWORD, "password": new, "confirm": new},
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("1234567890", "This is a top-100 common password."),
        ("password12", "This is a very common password."),
        ("nordicsafecities", "Add another word or two"),
        ("ainovirtanen", "Add another word or two"),  # the person's own name
        ("short", "at least 10 characters"),
        ("x" * 257, "at most 256 characters"),
    ],
)
def test_weak_passwords_are_refused_with_advice(client, auth, make_user, password, message):
    make_user("aino@example.org", name="Aino Virtanen")
    auth.login("aino@example.org")
    response = change_password(client, password)
    assert response.status_code == 400
    assert message in response.text
    if len(password) >= 10 and len(password) <= 256:
        assert "This password is too easy to guess." in response.text
    auth.logout()
    assert auth.login("aino@example.org").status_code == 302  # the old one still works


@pytest.mark.parametrize(
    "password", [PASSWORD, DEMO_PASSWORD, "a brand new secret", "correct horse battery staple"]
)
def test_good_passwords_pass(app, password):
    check_password_strength(password, ("aino@example.org", "Aino Virtanen"))


def test_a_long_passphrase_up_to_the_maximum_is_fine(app):
    check_password_strength("seven purple otters juggle quietly " * 7 + "x" * 11)


def test_the_policy_applies_to_invitations(client, make_user):
    from nscal.accounts.services import invitation_token
    from tests.test_invitations import choose_password

    user = make_user("new@example.org", password=None)
    response = choose_password(client, f"/auth/invitation/{invitation_token(user)}", "1234567890")
    assert response.status_code == 200
    assert "This password is too easy to guess." in response.text


def test_the_policy_applies_to_create_user(runner):
    result = runner.invoke(
        args=["create-user", "--email", "a@example.org", "--name", "A", "--password", "password12"]
    )
    assert result.exit_code == 1
    assert "This password is too easy to guess." in result.output


def test_the_policy_applies_to_reset_password(runner, make_user):
    make_user("aino@example.org")
    result = runner.invoke(args=["reset-password", "aino@example.org", "--password", "1234567890"])
    assert result.exit_code == 1
    assert "This password is too easy to guess." in result.output


def test_the_error_is_a_policy_error(app):
    with pytest.raises(PasswordPolicyError):
        check_password_strength("qwertyuiop")
