"""The pages that grow with the events, at 1,000, 5,000 and 20,000 events, side by side.

In-process, through the Flask test client (no server): the public year and month
(`/calendar/<year>`, `/calendar/<year>/<month>`, anonymous), the upcoming events
(`/events/`, 20 a page, with their count), the search (`/events/?q=`,
a rare and a common text) and the coordinators' plan (`/manage/calendar/<year>`, its
first and a middle page), beside a bare reference measured in the same run: a Flask
hello-world page through the same test client. Medians of a few requests, with the
page sizes and SQL statements; the section "Pages" of docs/benchmarks.md is rewritten.

    .venv/bin/python bench/pages.py [--events 1000 5000 20000] [--runs 7] [--postgresql]

SQLite by default (the embedded default); ``--postgresql`` uses a fresh database on
127.0.0.1:5432 (see bench/_common.py).
"""

import argparse
import gc
import json
import os
import random
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from tempfile import TemporaryDirectory

# Run as a script, this folder comes first on sys.path, and bench/statistics.py would
# hide the standard library's module of that name.
ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import statistics  # noqa: E402

import sqlalchemy as sa  # noqa: E402

from bench._common import RESULTS, fresh_database, machine, write_section  # noqa: E402
from bench.feeds import CITIES, ROLES, SENTENCES, TITLES, VENUES, ZONES  # noqa: E402

YEAR = 2027
PASSWORD = "benchmark password"
RARE = "#1234"  # the title of event 1234 and of 12340–12349
COMMON = "tryghed"  # in a title and a sentence of the descriptions: thousands of events

# (label, path, signed in as the coordinator)
PAGES = [
    ("public year", f"/calendar/{YEAR}", False),
    ("year, as the coordinator", f"/calendar/{YEAR}", True),
    ("public month", f"/calendar/{YEAR}/3", False),
    ("upcoming events", "/events/", False),
    ("search, few matches", f"/events/?q={RARE.replace('#', '%23')}", False),
    ("search, many matches", f"/events/?q={COMMON}", False),
    ("plan of the year", f"/manage/calendar/{YEAR}", True),
    ("plan, a middle page", f"/manage/calendar/{YEAR}?page={{middle}}", True),
]


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
            description=" ".join(rng.sample(SENTENCES, rng.randrange(1, 4))),
            venue=rng.choice(VENUES) if fmt != EventFormat.online else "",
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


def median_ms(client, path: str, runs: int, engine) -> tuple[float, bytes, int, float]:
    """Median wall milliseconds, the body and the SQL statements of GET ``path`` (a 200),
    and the median CPU milliseconds of this process for it."""
    statements: list[str] = []

    def record(*_args):
        statements.append("")

    sa.event.listen(engine, "before_cursor_execute", record)
    samples, cpu, body, count = [], [], b"", 0
    try:
        for _ in range(runs):
            statements.clear()
            begin, begin_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            cpu.append((time.process_time() - begin_cpu) * 1000)
            samples.append((time.perf_counter() - begin) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code}")
            body, count = response.data, len(statements)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return statistics.median(samples), body, count, statistics.median(cpu)


def timed(client, path: str, runs: int) -> tuple[float, int, int, float]:
    """Median seconds, bytes and SQL statements of GET ``path``, and the median seconds of
    a bare Flask app answering the same bytes (bench/statistics.py reports these)."""
    engine = client.application.extensions["sqlalchemy"].engine
    ms, body, queries, _cpu = median_ms(client, path, runs, engine)
    return ms / 1000, len(body), queries, bare_reference(body, runs)


def bare_reference(body: bytes, runs: int) -> float:
    """Median seconds for a bare Flask app to answer GET with ``body``."""
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


def hello_world_ms(runs: int) -> tuple[float, float]:
    """A bare Flask hello-world page through the same test client: the framework alone.
    Median wall and CPU milliseconds."""
    from flask import Flask

    bare = Flask("bare")
    bare.add_url_rule("/", "hello", lambda: "Hello, World!")
    client = bare.test_client()
    client.get("/")
    samples, cpu = [], []
    for _ in range(max(runs, 50)):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        client.get("/")
        cpu.append((time.process_time() - begin_cpu) * 1000)
        samples.append((time.perf_counter() - begin) * 1000)
    return statistics.median(samples), statistics.median(cpu)


