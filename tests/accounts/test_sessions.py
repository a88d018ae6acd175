"""Revocable sessions: logging out, a new password or deactivation end every session."""

from nscal.accounts.services import find_user_by_email
from nscal.db import db
from tests.accounts.conftest import login_as
from tests.conftest import PASSWORD, AuthActions, csrf_token_from


def copy_session(source, target) -> None:
    cookie = source.get_cookie("session")
    assert cookie is not None
    target.set_cookie("session", cookie.value)


def test_a_cookie_copied_before_logout_stops_working(client, auth, other_worker, make_user):
    make_user("aino@example.org")
    auth.login("aino@example.org")
    thief = other_worker.test_client()
    copy_session(client, thief)
    assert thief.get("/account").status_code == 200

    auth.logout()
    response = thief.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_logging_out_ends_the_persons_other_sessions(client, auth, other_worker, make_user):
    make_user("aino@example.org")
    laptop = other_worker.test_client()
    login_as(laptop, "aino@example.org", PASSWORD)
    auth.login("aino@example.org")
    auth.logout()
    assert laptop.get("/account").status_code == 302


def change_password(client, new="a brand new secret"):
    token = csrf_token_from(client.get("/account"))
    return client.post(
        "/account/password",
        data={"csrf_token": token, "current": PASSWORD, "password": new, "confirm": new},
    )


def test_changing_the_password_keeps_this_session_and_ends_the_others(other_worker, make_user):
    make_user("aino@example.org")
    client = other_worker.test_client()
    login_as(client, "aino@example.org", PASSWORD)
    copied = other_worker.test_client()
    copy_session(client, copied)
    laptop = other_worker.test_client()
    login_as(laptop, "aino@example.org", PASSWORD)

    response = change_password(client)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert copied.get("/account").status_code == 302
    assert laptop.get("/account").status_code == 302


def test_deactivation_ends_sessions_for_good(other_worker, make_user):
    # The person's browser talks to another worker than this test's own app context.
    user = make_user("aino@example.org")
    browser = other_worker.test_client()
    login_as(browser, "aino@example.org", PASSWORD)
    user.active = False
    db.session.commit()
    user.active = True  # reactivated: the old cookie must not come back to life
    db.session.commit()
    assert browser.get("/account").status_code == 302
    assert login_as(browser, "aino@example.org", PASSWORD).status_code == 302


def test_the_operator_resetting_a_password_ends_sessions(other_worker, runner, make_user):
    make_user("aino@example.org")
    browser = other_worker.test_client()
    login_as(browser, "aino@example.org", PASSWORD)
    result = runner.invoke(
        args=["reset-password", "aino@example.org", "--password", "a brand new secret"]
    )
    assert result.exit_code == 0, result.output
    assert browser.get("/account").status_code == 302
    assert find_user_by_email("aino@example.org").session_version == 2


def test_a_session_from_before_session_versions_is_refused(app, client, make_user):
    # Cookies issued before this release carry only the id: they log in again.
    user = make_user("aino@example.org")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert client.get("/account").status_code == 302
    assert AuthActions(client).login("aino@example.org").status_code == 302
