"""Login throttling: counted in the database, so it holds across workers and servers."""

from datetime import timedelta

from tests.accounts.conftest import login_as
from tests.conftest import PASSWORD


def fail(client, email="aino@example.org", times=1, **kwargs):
    for _ in range(times):
        response = login_as(client, email, "not the password", **kwargs)
        assert response.status_code == 200
        assert "Wrong email or password." in response.text
    return response


def test_failures_on_one_worker_count_on_another(app, other_worker, make_user):
    make_user("aino@example.org")
    first, second = app.test_client(), other_worker.test_client()
    fail(first, times=3)
    fail(second, times=2)

    response = login_as(first, "aino@example.org", PASSWORD)  # the right password
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    assert "Too many attempts. Try again in 1 minute." in response.text
    assert login_as(second, "aino@example.org", PASSWORD).status_code == 429


def test_the_block_ends_after_its_time_and_then_grows(client, make_user, clock):
    make_user("aino@example.org")
    fail(client, times=5)
    assert login_as(client, "aino@example.org", PASSWORD).status_code == 429

    clock.advance(timedelta(seconds=61))
    fail(client)  # one more failure after the block: a longer block
    response = login_as(client, "aino@example.org", PASSWORD)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "120"
    assert "Try again in 2 minutes." in response.text

    clock.advance(timedelta(minutes=2, seconds=1))
    assert login_as(client, "aino@example.org", PASSWORD).status_code == 302


def test_a_block_never_lasts_longer_than_fifteen_minutes(client, make_user, clock):
    make_user("aino@example.org")
    fail(client, times=5)
    waits = []
    for _ in range(6):
        response = login_as(client, "aino@example.org", PASSWORD)
        assert response.status_code == 429
        waits.append(int(response.headers["Retry-After"]))
        clock.advance(timedelta(seconds=waits[-1] + 1))
        fail(client)  # right after each block ends
    assert waits == [60, 120, 240, 480, 900, 900]
    clock.advance(timedelta(minutes=15, seconds=1))
    assert login_as(client, "aino@example.org", PASSWORD).status_code == 302


def test_the_window_forgets_old_failures(client, make_user, clock):
    make_user("aino@example.org")
    fail(client, times=4)
    clock.advance(timedelta(minutes=16))
    fail(client, times=4)
    assert login_as(client, "aino@example.org", PASSWORD).status_code == 302


def test_a_successful_login_clears_the_accounts_counter(client, auth, make_user):
    make_user("aino@example.org")
    fail(client, times=4)
    assert auth.login("aino@example.org").status_code == 302
    auth.logout()
    fail(client, times=4)
    assert auth.login("aino@example.org").status_code == 302


def test_unknown_addresses_are_blocked_alike(client):
    # A block that only real accounts got would tell who has one.
    fail(client, "nobody@example.org", times=5)
    response = login_as(client, "nobody@example.org", "not the password")
    assert response.status_code == 429
    assert "Too many attempts" in response.text


def test_one_client_trying_many_accounts_is_blocked(client, other_worker, make_user):
    make_user("aino@example.org")
    for number in range(20):
        fail(client, f"guess{number}@example.org")
    response = login_as(client, "aino@example.org", PASSWORD)
    assert response.status_code == 429
    assert "Retry-After" in response.headers

    elsewhere = other_worker.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert login_as(elsewhere, "aino@example.org", PASSWORD).status_code == 302
