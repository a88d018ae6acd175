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
    assert "added 0 cities, 0 roles, 0 accounts, 0 events" in second.output
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


def test_seed_demo_adds_the_demo_year(runner):
    from datetime import UTC, datetime

    from nscal.events.models import Event, EventStatus

    runner.invoke(args=["seed-demo"])
    kickoff = db.session.execute(
        sa.select(Event).where(Event.uid == "demo-kickoff-2027@nscal")
    ).scalar_one()
    # 13 January, 10:00–11:30 CET
    assert kickoff.starts_at == datetime(2027, 1, 13, 9, 0, tzinfo=UTC)
    assert kickoff.ends_at == datetime(2027, 1, 13, 10, 30, tzinfo=UTC)
    assert [role.slug for role in kickoff.audience] == ["practitioner"]
    malmo = db.session.execute(
        sa.select(Event).where(Event.uid == "demo-malmo-network-2027@nscal")
    ).scalar_one()
    assert malmo.all_day and (malmo.start_date.day, malmo.end_date.day) == (29, 31)
    calls = db.session.scalars(
        sa.select(Event).join(Event.series).where(Event.title == "Prevention coordinators' call")
    ).all()
    assert len(calls) == 11  # February to December, first Wednesdays
    assert {call.local_start.strftime("%a %H:%M") for call in calls} == {"Wed 14:00"}
    statuses = set(db.session.scalars(sa.select(Event.status)))
    assert statuses == {EventStatus.published, EventStatus.draft}
    past = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Event)
        .where(Event.ends_at < datetime(2026, 11, 1, tzinfo=UTC))
    )
    assert past >= 2


def test_seed_demo_adds_past_years_for_the_statistics(runner):
    from datetime import UTC, datetime

    from nscal.events.models import Event
    from nscal.registrations.models import Registration
    from nscal.statistics.services import Filters, statistics

    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "past registrations" in first.output
    registrations = db.session.scalar(sa.select(sa.func.count()).select_from(Registration))
    second = runner.invoke(args=["seed-demo"])
    assert "0 past registrations" in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == registrations
    figures = statistics(Filters(2023, 2026))
    for year in (2023, 2024, 2025, 2026):
        assert figures.people[year].people > 10, year
        assert figures.people[year].anonymous > 0, year
    assert figures.people[2024].returning > 0
    assert figures.total.attended and figures.total.absent and figures.total.waitlisted
    assert figures.total.cancelled
    past = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Event)
        .where(Event.uid.like("demo-history-%"), Event.ends_at < datetime(2027, 1, 1, tzinfo=UTC))
    )
    assert past == 24
