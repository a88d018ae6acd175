"""Deactivating someone takes a confirmation page that says what it does."""

from nscal.accounts.models import AccountRole
from nscal.db import db
from tests.conftest import csrf_token_from


def test_deactivating_asks_first_and_a_second_send_does_not_undo_it(
    client, auth, network, make_user
):
    make_user("admin@example.org", account_role=AccountRole.admin)
    person = make_user("aino@example.org", name="Aino Practitioner")
    auth.login("admin@example.org")

    users = client.get("/admin/users").get_data(as_text=True)
    assert f'href="/admin/users/{person.id}/active">Deactivate' in users
    assert f'action="/admin/users/{person.id}/active"' not in users

    confirm = client.get(f"/admin/users/{person.id}/active")
    html = confirm.get_data(as_text=True)
    assert "Deactivate Aino Practitioner?" in html
    assert "can no longer log in, and every session they have open ends now" in html
    assert person.active

    token = csrf_token_from(confirm)
    for _ in range(2):  # sent twice (a double click, a reload): still deactivated
        client.post(f"/admin/users/{person.id}/active", data={"csrf_token": token, "active": "0"})
        db.session.refresh(person)
        assert not person.active

    users = client.get("/admin/users?state=inactive").get_data(as_text=True)
    assert "Reactivate</button>" in users
