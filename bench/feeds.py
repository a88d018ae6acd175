"""The public feed /calendar.ics with 5,000 events on PostgreSQL, served by gunicorn.

Measures, in one run: the cold feed (first feed request of a fresh worker), the warm
feed, the 304 answer to If-None-Match, a static file of the same bytes served by the
same gunicorn, the rebuild after one event changes, the SQL statements of a warm
feed and of a 304 (in-process, Flask test client), and the peak memory of a cold build
(fresh subprocess). Run: `make bench` (or `.venv/bin/python bench/feeds.py`).

A missed target is reported as MISSED; the script exits non-zero only when a run
breaks (an error, a wrong status code, wrong bytes).
"""

import argparse
import hashlib
import http.client
import json
import math
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from tempfile import TemporaryDirectory

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench._common import (  # noqa: E402
    PG_ADMIN_URL,
    ROOT,
    bench_env,
    fresh_database,
    gunicorn,
    machine,
    write_section,
)

DATABASE = "nscal_bench_feeds"
FEED = "/calendar.ics"
STATIC_NAME = "bench-feed.ics"
STATIC = f"/static/{STATIC_NAME}"
MB = 1024 * 1024

# (name, slug, country, IANA zone): cities in all seven Nordic zones.
CITIES = [
    ("Copenhagen", "copenhagen", "Denmark", "Europe/Copenhagen"),
    ("Aarhus", "aarhus", "Denmark", "Europe/Copenhagen"),
    ("Malmö", "malmo", "Sweden", "Europe/Stockholm"),
    ("Gothenburg", "gothenburg", "Sweden", "Europe/Stockholm"),
    ("Oslo", "oslo", "Norway", "Europe/Oslo"),
    ("Bærum", "baerum", "Norway", "Europe/Oslo"),
    ("Helsinki", "helsinki", "Finland", "Europe/Helsinki"),
    ("Vantaa", "vantaa", "Finland", "Europe/Helsinki"),
    ("Reykjavík", "reykjavik", "Iceland", "Atlantic/Reykjavik"),
    ("Nuuk", "nuuk", "Greenland", "America/Nuuk"),
    ("Tórshavn", "torshavn", "Faroe Islands", "Atlantic/Faroe"),
]
ZONES = sorted({zone for *_rest, zone in CITIES})
ROLES = [
    ("practitioner", "Practitioner"),
    ("mayor", "Mayor"),
    ("politician", "Politician"),
    ("leader", "Leader"),
]
TITLES = [
    "Bymøde om tryghed i boligområder",
    "Årsmøde i netværket",
    "Stadsmöte: trygghet i centrum",
    "Kick-off för det förebyggande året",
    "Byråd og forebygging: erfaringer fra {city}",
    "Työpaja: nuorten turvallisuus ja ennaltaehkäisy",
    "Fundur um öryggi í hverfum",
    "Fundur í {city}: samstarf lögreglu og sveitarfélaga",
    "Workshop: safe nightlife in {city}",
    "Webinar: data on youth crime, a Nordic comparison",
    "Summit of mayors in {city}",
    "Practitioners' exchange: outreach work in {city}",
    "Kommunalt netværksmøde i {city}",
    "Seminar om radikalisering og exit-arbejde",
]
SENTENCES = [
    "Vi ses i rådhusets store sal, hvor kaffe og morgenbrød står klar fra kl. 8.30.",
    "Mødet handler om tryghed i boligområder, samarbejdet mellem SSP, politi og "
    "boligsociale medarbejdere og om, hvad der virker for de unge.",
    "Dagordningen följer nätverkets årsplan: lägesbild, erfarenhetsutbyte i mindre "
    "grupper och gemensamma slutsatser för det fortsatta arbetet.",
    "Deltagarna får höra hur Malmö och Göteborg arbetar med trygghetsvandringar och "
    "platssamverkan, och diskutera hur metoderna kan överföras.",
    "Møtet holdes på norsk, svensk og dansk; presentasjonene deles på engelsk etterpå.",
    "Vi ser på forebygging av kriminalitet blant unge og på hvordan kommunene kan "
    "bruke SLT-modellen bedre, med eksempler fra Oslo, Bærum og Bergen.",
    "Tilaisuudessa kuullaan Helsingin ja Vantaan kokemuksia nuorten turvallisuustyöstä "
    "sekä keskustellaan yhteisistä mittareista ja seurannasta.",
    "Työpajaan osallistuminen edellyttää ennakkoilmoittautumista; paikkoja on rajoitetusti.",
    "Á fundinum verður rætt um öryggi í hverfum, samstarf lögreglu og sveitarfélaga "
    "og reynslu Reykjavíkur af forvarnarstarfi meðal ungmenna.",
    "Fundurin verður í Tórshavn, og vit fara saman ein túr gjøgnum býin eftir døgurða.",
    "Ataatsimiinneq Nuummi ingerlanneqassaaq, sulisut nunap immikkoortuini suliaat "
    "pillugit oqaloqatigiinnissaq siunertaralugu.",
    "Practical information about travel, accommodation and the dinner follows by mail "
    "to everyone registered two weeks before the event.",
    "The session is recorded for members who cannot attend; slides and notes are shared "
    "in the members' area afterwards.",
    "Please bring one example from your own city: a project that worked, or one that "
    "did not, and what you learned from it.",
]
VENUES = [
    "Rådhuset, mødesal 1",
    "Stadshuset, Blå hallen",
    "Kulturhuset, sal 3",
    "Kaupungintalo, juhlasali",
    "Ráðhús Reykjavíkur",
    "Norðurlandahúsið",
    "Katuaq, mødelokale",
]


