"""The statistics page at 20,000 registrations over five years, in-process on SQLite.

Times `/manage/statistics` (five years, and one year) and one of its charts through
the Flask test client, medians of a few requests, beside a bare Flask app answering
the same bytes, and prints the SQL statements (the same at any size). No server, no
PostgreSQL: run `.venv/bin/python bench/statistics.py [--registrations 20000]`
(`--print-only` leaves docs/benchmarks.md alone).
"""

import argparse
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

# The repository instead of bench/ itself: this file's name would hide the standard
# library's ``statistics`` that bench/pages.py and bench/feeds.py use.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench._common import machine, write_section  # noqa: E402
from bench.feeds import CITIES, ROLES  # noqa: E402
from bench.pages import PASSWORD, timed  # noqa: E402

YEARS = (2023, 2024, 2025, 2026, 2027)
EVENTS_PER_YEAR = 60


def seed(registrations: int) -> None:
    """Cities, roles, people, 60 published events a year and ``registrations`` spread
    over them, with status history (some waitlisted, some cancelled, some anonymous)
    and attendance marks; inserted in bulk."""
    import sqlalchemy as sa

    from nscal.accounts.models import AccountRole, User
    from nscal.accounts.services import create_user
    from nscal.attendance.models import Attendance
    from nscal.cities.models import City, ParticipantRole
    from nscal.db import db
    from nscal.events.models import Event, EventFormat, EventKind, EventStatus
    from nscal.registrations.models import Registration, RegistrationStatusChange

    rng = random.Random(20_000)
    cities = [City(name=n, slug=s, country=c, timezone=z) for n, s, c, z in CITIES]
    roles = [ParticipantRole(slug=s, name=n) for s, n in ROLES]
    db.session.add_all(cities + roles)
    db.session.flush()
    create_user(
        email="coordinator@example.org",
        name="Coordinator",
        account_role=AccountRole.coordinator,
        password=PASSWORD,
    )
    people = registrations // 8
    db.session.execute(
        sa.insert(User),
        [
            {
                "email": f"person{i}@example.org",
                "name": f"Person {i}",
                "city_id": cities[i % len(cities)].id,
                "participant_role_id": roles[i % len(roles)].id,
                "account_role": AccountRole.member,
                "feed_token": f"bench-token-{i}",
            }
            for i in range(people)
        ],
    )
    user_ids = list(db.session.execute(sa.select(User.id, User.city_id, User.participant_role_id)))
    events = []
    for year in YEARS:
        for index in range(EVENTS_PER_YEAR):
            start = datetime(year, 1, 5, 9, tzinfo=UTC) + timedelta(days=index * 6)
            events.append(
                {
                    "uid": f"bench-{year}-{index}@nscal",
                    "title": f"Meeting {year} #{index}",
                    "kind": rng.choice(list(EventKind)),
                    "format": rng.choice(list(EventFormat)),
                    "timezone": cities[index % len(cities)].timezone,
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=2),
                    "status": EventStatus.published,
                }
            )
    db.session.execute(sa.insert(Event), events)
    event_ids = list(db.session.scalars(sa.select(Event.id)))
    rows, pairs = [], set()
    while len(rows) < registrations:
        event_id = rng.choice(event_ids)
        user_id, city_id, role_id = rng.choice(user_ids)
        if (event_id, user_id) in pairs:
            continue
        pairs.add((event_id, user_id))
        roll = rng.random()
        status = "confirmed" if roll < 0.8 else "waitlisted" if roll < 0.88 else "cancelled"
        rows.append(
            {
                "event_id": event_id,
                "user_id": None if rng.random() < 0.05 else user_id,
                "city_id": city_id,
                "participant_role_id": role_id,
                "status": status,
                "note": "",
            }
        )
    db.session.execute(sa.insert(Registration), rows)
    registered = list(db.session.execute(sa.select(Registration.id, Registration.status)))
    db.session.execute(
        sa.insert(RegistrationStatusChange),
        [{"registration_id": r.id, "from_status": None, "to_status": r.status} for r in registered],
    )
    db.session.execute(
        sa.insert(Attendance),
        [
            {
                "registration_id": r.id,
                "status": rng.choice(("attended",) * 8 + ("absent", "excused")),
            }
            for r in registered
            if r.status == "confirmed" and rng.random() < 0.7
        ],
    )
    db.session.commit()


def run(registrations: int, runs: int) -> list[tuple]:
    import flask_migrate

    from nscal import create_app
    from nscal.db import db

    paths = [
        "/manage/statistics?year_from=2023&year_to=2027",
        "/manage/statistics?year_from=2027&year_to=2027",
        "/manage/statistics/charts/city-months.svg?year_from=2023&year_to=2027",
    ]
    with TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                "SECRET_KEY": "benchmark-secret-key",
                "WTF_CSRF_ENABLED": False,
                "MAIL_BACKEND": "memory",
            }
        )
        with app.app_context():
            flask_migrate.upgrade()
            seed(registrations)
            client = app.test_client()
            client.post(
                "/auth/login", data={"email": "coordinator@example.org", "password": PASSWORD}
            )
            client.get(paths[0])  # warm the templates and pygal
            results = [(path, timed(client, path, runs)) for path in paths]
            db.session.remove()
            db.engine.dispose()
    rows = []
    for path, (seconds, size, statements, bare) in results:
        print(
            f"{registrations:>6} registrations  {path:<70} {seconds * 1000:8.1f} ms"
            f"  {size / 1024:6.0f} KB  {statements:3} SQL  (bare {bare * 1000:.1f} ms)"
        )
        rows.append((registrations, path, seconds, size, statements, bare))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--print-only", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args()
    rows = [row for count in args.registrations for row in run(count, args.runs)]
    if args.print_only:
        return 0
    table = [
        "| registrations | page | median | bare Flask, same bytes | ratio | size | SQL |",
        "|---|---|---|---|---|---|---|",
    ]
    for count, path, seconds, size, statements, bare in rows:
        table.append(
            f"| {count:,} | `{path}` | {seconds * 1000:.0f} ms | {bare * 1000:.1f} ms | "
            f"{seconds / bare:.0f}× | {size / 1024:.0f} KB | {statements} |"
        )
    write_section(
        "Statistics (in-process, SQLite)",
        f"""
`python bench/statistics.py --registrations {" ".join(map(str, args.registrations))}` on
{machine()}. {EVENTS_PER_YEAR} published events a year over {len(YEARS)} years, the
registrations spread over them (a fifth waitlisted or cancelled, one in twenty anonymous,
most confirmed ones marked); medians of {args.runs} requests through the Flask test
client, beside a bare Flask app answering the same bytes. The SQL statements are the same
at every size: every figure is a GROUP BY.

{chr(10).join(table)}
""",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
