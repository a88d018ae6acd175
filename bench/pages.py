"""The year pages with 1,000 and 5,000 events in one year, in-process on SQLite.

Times `/manage/calendar/<year>` (the coordinators' plan, with its conflicts) and
`/calendar/<year>` (the public year) through the Flask test client, medians of a few
requests, and prints the page sizes and SQL statements. No server, no PostgreSQL:
run `.venv/bin/python bench/pages.py [--events 1000 5000]`.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from tempfile import TemporaryDirectory

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench._common import machine, write_section  # noqa: E402
from bench.feeds import CITIES, ROLES, TITLES, ZONES  # noqa: E402

YEAR = 2027
PASSWORD = "benchmark password"


def seed(count: int) -> None:
    """Cities, roles, a coordinator and ``count`` events of YEAR, a third of them drafts."""
    from nscal.accounts.models import AccountRole
    from nscal.accounts.services import create_user
    from nscal.cities.models import City, ParticipantRole
    from nscal.db import db
    from nscal.events.models import EventFormat, EventKind, EventStatus
    from nscal.events.services import EventData, create_event

    rng = random.Random(2027)
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
    first_day = datetime(YEAR, 1, 2).date()  # noqa: DTZ001 - a date
    for index in range(count):
        city = rng.choice(cities) if rng.random() < 0.85 else None
        zone = city.timezone if city else rng.choice(ZONES)
        fmt = EventFormat.online if city is None else rng.choice(list(EventFormat))
        day = first_day + timedelta(days=rng.randrange(360))
        all_day = rng.random() < 0.12
        if all_day:
            start, end = day, day + timedelta(days=rng.choice((1, 1, 2, 3)))
        else:
            clock = clock_time(rng.randrange(8, 17), rng.choice((0, 15, 30, 45)))
            start = datetime.combine(day, clock)
            end = start + timedelta(minutes=rng.choice((60, 90, 120, 180, 240)))
        data = EventData(
            title=rng.choice(TITLES).format(city=city.name if city else "Norden") + f" #{index}",
            kind=rng.choice(list(EventKind)),
            timezone=zone,
            start=start,
            end=end,
            all_day=all_day,
            format=fmt,
            host_city=city,
            audience=rng.sample(roles, rng.choice((0, 0, 1, 2))),
        )
        status = EventStatus.draft if index % 3 == 0 else EventStatus.published
        create_event(data, status=status)
        if index % 500 == 0:
            db.session.commit()
    db.session.commit()


def timed(client, path: str, runs: int) -> tuple[float, int, int]:
    """Median seconds, bytes and SQL statements of GET ``path``."""
    from nscal.db import db

    statements = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
    samples, body = [], b""
    for _ in range(runs):
        statements.clear()
        begin = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - begin)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")
        body = response.data
    return statistics.median(samples), len(body), len(statements), bare_reference(body, runs)


def bare_reference(body: bytes, runs: int) -> float:
    """Median seconds for a bare Flask app to answer GET with ``body`` (the same bytes),
    through the same test client: what the framework alone costs for such a page."""
    from flask import Flask

    bare = Flask("bare")
    bare.add_url_rule("/", "page", lambda: body)
    client = bare.test_client()
    samples = []
    for _ in range(runs):
        begin = time.perf_counter()
        client.get("/")
        samples.append(time.perf_counter() - begin)
    return statistics.median(samples)


def run(count: int, runs: int) -> list[tuple]:
    import flask_migrate

    from nscal import create_app
    from nscal.db import db

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
            seed(count)
            client = app.test_client()
            client.get(f"/calendar/{YEAR}")  # warm the templates before logging in
            public = timed(client, f"/calendar/{YEAR}", runs)
            client.post(
                "/auth/login", data={"email": "coordinator@example.org", "password": PASSWORD}
            )
            plan = timed(client, f"/manage/calendar/{YEAR}", runs)
            db.session.remove()
            db.engine.dispose()
    rows = []
    for name, (seconds, size, statements, bare) in (
        (f"/calendar/{YEAR}", public),
        (f"/manage/calendar/{YEAR}", plan),
    ):
        print(
            f"{count:>6} events  {name:<22} {seconds * 1000:8.1f} ms"
            f"  {size / 1024:8.0f} KB  {statements:3} SQL  (bare {bare * 1000:.1f} ms)"
        )
        rows.append((count, name, seconds, size, statements, bare))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = [row for count in args.events for row in run(count, args.runs)]
    table = [
        "| events | page | median | bare Flask, same bytes | ratio | size | SQL |",
        "|---|---|---|---|---|---|---|",
    ]
    for count, name, seconds, size, statements, bare in rows:
        table.append(
            f"| {count:,} | `{name}` | {seconds * 1000:.0f} ms | {bare * 1000:.1f} ms | "
            f"{seconds / bare:.0f}× | {size / 1024:.0f} KB | {statements} |"
        )
    write_section(
        "Year pages (in-process, SQLite)",
        f"""
`python bench/pages.py --events {' '.join(map(str, args.events))}` on {machine()}.
All events in {YEAR}, a third of them drafts; medians of {args.runs} requests through the
Flask test client, beside a bare Flask app answering the same bytes. The coordinators'
plan shows at most 200 events a page (conflicts counted over the whole year), so its
size stays bounded; SQL statements do not grow with the events.

{chr(10).join(table)}
""",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
