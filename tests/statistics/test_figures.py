"""The figures against the hand-computed seed (tests/statistics/conftest.py)."""

from datetime import UTC, datetime

import sqlalchemy as sa

from nscal.cities.models import City, ParticipantRole
from nscal.db import db
from nscal.events.models import EventFormat, EventKind
from nscal.people.retention import purge
from nscal.registrations.models import Registration, RegistrationStatus
from nscal.statistics.models import PurgedRegistrationCount
from nscal.statistics.services import Filters, public_figures, statistics


def city_id(slug):
    return db.session.scalar(sa.select(City.id).where(City.slug == slug))


def role_id(slug):
    return db.session.scalar(sa.select(ParticipantRole.id).where(ParticipantRole.slug == slug))


def by_slug(figures, slug):
    return figures.by_city[city_id(slug)]


def test_the_year_in_total(seed):
    figures = statistics(Filters(2027, 2027))
    total = figures.total
    # E1: 4 registrations, E2: 4, E3: 2; the draft never counts.
    assert total.registrations == 10
    assert total.participants == 7  # E1: Aino, Bo, Dorte; E2: Aino, Carl; E3: Bo, Carl
    assert total.cancelled == 2  # Carl at E1, Eva at E2
    assert total.waitlisted == 3  # Bo, Carl (got a place), Eva (cancelled) at E2
    assert total.waitlist_rate == 3 / 10
    assert (total.attended, total.absent, total.excused) == (3, 2, 1)
    assert total.no_show_rate == 2 / 6
    assert figures.cities_represented == 4  # Helsinki, Malmö, Oslo, Copenhagen


def test_per_city_role_kind_format_month_and_event(seed):
    figures = statistics(Filters(2027, 2027))
    assert (
        by_slug(figures, "helsinki").registrations,
        by_slug(figures, "helsinki").participants,
    ) == (2, 2)
    assert (by_slug(figures, "malmo").registrations, by_slug(figures, "malmo").participants) == (
        3,
        2,
    )
    assert (by_slug(figures, "oslo").registrations, by_slug(figures, "oslo").participants) == (3, 2)
    # Dorte's registration counts for Copenhagen after she deleted her account.
    assert by_slug(figures, "copenhagen").participants == 1
    assert by_slug(figures, "copenhagen").excused == 1
    assert (
        by_slug(figures, "stockholm").registrations,
        by_slug(figures, "stockholm").participants,
    ) == (1, 0)
    assert city_id("nuuk") not in figures.by_city
    assert figures.by_role[role_id("practitioner")].participants == 3
    assert figures.by_role[role_id("mayor")].participants == 2
    assert figures.by_role[role_id("leader")].participants == 2
    assert figures.by_role[role_id("politician")].participants == 0
    assert {kind: c.participants for kind, c in figures.by_kind.items()} == {
        EventKind.city_meeting: 3,
        EventKind.summit: 2,
        EventKind.webinar: 2,
    }
    assert {fmt: c.registrations for fmt, c in figures.by_format.items()} == {
        EventFormat.online: 4,
        EventFormat.in_person: 4,
        EventFormat.hybrid: 2,
    }
    # The summit at 00:30 on 1 January in Helsinki is a January 2027 meeting.
    assert figures.by_month[(2027, 1)].participants == 2
    assert figures.by_month[(2027, 3)].participants == 3
    assert figures.by_month[(2027, 6)].participants == 2
    assert sum(c.registrations for c in figures.by_month.values()) == 10
    cities = {event.title: event.cities for event in figures.events}
    assert cities == {
        "New Year summit": 2,
        "Copenhagen city meeting": 3,
        "Webinar on hate speech": 2,
    }
    assert figures.city_month[(city_id("malmo"), 2027, 1)] == 1


def test_new_returning_and_anonymous(seed):
    figures = statistics(Filters(2027, 2027))
    year = figures.people[2027]
    # Aino and Carl came in 2026 already; Bo is new; Dorte's registration is anonymous.
    assert (year.people, year.new, year.returning, year.anonymous) == (3, 1, 2, 1)
    assert (figures.people[2026].people, figures.people[2026].new) == (2, 2)
    assert list(figures.people) == [2023, 2024, 2025, 2026, 2027]


def test_cities_over_the_years_and_the_idle_ones(seed):
    figures = statistics(Filters(2027, 2027))
    assert figures.city_year[(city_id("oslo"), 2026)] == 1
    assert figures.city_year[(city_id("oslo"), 2027)] == 2
    idle = {city.slug for city in figures.idle_cities()}
    assert "stockholm" in idle and "nuuk" in idle
    assert not idle & {"helsinki", "malmo", "oslo", "copenhagen"}
    assert len(idle) == 16


def test_filters(seed):
    practitioners = statistics(Filters(2027, 2027, role_id=role_id("practitioner")))
    assert (practitioners.total.registrations, practitioners.total.participants) == (3, 3)
    malmo = statistics(Filters(2027, 2027, city_id=city_id("malmo")))
    assert (malmo.total.registrations, malmo.total.participants) == (3, 2)
    webinars = statistics(Filters(2027, 2027, kind=EventKind.webinar))
    assert [event.title for event in webinars.events] == ["Webinar on hate speech"]
    assert webinars.total.waitlisted == 3
    online = statistics(Filters(2027, 2027, format=EventFormat.online))
    assert online.total.registrations == 4
    both = statistics(Filters(2026, 2027))
    assert both.total.participants == 9
    assert both.people[2026].new == 2


def test_the_figures_stay_the_same_after_the_retention_purge(seed):
    before = statistics(Filters(2026, 2027))
    report = purge(now=datetime(2030, 1, 1, tzinfo=UTC))
    db.session.commit()
    assert report.counts["registrations"] == 2
    remaining = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.status == RegistrationStatus.cancelled)
    )
    assert remaining == 0
    kept = db.session.scalars(sa.select(PurgedRegistrationCount)).all()
    assert sorted((k.status.value, k.was_waitlisted, k.count) for k in kept) == [
        ("cancelled", False, 1),
        ("cancelled", True, 1),
    ]
    after = statistics(Filters(2026, 2027))
    assert after.total == before.total
    assert after.by_city == before.by_city
    assert after.by_role == before.by_role


def test_public_figures_count_published_public_events_only(seed):
    figures = public_figures(2027)
    assert figures.meetings == 2  # E1 and E3; the webinar is for members, the draft is a draft
    assert figures.participants == 5
    assert figures.member_cities == 20
    assert figures.cities_represented == 4
