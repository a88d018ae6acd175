"""The account page: name, time zone and password."""

from tests.conftest import PASSWORD, csrf_token_from


def test_person_changes_name_and_time_zone(client, auth, make_user):
    user = make_user("aino@example.org", name="Aino")
    auth.login("aino@example.org")
    token = csrf_token_from(client.get("/account"))
    response = client.post(
        "/account",
        data={
            "csrf_token": token,
            "name": "Aino Virtanen",
            "timezone": "America/Nuuk",
        },
        follow_redirects=True,
    )
    assert "Your profile is saved." in response.text
    assert (user.name, user.timezone) == ("Aino Virtanen", "America/Nuuk")


def test_unknown_time_zone_is_refused(client, auth, make_user):
    user = make_user("aino@example.org")
    auth.login("aino@example.org")
    token = csrf_token_from(client.get("/account"))
    response = client.post(
        "/account",
        data={
            "csrf_token": token,
            "name": "Aino",
            "timezone": "Mars/Olympus_Mons",
        },
    )
    assert response.status_code == 200
    assert "Choose a time zone from the list." in response.text
    assert user.timezone is None


def test_the_city_zone_is_offered_as_default(client, auth, make_user, demo):
    make_user("aino@example.org", city="helsinki")
    auth.login("aino@example.org")
    assert "My city&#39;s zone (Europe/Helsinki)" in client.get("/account").text


def test_password_change_needs_the_current_password(client, auth, make_user):
    make_user("aino@example.org")
    auth.login("aino@example.org")
    token = csrf_token_from(client.get("/account"))
    response = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current": "not it",
            "password": "brand new secret",
            "confirm": "brand new secret",
        },
    )
    assert response.status_code == 400
    assert "The current password is not right." in response.text

    response = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current": PASSWORD,
            "password": "brand new secret",
            "confirm": "brand new secret",
        },
        follow_redirects=True,
    )
    assert "Your password is changed." in response.text
    auth.logout()
    assert "Wrong email or password." in auth.login("aino@example.org").text
    assert auth.login("aino@example.org", "brand new secret").status_code == 302


def test_mismatched_new_passwords_are_refused(client, auth, make_user):
    make_user("aino@example.org")
    auth.login("aino@example.org")
    token = csrf_token_from(client.get("/account"))
    response = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current": PASSWORD,
            "password": "brand new secret",
            "confirm": "brand new secreT",
        },
    )
    assert "The two passwords differ." in response.text
