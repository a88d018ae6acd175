"""Who may open which page: anonymous visitors, members, coordinators, admins."""

import pytest

from nscal.accounts.models import AccountRole

PAGES = {
    "public": "/",
    "member": "/account",
    "coordinator": "/manage/",
    "coordinator invite": "/manage/people/invite",
    "admin": "/admin/users",
}

# visitor -> the pages they may open (the rest: login redirect for anonymous, else 403)
ALLOWED = {
    None: {"public"},
    AccountRole.member: {"public", "member"},
    AccountRole.coordinator: {"public", "member", "coordinator", "coordinator invite"},
    AccountRole.admin: {"public", "member", "coordinator", "coordinator invite", "admin"},
}


@pytest.mark.parametrize("visitor", list(ALLOWED), ids=lambda v: v.value if v else "anonymous")
@pytest.mark.parametrize("page", list(PAGES))
def test_permission_matrix(client, auth, make_user, visitor, page):
    if visitor is not None:
        make_user("visitor@example.org", account_role=visitor)
        auth.login("visitor@example.org")
    response = client.get(PAGES[page])
    if page in ALLOWED[visitor]:
        assert response.status_code == 200
    elif visitor is None:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login?next=")
    else:
        assert response.status_code == 403
        assert "Not for you" in response.get_data(as_text=True)


def test_coordinator_cannot_change_account_roles(client, auth, make_user):
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    member = make_user("member@example.org")
    auth.login("coord@example.org")
    token = auth.csrf_token("/manage/people/invite")
    response = client.post(
        f"/admin/users/{member.id}/role", data={"account_role": "admin", "csrf_token": token}
    )
    assert response.status_code == 403
    assert member.account_role is AccountRole.member


def test_admin_changes_an_account_role(client, auth, make_user):
    make_user("admin@example.org", account_role=AccountRole.admin)
    member = make_user("member@example.org")
    auth.login("admin@example.org")
    token = auth.csrf_token("/admin/users")
    response = client.post(
        f"/admin/users/{member.id}/role",
        data={"account_role": "coordinator", "csrf_token": token},
        follow_redirects=True,
    )
    assert "is now coordinator" in response.get_data(as_text=True)
    auth.logout()
    auth.login("member@example.org")
    assert client.get("/manage/").status_code == 200


def test_admin_cannot_demote_themselves(client, auth, make_user):
    admin = make_user("admin@example.org", account_role=AccountRole.admin)
    auth.login("admin@example.org")
    token = auth.csrf_token("/admin/users")
    response = client.post(
        f"/admin/users/{admin.id}/role",
        data={"account_role": "member", "csrf_token": token},
        follow_redirects=True,
    )
    assert "cannot take away your own admin role" in response.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 200


def test_admin_deactivates_an_account(client, auth, make_user):
    make_user("admin@example.org", account_role=AccountRole.admin)
    member = make_user("member@example.org")
    auth.login("admin@example.org")
    token = auth.csrf_token("/admin/users")
    client.post(f"/admin/users/{member.id}/active", data={"csrf_token": token})
    auth.logout()
    response = auth.login("member@example.org")
    assert "Wrong email or password." in response.get_data(as_text=True)


def test_admin_cannot_deactivate_themselves(client, auth, make_user):
    admin = make_user("admin@example.org", account_role=AccountRole.admin)
    auth.login("admin@example.org")
    token = auth.csrf_token("/admin/users")
    response = client.post(
        f"/admin/users/{admin.id}/active", data={"csrf_token": token}, follow_redirects=True
    )
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 200


def test_no_new_invitation_for_someone_with_a_password(client, auth, make_user):
    make_user("admin@example.org", account_role=AccountRole.admin)
    member = make_user("member@example.org", name="Mia")
    auth.login("admin@example.org")
    token = auth.csrf_token("/admin/users")
    response = client.post(
        f"/admin/users/{member.id}/invite", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Mia has already chosen a password." in response.get_data(as_text=True)