def log_in(client) -> None:
    page = client.get("/auth/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/auth/login",
        data={"email": "coordinator@example.org", "password": PASSWORD, "csrf_token": token},
    )
    if response.status_code != 302:
        raise RuntimeError("the coordinator could not log in")


def run(count: int, runs: int, postgresql: bool) -> list[dict]:
    import flask_migrate

    from nscal import create_app
    from nscal.db import db

    with TemporaryDirectory() as tmp:
        url = (
            fresh_database(f"nscal_bench_pages_{count}")
            if postgresql
            else (f"sqlite:///{tmp}/bench.sqlite")
        )
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "benchmark-secret-key",
                "MAIL_BACKEND": "memory",
            }
        )
        rows = []
        with app.app_context():
            flask_migrate.upgrade()
            began = time.perf_counter()
            seed(count)
            if postgresql:
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.exec_driver_sql("VACUUM ANALYZE")
            engine = db.engine
            db.session.remove()
        print(f"{count:>6} events seeded in {time.perf_counter() - began:.0f} s", flush=True)
        # As a worker after its start (wsgi.py): what is loaded is frozen out of the
        # garbage collector's generations. Unfrozen after this size, so it can go.
        gc.collect()
        gc.freeze()
        # The requests run outside any app context, as in a server: inside one, every
        # request would share its ``g`` (and Flask-Login's user cached there), and the
        # anonymous pages would be the coordinator's.
        anonymous, coordinator = app.test_client(), app.test_client()
        log_in(coordinator)
        plan_pages = None
        for label, path, signed_in in PAGES:
            client = coordinator if signed_in else anonymous
            if "{middle}" in path:
                path = path.format(middle=max(1, (plan_pages or 1) // 2 + 1))
            client.get(path)  # templates compiled, caches warm, as in a running worker
            hello, hello_cpu = hello_world_ms(runs)
            ms, body, queries, cpu = median_ms(client, path, runs, engine)
            if path == f"/calendar/{YEAR}" and (b"for members</h1>" in body) != signed_in:
                raise RuntimeError(f"{label}: the page was not read as meant")
            found = re.search(rb"Page \d+ of (\d+)", body)
            if label == "plan of the year":
                plan_pages = int(found.group(1)) if found else 1
            rows.append(
                {
                    "load": os.getloadavg()[0],
                    "events": count,
                    "label": label,
                    "path": path,
                    "ms": ms,
                    "cpu": cpu,
                    "hello": hello,
                    "hello_cpu": hello_cpu,
                    "size": len(body),
                    "sql": queries,
                }
            )
            print(
                f"{count:>6} events  {label:<24} {cpu:8.1f} ms CPU {ms:8.1f} ms wall"
                f"  {len(body) / 1024:6.0f} KB  {queries:2} SQL"
                f"  (hello world {hello_cpu:.2f} ms)",
                flush=True,
            )
        engine.dispose()
        gc.unfreeze()
    return rows


def measure_apart(count: int, args) -> list[dict]:
    """``run(count)`` in a process of its own, as a worker serves one database: in one
    process, the memory and frozen objects left by the smaller sizes made the larger
    ones' pages up to a half slower than in a fresh worker."""
    command = [sys.executable, __file__, "--rows-of", str(count), "--runs", str(args.runs)]
    if args.postgresql:
        command.append("--postgresql")
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    for line in done.stdout.splitlines():
        if line.startswith("ROWS "):
            return json.loads(line[len("ROWS ") :])
        print(line, flush=True)
    raise RuntimeError(f"the measurement of {count} events wrote no rows")


TARGETS = {  # (events, label) -> target in ms, from issue 11
    **{
        (5000, label): 50
        for label in (
            "public year",
            "public month",
            "upcoming events",
            "search, few matches",
            "search, many matches",
        )
    },
    (20000, "plan of the year"): 150,
    (20000, "plan, a middle page"): 150,
    (20000, "search, few matches"): 10,
    (20000, "search, many matches"): 10,
}


def drop_old_section(title: str) -> None:
    """Remove the section this benchmark wrote under an earlier title."""
    if RESULTS.exists():
        text = RESULTS.read_text()
        pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
        RESULTS.write_text(pattern.sub("", text))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--postgresql", action="store_true")
    # Internal: measure one size and print its rows as JSON (see measure_apart).
    parser.add_argument("--rows-of", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rows_of:
        rows = run(args.rows_of, args.runs, args.postgresql)
        print("ROWS " + json.dumps(rows), flush=True)
        return 0
    load_before = os.getloadavg()[0]
    rows = [row for count in args.events for row in measure_apart(count, args)]
    load_after = os.getloadavg()[0]
    by_key = {(row["events"], row["label"]): row for row in rows}
    smallest = min(args.events)
    table = [
        "| events | page | CPU, median | wall, median | × hello world (CPU) "
        "| × at the smallest size (CPU) | size | SQL | load | target (CPU) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        base = by_key[(smallest, row["label"])]
        growth = row["cpu"] / base["cpu"]
        target = TARGETS.get((row["events"], row["label"]))
        verdict = ""
        if target is not None:
            verdict = f"≤ {target} ms: {'met' if row['cpu'] <= target else 'missed'}"
        table.append(
            f"| {row['events']:,} | {row['label']} `{row['path']}` | {row['cpu']:.1f} ms | "
            f"{row['ms']:.1f} ms | {row['cpu'] / row['hello_cpu']:.0f}× | {growth:.1f}× "
            f"({row['events'] / smallest:.0f}× the events) | {row['size'] / 1024:.0f} KB | "
            f"{row['sql']} | {row['load']:.1f} | {verdict} |"
        )
    engine = "PostgreSQL on 127.0.0.1" if args.postgresql else "SQLite"
    command = f"python bench/pages.py --events {' '.join(map(str, args.events))} --runs {args.runs}"
    if args.postgresql:
        command += " --postgresql"
    hello = statistics.median(row["hello_cpu"] for row in rows)
    drop_old_section("Year pages (in-process, SQLite)")
    write_section(
        "Pages (in-process)",
        f"""
Command: `{command}` (part of `make bench`)
Machine: {machine()}; {engine}; measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load
average {load_before:.1f} before the run, {load_after:.1f} after (the column "load": at
each page's measurement; on 2 cores, above 2 means other processes waited for the CPU
too, and CPU time per request grows with the sharing of caches and cores).

All events in {YEAR} (the densest case: 20,000 events are 55 a day), a third of them
drafts, 12% all-day, 85% hosted by one of 11 cities in 7 zones, a quarter for one role and
a quarter for two; descriptions of 1–3 sentences in Nordic languages. Each size is measured in a
fresh process (as a worker serves one database). Medians of
{args.runs} requests through the Flask test client after one warm-up request; the bare
reference is a Flask hello-world page through the same test client in the same run
(median {hello:.2f} ms CPU). The figures are the process's CPU time per request
(`time.process_time`): the machine is shared, and wall time on it measures the other
processes as much as nscal (it is given beside; on an idle machine the two agree, as the
database is in-process; with `--postgresql` the server's time is in the wall time only).
Public pages anonymous (they show the published public events: two thirds), the year
also as the coordinator (every event, drafts with their badges: what earlier runs
measured as "public year", since their requests shared one app context
and with it the signed-in user Flask-Login keeps in `g`), the plan as
a coordinator (every event, 200 a page, conflicts with the first three overlaps named;
each event's overlaps counted over the whole year with bisections over sorted starts and
ends, no pair enumerated).
Search: `q={RARE}` matches 11 events, `q={COMMON}` thousands
(the list shows 20 a page; every candidate's texts are re-checked, so the event table
is read through SQLite's page cache, 32 MiB a connection in nscal: with SQLite's
default of 2 MiB it was read again from the operating system on every search).
SQL statements per page are asserted in the tests as well.

{chr(10).join(table)}
""",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
