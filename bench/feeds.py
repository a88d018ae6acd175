"""The public feed /calendar.ics on PostgreSQL, served by gunicorn, as events grow.

Measures, in one run, on one database grown from 1,000 to 5,000 to 20,000 events:
- at 1,000 events: the warm feed and the 304 answer to If-None-Match against a static
  file of the same bytes served by the same gunicorn (one request of each per round);
- at 5,000 events: the cold feed (the first feed request of a fresh worker, a restart
  per sample) against the warm one, and the same three as above;
- at both: the first feed after one event changes (a new version);
- at every size: the memory of a worker after it served feeds (VmHWM and VmRSS of the
  gunicorn worker process), and the SQL statements of a warm feed and of a 304
  (in-process, Flask test client).

Run: `make bench` (or `.venv/bin/python bench/feeds.py`). A missed target is reported
as MISSED; the script exits non-zero only when a run breaks (an error, a wrong status
code, wrong bytes).
"""

import sys
from pathlib import Path

# The repository instead of bench/ itself, whose statistics.py would hide the standard
# library's ``statistics``.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

# ruff: noqa: E402 - the imports follow the path fix above
import argparse
import hashlib
import http.client
import os
import random
import statistics
import subprocess
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from tempfile import TemporaryDirectory

import sqlalchemy as sa

from bench._common import (
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


def migrate(env: dict) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "nscal", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def make_app(env: dict):
    from nscal import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": env["NSCAL_DATABASE_URL"],
            "SECRET_KEY": env["NSCAL_SECRET_KEY"],
            # The servers' feed files, not the checkout's instance folder.
            "FEED_CACHE_DIR": str(Path(env["NSCAL_INSTANCE_PATH"]) / "in-process-feeds"),
        }
    )


class Seeder:
    """Cities, roles, then published public events through the event service (each
    stores its VEVENT when it is committed, as a coordinator's would), up to a count."""

    def __init__(self, app):
        from nscal.cities.models import City, ParticipantRole
        from nscal.db import db

        self.app = app
        self.rng = random.Random(2027)
        self.count = 0
        with app.app_context():
            cities = [City(name=n, slug=s, country=c, timezone=z) for n, s, c, z in CITIES]
            roles = [ParticipantRole(slug=s, name=n) for s, n in ROLES]
            db.session.add_all(cities + roles)
            db.session.commit()
            self.city_ids = [city.id for city in cities]
            self.role_ids = [role.id for role in roles]
            db.session.remove()

    def grow_to(self, count: int) -> dict:
        from nscal.cities.models import City, ParticipantRole
        from nscal.db import db
        from nscal.events.models import Event, EventStatus
        from nscal.events.services import create_event

        with self.app.app_context():
            cities = [db.session.get(City, i) for i in self.city_ids]
            roles = [db.session.get(ParticipantRole, i) for i in self.role_ids]
            if self.count == 0:
                # A few monthly series of 12 occurrences, from the past into the future.
                today = datetime.now(UTC).date()
                for index in range(4):
                    data = self._event_data(index, cities, roles)
                    begin = datetime.combine(
                        today - timedelta(days=150 + 30 * index), datetime.min.time()
                    )
                    data = replace(
                        data,
                        all_day=False,
                        rrule="FREQ=MONTHLY;COUNT=12",
                        start=begin.replace(hour=10),
                        end=begin.replace(hour=11, minute=30),
                    )
                    create_event(data, status=EventStatus.published)
                    self.count += 12
                db.session.commit()
            while self.count < count:
                create_event(
                    self._event_data(self.count, cities, roles), status=EventStatus.published
                )
                self.count += 1
                if self.count % 500 == 0:
                    db.session.commit()
            db.session.commit()
            total = db.session.scalar(sa.select(sa.func.count(Event.id)))
            all_day = db.session.scalar(sa.select(sa.func.count(Event.id)).where(Event.all_day))
            zones = db.session.scalar(sa.select(sa.func.count(sa.distinct(Event.timezone))))
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
        # Measure the steady state autovacuum keeps, not the minute after a bulk load.
        engine = sa.create_engine(self.app.config["SQLALCHEMY_DATABASE_URI"])
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
        engine.dispose()
        return {"events": total, "all_day": all_day, "zones": zones, "to_change": changed}

    def _event_data(self, index: int, cities, roles):
        from nscal.events.models import EventFormat, EventKind
        from nscal.events.services import EventData

        rng = self.rng
        today = datetime.now(UTC).date()
        first_day, days = today - timedelta(days=360), 360 + 730
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
            title=rng.choice(TITLES).format(city=city.name if city else "Norden") + f" #{index}",
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


# --- the parts -------------------------------------------------------------------------


