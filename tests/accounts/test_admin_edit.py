"""Admins keep records right: the edit page, search and filters on the people page, and
`import-users --update`."""

import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from nscal.accounts.models import AccountRole, User
from nscal.cities.models import City, ParticipantRole
from nscal.db import db
from nscal.registrations.models import Registration
from nscal.registrations.services import register_for_event
from tests.conftest import csrf_token_from


def _id(model, slug: str) -> int:
    return db.session.execute(sa.select(model.id).where(model.slug == slug)).scalar_one()


@pytest.fixture
def admin(network, make_user, auth):
    user = make_user("admin@example.org", name="Ada Admin", account_role=AccountRole.admin)
    auth.login("admin@example.org")
    return user


@pytest.fixture
def mayor(make_user):
    return make_user("liv@example.org", name="Liv Lund", city="malmo", participant_role="mayor")


def _edit(client, user_id: int, **changes):
    page = client.get(f"/admin/users/{user_id}/edit")
    assert page.status_code == 200
    user = db.session.get(User, user_id)
    data = {
        "csrf_token": csrf_token_from(page),
        "name": user.name,
        "email": user.email,
        "city": str(user.city_id or 0),
        "participant_role": str(user.participant_role_id or 0),
        "account_role": user.account_role.value,
        "active": "y" if user.active else "",
        **changes,
    }
    if not data["active"]:
        del data["active"]
    return client.post(f"/admin/users/{user_id}/edit", data=data, follow_redirects=True)


def test_an_admin_corrects_name_email_city_and_account_role(client, admin, mayor):
    page = _edit(
        client,
        mayor.id,
        name="Liv Lund-Berg",
        email="Liv.Lund@Example.org",
        city=str(_id(City, "oslo")),
        account_role="coordinator",
    )
    assert "Liv Lund-Berg is saved." in page.text
    db.session.expire_all()
    user = db.session.get(User, mayor.id)
    assert (user.name, user.email, user.city.slug, user.account_role) == (
        "Liv Lund-Berg",
        "liv.lund@example.org",
        "oslo",
        AccountRole.coordinator,
    )


def test_the_edit_page_checks_like_the_cli(client, admin, mayor, make_user):
    make_user("taken@example.org")
    for email, message in (
        ("not an address", "is not a valid email address"),
        ("taken@example.org", "There is already an account for taken@example.org."),
    ):
        answer = _edit(client, mayor.id, email=email)
        assert answer.status_code == 400
        assert message in answer.text
    assert _edit(client, mayor.id, name="   ").status_code == 400
    assert _edit(client, mayor.id, city="99999").status_code == 400
    # An admin cannot deactivate themself or drop their own admin role here either.
    assert (
        "You cannot take away your own admin role."
        in _edit(client, admin.id, account_role="member").text
    )
    assert "You cannot deactivate your own account." in _edit(client, admin.id, active="").text
    db.session.expire_all()
    assert db.session.get(User, mayor.id).email == "liv@example.org"
    assert db.session.get(User, admin.id).is_admin


def test_a_participant_role_change_leaves_existing_registrations_in_their_role(
    client, admin, mayor, make_event
):
    event = make_event(
        "Mayors' summit",
        start=datetime(2099, 6, 1, 10, 0),  # noqa: DTZ001 - wall clock
        end=datetime(2099, 6, 1, 12, 0),  # noqa: DTZ001
    )
    register_for_event(event.id, mayor.id)
    db.session.commit()
    page = client.get(f"/admin/users/{mayor.id}/edit")
    assert "has 1 active registration(s) for events to come" in page.text
    assert "keep the participant role Mayor they were made in" in page.text
    done = _edit(client, mayor.id, participant_role=str(_id(ParticipantRole, "politician")))
    assert (
        "Their 1 active registration(s) keep the role they were made in (Mayor); "
        "new registrations use the new one."
    ) in done.text
    db.session.expire_all()
    assert db.session.get(User, mayor.id).participant_role.slug == "politician"
    registration = db.session.execute(sa.select(Registration)).scalar_one()
    assert registration.participant_role.slug == "mayor"


