"""``flask seed-demo``: the network's cities, roles and one account per account role."""

import sqlalchemy as sa

from nscal.accounts.models import AccountRole, User
from nscal.cities.models import City, ParticipantRole
from nscal.db import db
from nscal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


def counts():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (City, ParticipantRole, User)
    )


def test_seed_demo_is_idempotent_and_prints_the_logins(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    after_first = counts()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert counts() == after_first
    assert "added 0 cities, 0 roles, 0 accounts" in second.output
    for email, *_ in DEMO_ACCOUNTS:
        assert email in second.output
    assert DEMO_PASSWORD in second.output


def test_seed_demo_covers_the_seven_nordic_zones_and_four_roles(runner):
    runner.invoke(args=["seed-demo"])
    zones = set(db.session.execute(sa.select(City.timezone)).scalars())
    assert zones == {
        "Europe/Copenhagen",
        "Europe/Stockholm",
        "Europe/Oslo",
        "Europe/Helsinki",
        "Atlantic/Reykjavik",
        "America/Nuuk",
        "Atlantic/Faroe",
    }
    countries = set(db.session.execute(sa.select(City.country)).scalars())
    assert countries == {
        "Denmark",
        "Sweden",
        "Norway",
        "Finland",
        "Iceland",
        "Greenland",
        "Faroe Islands",
    }
    roles = set(db.session.execute(sa.select(ParticipantRole.slug)).scalars())
    assert roles == {"practitioner", "mayor", "politician", "leader"}
    account_roles = set(db.session.execute(sa.select(User.account_role)).scalars())
    assert account_roles == set(AccountRole)


def test_seed_demo_if_empty_leaves_a_used_database_alone(runner, make_user):
    make_user("someone@example.org")
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "already has data" in result.output
    assert counts()[0] == 0


def test_each_demo_login_works(client, auth, runner):
    runner.invoke(args=["seed-demo"])
    for email, _name, _city, _role, account_role in DEMO_ACCOUNTS:
        response = auth.login(email, DEMO_PASSWORD)
        assert response.status_code == 302, email
        expected = 200 if account_role is not AccountRole.member else 403
        assert client.get("/manage/").status_code == expected
        auth.logout()