def check_feed(reply: Reply, events: int | None = None) -> None:
    if not reply.headers.get("content-type", "").startswith("text/calendar"):
        raise BenchFailure(f"feed content type {reply.headers.get('content-type')!r}")
    if not reply.body.startswith(b"BEGIN:VCALENDAR\r\n") or not reply.body.endswith(
        b"END:VCALENDAR\r\n"
    ):
        raise BenchFailure("the feed is not a VCALENDAR")
    if int(reply.headers.get("content-length", -1)) != len(reply.body):
        raise BenchFailure("the feed's Content-Length is not its length")
    if events is not None and reply.body.count(b"BEGIN:VEVENT\r\n") != events:
        raise BenchFailure(f"the feed does not have {events} events")


def worker_pid(port: int) -> int:
    """The worker of the single-worker gunicorn bound to ``port``: of the processes with
    the bind address in their command line (master and worker), the master's child."""
    bind = f"127.0.0.1:{port}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if bind in (entry / "cmdline").read_bytes().split(b"\0"):
                stat = (entry / "stat").read_text()
                found[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
    workers = [pid for pid, parent in found.items() if parent in found]
    if len(workers) != 1:
        raise BenchFailure(f"expected one gunicorn worker on port {port}, found {workers}")
    return workers[0]


def memory_of(pid: int) -> dict:
    """VmHWM (peak) and VmRSS of a process, in bytes."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            fields[name] = int(value.split()[0]) * 1024
    return fields


def cold_samples(env: dict, samples: int, events: int) -> list[float]:
    """The first /calendar.ics of a fresh single worker (after one /healthz, so worker
    start-up and the database connection are not counted), one restart per sample."""
    seconds = []
    for _ in range(samples):
        with gunicorn(env, 1) as port:
            client = Client(port)
            client.get("/healthz")
            reply = client.get(FEED)
            check_feed(reply, events)
            seconds.append(reply.seconds)
            client.close()
    return seconds


def side_by_side(env: dict, rounds: int, events: int, app=None, to_change=()) -> dict:
    """On one fresh single worker: the warm feed, the 304 and a static file of the same
    bytes, one of each per round so that all three meet the same moment of a shared
    machine; then (given ``app``) the first feed after each change of one event's
    title; and the worker's memory at the end."""
    result = {}
    static_path = ROOT / "nscal" / "static" / STATIC_NAME
    with gunicorn(env, 1) as port:
        client = Client(port)
        client.get("/healthz")
        first = client.get(FEED)
        check_feed(first, events)
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

        kinds = {
            "warm": (FEED, {}, 200, same_feed),
            "not_modified": (FEED, {"If-None-Match": etag}, 304, empty),
            "static": (STATIC, {}, 200, same_bytes),
        }
        static_path.write_bytes(body)
        try:
            for _round in range(10):  # warm up the worker and every path
                for path, headers, expect, _check in kinds.values():
                    client.get(path, headers, expect)
            for name in kinds:
                result[name] = []
            for _round in range(rounds):
                for name, (path, headers, expect, check) in kinds.items():
                    reply = client.get(path, headers, expect)
                    check(reply)
                    result[name].append(reply.seconds)
        finally:
            static_path.unlink(missing_ok=True)
        result["memory"] = memory_of(worker_pid(port))
        if app is not None:
            result["rebuild"] = _after_changes(app, client, etag, to_change)
        client.close()
    return result


def _after_changes(app, client: Client, etag: str, to_change) -> list[float]:
    """The first feed after each change of one event's title, through the service."""
    from nscal.db import db
    from nscal.events.models import Event
    from nscal.events.services import event_from_data, update_event

    seconds = []
    with app.app_context():
        for event_id in to_change:
            event = db.session.get(Event, event_id)
            title = f"{event.title} (flyttet til Tórshavn)"
            update_event(event, replace(event_from_data(event), title=title))
            db.session.commit()
            reply = client.get(FEED)
            check_feed(reply)
            if reply.headers["etag"] == etag:
                raise BenchFailure("the ETag did not change with the title")
            etag = reply.headers["etag"]
            if f"SUMMARY:{title}".encode() not in reply.body.replace(b"\r\n ", b""):
                raise BenchFailure("the feed after the change lacks the new title")
            seconds.append(reply.seconds)
            client.get(FEED, {"If-None-Match": etag}, expect=304)
        db.session.remove()
        db.engine.dispose()
    return seconds


def sql_counts(app) -> dict:
    """SQL statements per request, in-process, counted with a cursor listener."""
    from nscal.db import db

    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    counts = {}
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        client = app.test_client()

        def measured(name: str, method, expect: int, headers: dict | None = None):
            statements.clear()
            response = method(FEED, headers=headers or {})
            if response.status_code != expect:
                raise BenchFailure(f"test client, {name}: {response.status_code}")
            response.get_data()
            counts[name] = len(statements)
            return response

        # The first request of a version sends it from the database (and, when it is
        # large, writes its file); the warm feed is the next one.
        measured("first", client.get, 200)
        etag = measured("warm", client.get, 200).headers["ETag"]
        measured("not_modified", client.get, 304, {"If-None-Match": etag})
        measured("head", client.head, 200)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
        with app.app_context():
            db.engine.dispose()
    return counts


# --- report ----------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def mb(octets: float) -> str:
    return f"{octets / MB:.0f} MB"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(args, r: dict) -> str:
    small, mid = r[args.sizes[0]], r[args.sizes[1]]
    rows = []

    def add(measure: str, target: str = "", result: str = "", ok: bool | None = None) -> None:
        rows.append((measure, target, result, "" if ok is None else verdict(ok)))

    for size, part in (
        (args.sizes[0], small),
        (args.sizes[1], mid),
        (args.sizes[2], r[args.sizes[2]]),
    ):
        warm, static, nm = (median(part[k]) for k in ("warm", "static", "not_modified"))
        n = len(part["warm"])
        add(
            f"{size:,} events ({part['bytes'] / MB:.1f} MB): warm feed / static file of the "
            f"same bytes / 304, medians of {n}",
            "",
            f"{ms(warm)} / {ms(static)} / {ms(nm)}",
        )
        if size == args.sizes[0]:
            add(
                f"{size:,} events: warm feed ÷ static",
                "≤ 1.5×",
                f"{warm / static:.2f}×",
                warm <= 1.5 * static,
            )
            add(
                f"{size:,} events: 304 ÷ static",
                "≤ 1.3×",
                f"{nm / static:.2f}×",
                nm <= 1.3 * static,
            )
        else:
            add(
                f"{size:,} events: warm feed ÷ static, 304 ÷ static",
                "",
                f"{warm / static:.2f}×, {nm / static:.2f}×",
            )
    plain = r["no_pre_ping"]
    warm, static, nm = (median(plain[k]) for k in ("warm", "static", "not_modified"))
    add(
        f"{args.sizes[0]:,} events, no pool pre-ping: warm feed / static / 304, "
        f"medians of {len(plain['warm'])}",
        "",
        f"{ms(warm)} / {ms(static)} / {ms(nm)} ({warm / static:.2f}× and "
        f"{nm / static:.2f}× static)",
    )
    cold, warm = median(mid["cold"]), median(mid["warm"])
    add(
        f"{args.sizes[1]:,} events: cold feed (fresh worker), median of {len(mid['cold'])} "
        f"(min / max)",
        "",
        f"{ms(cold)} ({ms(min(mid['cold']))} / {ms(max(mid['cold']))})",
    )
    add(f"{args.sizes[1]:,} events: cold ÷ warm", "≤ 3×", f"{cold / warm:.2f}×", cold <= 3 * warm)
    for size, part in ((args.sizes[0], small), (args.sizes[1], mid)):
        rebuild = median(part["rebuild"])
        add(
            f"{size:,} events: first feed after one title change, median of {len(part['rebuild'])}",
            "",
            f"{ms(rebuild)} ({rebuild / median(part['warm']):.2f}× warm)",
        )
    peaks = [r[size]["memory"]["VmHWM"] for size in args.sizes]
    for size in args.sizes:
        memory = r[size]["memory"]
        add(
            f"{size:,} events: worker memory after serving feeds, peak (VmHWM) / now (VmRSS)",
            "",
            f"{mb(memory['VmHWM'])} / {mb(memory['VmRSS'])}",
        )
    spread = (max(peaks) - min(peaks)) / MB
    add(
        f"worker peak memory, {args.sizes[0]:,} to {args.sizes[-1]:,} events",
        "flat (within 10 MB)",
        f"{mb(min(peaks))} to {mb(max(peaks))} (spread {spread:.0f} MB)",
        spread <= 10,
    )
    sql = r["sql"]
    add(
        f"SQL statements at {args.sizes[-1]:,} events: 304 / warm feed / HEAD / first feed",
        "304: 1",
        f"{sql['not_modified']} / {sql['warm']} / {sql['head']} / {sql['first']}",
        sql["not_modified"] == 1,
    )
    table = "\n".join(["| measure | target | result | verdict |", "|---|---|---|---|"])
    table += "".join(f"\n| {' | '.join(row)} |" for row in rows)
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    seeded = r["seeded"]
    command = (
        f".venv/bin/python bench/feeds.py --sizes {' '.join(map(str, args.sizes))} "
        f"--cold {args.cold} --rounds {args.rounds} --changes {args.changes}"
    )
    return f"""
Command: `{command}` (part of `make bench`)
Machine: {machine()}; PostgreSQL on 127.0.0.1; gunicorn, one sync worker; measured {when}
(load average {r["load"][0]:.1f} before, {os.getloadavg()[0]:.1f} after: the machine is shared).

Data: one database grown to {", ".join(f"{size:,}" for size in args.sizes)} published
public events from 12 months ago to 2 years ahead through the event service, which
stores each event's VEVENT when it is committed ({seeded["all_day"]:,} all-day and 48 in
4 monthly series at {args.sizes[-1]:,}, {seeded["zones"]} time zones, descriptions of 2–7
sentences in Nordic languages); all of them are in the feed. One sequential client
(http.client, time.perf_counter, whole body read); gunicorn's sync worker closes the
connection after each response, so every request, the static file's too, opens a new
loopback connection. Warm, 304 and static: a fresh worker, warmed by 10 rounds, then one
request of each in turn per round; the static file is the feed's bytes served by
Flask's static route on the same server. Cold: the first `{FEED}` of a fresh worker
after one `/healthz`, a restart per sample. Memory: that worker's VmHWM and VmRSS
after its rounds ({3 * args.rounds} requests; 90 at {args.sizes[2]:,} events). SQL statements:
in-process (Flask test client, a `before_cursor_execute` listener). The database is
vacuumed and analyzed after each growth.

{table}

Nothing is rendered on a feed request: each event's VEVENT was rendered when it
changed and is stored in PostgreSQL, with the VTIMEZONEs, so a fresh worker serves the
same bytes as a warm one without rendering, and a change renders one event in its own
commit. A 304 reads one row (the change counter). A feed of up to 2,000 events is read
in one statement and, when public, kept whole by the worker for its version (the warm
feed at {args.sizes[0]:,}); a larger one is sent in pieces read 1,000 events at a time
and, when public, written on the way to a file of its version in the server's instance
folder (`cache/feeds`), renamed into place once complete; the next requests of any
worker of that server send the file (send_file, gunicorn's sendfile) after the
validator's one statement (the warm feed at {args.sizes[1]:,} and {args.sizes[2]:,}, and
the cold one: a fresh worker finds its server's file). A worker's memory does not grow
with the events. nscal no longer pings the database before each request
(`NSCAL_DB_POOL_RECYCLE` instead); the row "no pool pre-ping" is a second server whose
`instance/config.py` sets `pool_pre_ping` off explicitly, the same configuration: its
difference from the first row shows the run's spread.
"""


def run(args) -> dict:
    url = fresh_database(DATABASE)
    r = {"load": os.getloadavg()}
    try:
        with TemporaryDirectory() as instance:
            env = bench_env(url, Path(instance))
            migrate(env)
            app = make_app(env)
            seeder = Seeder(app)
            for size in args.sizes:
                began = time.perf_counter()
                seeded = seeder.grow_to(size)
                print(f"{size} events seeded in {time.perf_counter() - began:.1f} s", flush=True)
                changes = seeded["to_change"][: args.changes] if size != args.sizes[2] else []
                # The largest size only for memory: fewer rounds of its 20 MB feed.
                rounds = args.rounds if size != args.sizes[2] else min(args.rounds, 30)
                part = side_by_side(env, rounds, size, app, changes)
                if size == args.sizes[1]:
                    part["cold"] = cold_samples(env, args.cold, size)
                r[size] = part
                print(
                    f"{size}: warm {ms(median(part['warm']))}, static {ms(median(part['static']))},"
                    f" 304 {ms(median(part['not_modified']))}, peak {mb(part['memory']['VmHWM'])}",
                    flush=True,
                )
                if size == args.sizes[0]:
                    # The same at the first size, on a server whose instance/config.py
                    # turns the pool's pre-ping off (issue 11, part 1, drops it).
                    plain = Path(instance) / "no-pre-ping"
                    plain_env = bench_env(url, plain)
                    (plain / "config.py").write_text(
                        'SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False}\n'
                    )
                    r["no_pre_ping"] = side_by_side(plain_env, args.rounds, size)
            r["seeded"] = seeded
            r["sql"] = sql_counts(app)
    finally:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        admin.dispose()
    return r


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs=3,
        default=[1000, 5000, 20000],
        help="event counts: side by side with static, cold against warm, memory only",
    )
    parser.add_argument("--cold", type=int, default=5, help="cold samples (restarts)")
    parser.add_argument("--rounds", type=int, default=200, help="rounds of warm, 304, static")
    parser.add_argument("--changes", type=int, default=5, help="changes of one event")
    args = parser.parse_args()
    if sorted(args.sizes) != args.sizes:
        parser.error("--sizes must grow")
    try:
        r = run(args)
    except (BenchFailure, OSError, subprocess.SubprocessError) as exc:
        print(f"feeds benchmark FAILED: {exc}", file=sys.stderr)
        return 1
    body = report(args, r)
    write_section("Feeds (PostgreSQL, gunicorn)", body)
    print(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