def test_the_people_page_searches_filters_and_pages(client, admin, make_user):
    make_user("aino@example.org", name="Aino Virtanen", city="helsinki", participant_role="mayor")
    make_user("bo@example.org", name="Bo Berg", city="malmo", active=False)
    for number in range(60):
        make_user(f"p{number:02}@example.org", name=f"Person {number:02}", city="oslo")

    def names(query: str) -> str:
        page = client.get(f"/admin/users?{query}")
        assert page.status_code == 200
        return page.text

    assert "Aino Virtanen" in names("q=virtanen") and "Bo Berg" not in names("q=virtanen")
    assert "Bo Berg" in names("q=BO%40example") and "Aino" not in names("q=bo%40example")
    assert "Nobody matches." in names("q=100%25")  # LIKE characters are literal
    helsinki = names(f"city={_id(City, 'helsinki')}")
    assert "Aino Virtanen" in helsinki and "Person 01" not in helsinki
    mayors = names(f"participant_role={_id(ParticipantRole, 'mayor')}")
    assert "Aino Virtanen" in mayors and "Bo Berg" not in mayors
    assert "Ada Admin" in names("account_role=admin") and "Aino" not in names("account_role=admin")
    inactive = names("state=inactive")
    assert "Bo Berg" in inactive and "Aino" not in inactive
    first = names("")
    assert "63 accounts, page 1 of 2" in first and "Next page" in first
    second = names("page=2")
    assert "Person 59" in second and "admin@example.org" not in second
    assert "page 2 of 2" in names("page=99")  # past the end: the last page
    oslo = names(f"city={_id(City, 'oslo')}&page=2")
    assert "Person 59" in oslo and "10 of" not in oslo
    for junk in ("city=abc", "participant_role=-1", "account_role=root", "page=x", "state=?"):
        names(junk)


def test_a_deleted_account_is_listed_apart_and_cannot_be_edited(client, admin, mayor):
    from nscal.people.data_rights import delete_account

    delete_account(mayor, acting=admin)
    db.session.commit()
    assert "Liv Lund" not in client.get("/admin/users").text
    deleted = client.get("/admin/users?state=deleted").text
    assert "Deleted account" in deleted
    assert re.search(r"Deleted \d{1,2} [A-Z][a-z]{2} \d{4}", deleted)
    page = client.get(f"/admin/users/{mayor.id}/edit", follow_redirects=True)
    assert "This account is deleted" in page.text
    token = csrf_token_from(page)
    answer = client.post(
        f"/admin/users/{mayor.id}/active", data={"csrf_token": token}, follow_redirects=True
    )
    assert "cannot be reactivated" in answer.text


def test_import_users_update_changes_existing_people_by_email(runner, admin, mayor, tmp_path):
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "email,name,city,participant_role,account_role\n"
        "LIV@example.org,Liv Lund,oslo,politician,\n"
        "new@example.org,New Person,bergen,,\n"
    )
    without = runner.invoke(args=["import-users", str(csv_file)])
    assert "line 2: skipped: liv@example.org already has an account." in without.output
    db.session.expire_all()
    assert db.session.get(User, mayor.id).city.slug == "malmo"

    result = runner.invoke(args=["import-users", str(csv_file), "--update"])
    assert result.exit_code == 0, result.output
    # The first run created new@example.org; this one updates both.
    assert "Created 0 account(s)" in result.output and "Updated 2 account(s)." in result.output
    db.session.expire_all()
    liv = db.session.get(User, mayor.id)
    assert (liv.city.slug, liv.participant_role.slug) == ("oslo", "politician")
    assert liv.account_role is AccountRole.member  # blank: kept as it was


def test_import_users_update_is_all_or_nothing(runner, admin, mayor, tmp_path):
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "email,name,city,participant_role,account_role\n"
        "liv@example.org,Liv Lund,oslo,,\n"
        "bad@example.org,Bad Row,atlantis,,\n"
    )
    result = runner.invoke(args=["import-users", str(csv_file), "--update"])
    assert result.exit_code != 0
    assert "line 3: Unknown city 'atlantis'." in result.output
    db.session.expire_all()
    assert db.session.get(User, mayor.id).city.slug == "malmo"
    dry = runner.invoke(args=["import-users", str(csv_file.with_name("x.csv")), "--update"])
    assert dry.exit_code != 0


def test_registration_forms_link_to_the_privacy_page(client, auth, make_user, make_event, network):
    event = make_event(
        "Open meeting",
        start=datetime(2099, 6, 1, 10, 0),  # noqa: DTZ001 - wall clock
        end=datetime(2099, 6, 1, 12, 0),  # noqa: DTZ001
    )
    make_user("member@example.org")
    auth.login("member@example.org")
    page = client.get(f"/events/{event.id}")
    assert "What we keep about your registration" in page.text
    assert 'href="/privacy"' in page.text