# --- seeding ---------------------------------------------------------------------------


def seed(env: dict, count: int) -> dict:
    """Migrate, then add cities, roles and ``count`` published public events through the
    event service (a few series among them); returns what the rest of the run needs."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "nscal", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    from nscal.cities.models import City, ParticipantRole
    from nscal.db import db
    from nscal.events.models import Event, EventFormat, EventKind, EventStatus
    from nscal.events.services import EventData, create_event

    rng = random.Random(2027)
    app = make_app(env)
    with app.app_context():
        cities = [City(name=n, slug=s, country=c, timezone=z) for n, s, c, z in CITIES]
        roles = [ParticipantRole(slug=s, name=n) for s, n in ROLES]
        db.session.add_all(cities + roles)
        db.session.flush()
        today = datetime.now(UTC).date()
        first_day, days = today - timedelta(days=360), 360 + 730

        def event_data(index: int) -> EventData:
            city = rng.choice(cities) if rng.random() < 0.85 else None
            zone = city.timezone if city else rng.choice(ZONES)
            fmt = EventFormat.online if city is None else rng.choice(list(EventFormat))
            day = first_day + timedelta(days=rng.randrange(days))
            all_day = rng.random() < 0.12
            if all_day:
                start, end = day, day + timedelta(days=rng.choice((1, 1, 2, 3)))
            else:
                # Office hours: never in a DST gap or fold, in any of the zones.
                clock = clock_time(rng.randrange(8, 17), rng.choice((0, 15, 30, 45)))
                start = datetime.combine(day, clock)
                end = start + timedelta(minutes=rng.choice((60, 90, 120, 180, 240)))
            sentences = rng.sample(SENTENCES, rng.randint(2, 7))
            return EventData(
                title=rng.choice(TITLES).format(city=city.name if city else "Norden")
                + f" #{index}",
                kind=rng.choice(list(EventKind)),
                timezone=zone,
                start=start,
                end=end,
                all_day=all_day,
                format=fmt,
                description=" ".join(sentences),
                host_city=city,
                venue=rng.choice(VENUES) if fmt is not EventFormat.online else "",
                online_url="https://meet.example/nsc-" + str(index)
                if fmt is not EventFormat.in_person
                else "",
                audience=rng.sample(roles, rng.choice((0, 0, 1, 2))),
                capacity=rng.choice((None, 30, 80, 200)),
            )

        # A few monthly series of 12 occurrences, from the past into the future.
        series = 0
        for index in range(4):
            data = event_data(index)
            data = replace(data, all_day=False, rrule="FREQ=MONTHLY;COUNT=12")
            begin = datetime.combine(today - timedelta(days=150 + 30 * index), datetime.min.time())
            data = replace(
                data, start=begin.replace(hour=10), end=begin.replace(hour=11, minute=30)
            )
            create_event(data, status=EventStatus.published)
            series += 12
        for index in range(series, count):
            create_event(event_data(index), status=EventStatus.published)
            if index % 500 == 0:
                db.session.commit()
        db.session.commit()
        total = db.session.scalar(sa.select(sa.func.count(Event.id)))
        all_day = db.session.scalar(sa.select(sa.func.count(Event.id)).where(Event.all_day))
        zones = db.session.scalar(sa.select(sa.func.count(sa.distinct(Event.timezone))))
        # The event whose title the rebuild part changes: one in the future, not in a series.
        changed = db.session.scalars(
            sa.select(Event.id)
            .where(Event.series_id.is_(None), Event.starts_at > datetime.now(UTC))
            .order_by(Event.id)
            .limit(20)
        ).all()
        db.session.remove()
        db.engine.dispose()
    if total != count:
        raise RuntimeError(f"seeded {total} events, expected {count}")
    # Measure the steady state autovacuum keeps (planner statistics, visibility map),
    # not the minute after a bulk load.
    engine = sa.create_engine(env["NSCAL_DATABASE_URL"], isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()
    return {
        "events": total,
        "all_day": all_day,
        "zones": zones,
        "series": series,
        "to_change": changed,
    }


def make_app(env: dict):
    from nscal import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": env["NSCAL_DATABASE_URL"],
            "SECRET_KEY": env["NSCAL_SECRET_KEY"],
        }
    )


# --- HTTP ------------------------------------------------------------------------------


class BenchFailure(RuntimeError):
    """The run broke: a wrong status code, wrong bytes, an error."""


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


class Client:
    """One sequential client over one http.client connection, reused while the server
    keeps it open (gunicorn's sync workers close it after each response; http.client
    then opens a new one by itself)."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(self, path: str, headers: dict | None = None, expect: int = 200) -> Reply:
        began = time.perf_counter()
        self.connection.request("GET", path, headers=headers or {})
        response = self.connection.getresponse()
        body = response.read()
        seconds = time.perf_counter() - began
        if response.status != expect:
            raise BenchFailure(f"GET {path}: {response.status}, expected {expect}")
        return Reply(
            response.status, {k.lower(): v for k, v in response.getheaders()}, body, seconds
        )

    def close(self) -> None:
        self.connection.close()


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(len(ordered) * 0.95) - 1]


def throughput(port: int, path: str, clients: int, per_client: int, length: int) -> float:
    """Requests per second of ``clients`` concurrent sequential clients."""
    errors = []
    start = threading.Barrier(clients + 1)

    def work() -> None:
        client = Client(port)
        start.wait()
        try:
            for _ in range(per_client):
                reply = client.get(path)
                if len(reply.body) != length:
                    raise BenchFailure(f"{path}: {len(reply.body)} bytes, expected {length}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            client.close()

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise BenchFailure(f"concurrent GET {path}: {errors[0]}")
    return clients * per_client / elapsed


# --- the parts -------------------------------------------------------------------------


def check_feed(reply: Reply) -> None:
    if not reply.headers.get("content-type", "").startswith("text/calendar"):
        raise BenchFailure(f"feed content type {reply.headers.get('content-type')!r}")
    if not reply.body.startswith(b"BEGIN:VCALENDAR\r\n") or not reply.body.endswith(
        b"END:VCALENDAR\r\n"
    ):
        raise BenchFailure("the feed is not a VCALENDAR")


def cold_samples(env: dict, samples: int, expected_events: int) -> list[float]:
    """The first /calendar.ics of a fresh single worker (after one /healthz, so worker
    start-up and the database connection are not counted), one restart per sample."""
    seconds = []
    for _ in range(samples):
        with gunicorn(env, 1) as port:
            client = Client(port)
            client.get("/healthz")
            reply = client.get(FEED)
            check_feed(reply)
            found = reply.body.count(b"BEGIN:VEVENT\r\n")
            if found != expected_events:
                raise BenchFailure(f"cold feed has {found} events, expected {expected_events}")
            seconds.append(reply.seconds)
            client.close()
    return seconds


def warm_parts(env: dict, app, args, to_change: list[int]) -> dict:
    """On one warm worker: warm feed, 304, static file of the same bytes, and the rebuild
    after one event's title changes."""
    from nscal.db import db
    from nscal.events.models import Event
    from nscal.events.services import event_from_data, update_event

    result = {}
    static_path = ROOT / "nscal" / "static" / STATIC_NAME
    with gunicorn(env, 1) as port:
        client = Client(port)
        client.get("/healthz")
        first = client.get(FEED)
        check_feed(first)
        body, etag = first.body, first.headers["etag"]
        result["bytes"] = len(body)
        digest = hashlib.sha256(body).digest()

        def same_feed(reply: Reply) -> None:
            if reply.headers.get("etag") != etag or hashlib.sha256(reply.body).digest() != digest:
                raise BenchFailure("the warm feed changed between requests")

        def same_bytes(reply: Reply) -> None:
            if hashlib.sha256(reply.body).digest() != digest:
                raise BenchFailure("the static file's bytes differ from the feed's")

        def empty(reply: Reply) -> None:
            if reply.body:
                raise BenchFailure("a 304 with a body")

        # Side by side: one warm feed, one 304, one static file in each round, so that
        # all three meet the same moment of a shared machine.
        kinds = {
            "warm": (FEED, {}, 200, same_feed),
            "not_modified": (FEED, {"If-None-Match": etag}, 304, empty),
            "static": (STATIC, {}, 200, same_bytes),
        }
        static_path.write_bytes(body)
        try:
            for _round in range(10):  # warm up the worker and both paths
                for path, headers, expect, _check in kinds.values():
                    client.get(path, headers, expect)
            for name in kinds:
                result[name] = []
            for _round in range(args.requests):
                for name, (path, headers, expect, check) in kinds.items():
                    reply = client.get(path, headers, expect)
                    check(reply)
                    result[name].append(reply.seconds)
        finally:
            static_path.unlink(missing_ok=True)

        # The rebuild: change one title through the service, then the next GET.
        rebuilds = []
        with app.app_context():
            for event_id in to_change[: args.changes]:
                event = db.session.get(Event, event_id)
                title = f"{event.title} (flyttet til Tórshavn)"
                update_event(event, replace(event_from_data(event), title=title))
                db.session.commit()
                reply = client.get(FEED)
                check_feed(reply)
                if reply.headers["etag"] == etag:
                    raise BenchFailure("the ETag did not change with the title")
                etag = reply.headers["etag"]
                wanted = f"SUMMARY:{title}".encode()
                if wanted not in reply.body.replace(b"\r\n ", b""):
                    raise BenchFailure("the rebuilt feed lacks the new title")
                rebuilds.append(reply.seconds)
                client.get(FEED, {"If-None-Match": etag}, expect=304)
            db.session.remove()
        result["rebuild"] = rebuilds
        client.close()
    return result


def sql_counts(app) -> dict:
    """SQL statements per request, in-process, counted with a cursor listener."""
    from nscal.db import db
    from nscal.feeds.ical import clear_caches
    from nscal.feeds.services import clear_feed_cache

    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    counts = {}
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        clear_caches()
        clear_feed_cache()
        client = app.test_client()

        def measured(name: str, method, expect: int, headers: dict | None = None):
            statements.clear()
            response = method(FEED, headers=headers or {})
            if response.status_code != expect:
                raise BenchFailure(f"test client, {name}: {response.status_code}")
            counts[name] = len(statements)
            return response

        etag = measured("cold", client.get, 200).headers["ETag"]
        measured("warm", client.get, 200)
        measured("not_modified", client.get, 304, {"If-None-Match": etag})
        measured("head", client.head, 200)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
        clear_caches()
        clear_feed_cache()
        with app.app_context():
            db.engine.dispose()
    return counts


def memory_probe() -> None:
    """In a fresh process: VmHWM after /healthz, then after one cold /calendar.ics."""
    from nscal import create_app

    app = create_app()
    client = app.test_client()
    if client.get("/healthz").status_code != 200:
        raise BenchFailure("/healthz failed")
    idle = _vm("VmHWM")
    began = time.perf_counter()
    response = client.get(FEED)
    seconds = time.perf_counter() - began
    if response.status_code != 200:
        raise BenchFailure(f"{FEED}: {response.status_code}")
    peak = _vm("VmHWM")
    print(
        json.dumps(
            {
                "idle": idle,
                "peak": peak,
                "after": _vm("VmRSS"),
                "seconds": seconds,
                "bytes": len(response.data),
            }
        )
    )


def _vm(field: str) -> int:
    """A /proc/self/status memory field, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def peak_memory(env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--memory-probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise BenchFailure(f"memory probe failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- report ----------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(args, seeded: dict, r: dict) -> str:
    cold = median(r["cold"])
    warm, warm95 = median(r["warm"]), p95(r["warm"])
    static, static95 = median(r["static"]), p95(r["static"])
    nm, nm95 = median(r["not_modified"]), p95(r["not_modified"])
    rebuild = median(r["rebuild"])
    memory = r["memory"]
    grown = (memory["peak"] - memory["idle"]) / MB
    sql = r["sql"]
    command = (
        f".venv/bin/python bench/feeds.py --events {args.events} --cold {args.cold} "
        f"--requests {args.requests} --changes {args.changes} --workers {args.workers} "
        f"--clients {args.clients} --per-client {args.per_client}"
    )
    rows = [
        (
            f"cold feed, median of {len(r['cold'])} (min / max)",
            "",
            f"{ms(cold)} ({ms(min(r['cold']))} / {ms(max(r['cold']))})",
            "",
        ),
        (
            f"warm feed, median / p95 of {len(r['warm'])}",
            f"≤ 2× static ({ms(2 * static)})",
            f"{ms(warm)} / {ms(warm95)} ({warm / static:.2f}× static)",
            verdict(warm <= 2 * static),
        ),
        (
            f"static file of the same bytes, same gunicorn, median / p95 of {len(r['static'])}",
            "",
            f"{ms(static)} / {ms(static95)}",
            "",
        ),
        (
            f"304 on If-None-Match, median / p95 of {len(r['not_modified'])}",
            "",
            f"{ms(nm)} / {ms(nm95)}",
            "",
        ),
        (
            "SQL statements of a 304",
            "≤ 1",
            str(sql["not_modified"]),
            verdict(sql["not_modified"] <= 1),
        ),
        (
            "SQL statements of a warm feed / HEAD / cold feed",
            "",
            f"{sql['warm']} / {sql['head']} / {sql['cold']}",
            "",
        ),
        (
            f"rebuild after one title change (first GET after it), median of {len(r['rebuild'])}",
            f"≤ 1/10 of cold ({ms(cold / 10)})",
            f"{ms(rebuild)} ({rebuild / cold:.1%} of cold)",
            verdict(rebuild <= cold / 10),
        ),
        (
            "peak memory of a cold build above the idle process (VmHWM)",
            "< 100 MB",
            f"{grown:.0f} MB (idle {memory['idle'] / MB:.0f} MB, peak {memory['peak'] / MB:.0f} MB;"
            f" in-process build {ms(memory['seconds'])})",
            verdict(grown < 100),
        ),
        (
            f"throughput, {args.clients} concurrent clients, {args.workers} workers: feed / static",
            "",
            f"{r['feed_rps']:.0f} / {r['static_rps']:.0f} requests/s",
            "",
        ),
    ]
    table = "\n".join(["| measure | target | result | verdict |", "|---|---|---|---|"])
    table += "".join(f"\n| {' | '.join(row)} |" for row in rows)
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    return f"""
Command: `{command}` (part of `make bench`)
Machine: {machine()}; PostgreSQL on 127.0.0.1; gunicorn sync workers; measured {when}
(load average {r["load"][0]:.1f} before, {os.getloadavg()[0]:.1f} after: the machine is shared).

Data: {seeded["events"]} published public events from 12 months ago to 2 years ahead
({seeded["all_day"]} all-day, {seeded["series"]} in 4 monthly series, {seeded["zones"]} time
zones, descriptions of 2–7 sentences in Nordic languages), all in the feed:
{r["bytes"] / MB:.1f} MB. One sequential client (http.client, time.perf_counter, whole
body read); gunicorn's sync workers close the connection after each response, so every
request, the static file's too, opens a new loopback connection. Cold: the first
`{FEED}` of a fresh single worker after one `/healthz`, a restart per sample.
Warm, 304 and static: one warm single worker, one request of each in turn per round.
Rebuild: the same worker, the first `{FEED}` after each change. The database is
vacuumed and analyzed after seeding. SQL statements: in-process
(Flask test client, a `before_cursor_execute` listener). Memory: a fresh process,
`/healthz` once, then one `{FEED}` through the test client.

{table}

A warm feed is a 304's work (the one validator query: an aggregate over the event
table) plus sending the cached bytes; a static file needs no query.
"""


def run(args) -> tuple[dict, dict]:
    url = fresh_database(DATABASE)
    try:
        with TemporaryDirectory() as instance:
            env = bench_env(url, Path(instance))
            began = time.perf_counter()
            seeded = seed(env, args.events)
            print(f"seeded {seeded['events']} events in {time.perf_counter() - began:.1f} s")
            r = {"load": os.getloadavg()}
            r["cold"] = cold_samples(env, args.cold, seeded["events"])
            print(f"cold: {', '.join(ms(s) for s in r['cold'])}")
            app = make_app(env)
            r.update(warm_parts(env, app, args, seeded["to_change"]))
            print("warm, 304, static and rebuild measured")
            r.update(concurrent_parts(env, args))
            r["sql"] = sql_counts(app)
            r["memory"] = peak_memory(env)
    finally:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        admin.dispose()
    return seeded, r


def concurrent_parts(env: dict, args) -> dict:
    """Feed and static throughput with ``args.clients`` concurrent clients on
    ``args.workers`` sync workers (every worker warmed first)."""
    static_path = ROOT / "nscal" / "static" / STATIC_NAME
    with gunicorn(env, args.workers) as port:
        body = Client(port).get(FEED).body
        for _ in range(2):  # concurrent requests spread over the workers: warm them all
            throughput(port, FEED, args.workers * 2, 1, len(body))
        feed = throughput(port, FEED, args.clients, args.per_client, len(body))
        static_path.write_bytes(body)
        try:
            throughput(port, STATIC, args.clients, 2, len(body))
            static = throughput(port, STATIC, args.clients, args.per_client, len(body))
        finally:
            static_path.unlink(missing_ok=True)
    return {"feed_rps": feed, "static_rps": static}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--cold", type=int, default=5, help="cold samples (restarts)")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests each")
    parser.add_argument("--changes", type=int, default=5, help="rebuild samples")
    parser.add_argument("--workers", type=int, default=2, help="workers for the throughput")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--per-client", type=int, default=50)
    parser.add_argument("--memory-probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_probe:
        memory_probe()
        return 0
    try:
        seeded, r = run(args)
    except (BenchFailure, OSError, subprocess.SubprocessError) as exc:
        print(f"feeds benchmark FAILED: {exc}", file=sys.stderr)
        return 1
    body = report(args, seeded, r)
    write_section("Feeds (5,000 events, PostgreSQL, gunicorn)", body)
    print(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
