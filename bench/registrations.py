"""Registrations under load on PostgreSQL and gunicorn, beside the bare limits of both.

400 people try to register at once for a 100-place event: exactly 100 must be
confirmed, 300 waitlisted, and no request may fail. In the same run, on the same
gunicorn (4 sync workers): a Flask hello-world POST, released the same way; and a bare
PostgreSQL transaction (``SELECT … FOR UPDATE`` + ``INSERT`` + ``COMMIT``) from 4
connections. How long each registration holds the event's lock is measured inside the
workers by a probe this script installs (``NSCAL_BENCH_LOCK_PROBE``): timestamps from
the moment the ``FOR UPDATE`` returns to the moment its ``COMMIT`` returns. Nothing of
it is in nscal's own code.

Run: `make bench` (or `.venv/bin/python bench/registrations.py --runs 3`).
"""

import argparse
import http.client
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from urllib.parse import urlencode

# Run as a script, this folder comes first on sys.path, and bench/statistics.py would
# stand in for the standard library's statistics.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import statistics  # noqa: E402

import sqlalchemy as sa  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from bench._common import ROOT, bench_env, fresh_database, gunicorn, machine, write_section  # noqa: E402

TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
HELLO_PATH = "/bench-hello"
PROBE_VARIABLE = "NSCAL_BENCH_LOCK_PROBE"
PROFILE_VARIABLE = "NSCAL_BENCH_PROFILE"
TITLE = "Registrations under load (PostgreSQL, gunicorn)"


# --- what the gunicorn workers run -----------------------------------------------------


def served_app():
    """nscal, with a Flask hello-world beside it at ``HELLO_PATH`` (gunicorn imports this
    as ``bench.registrations:served_app()``), and the lock probe when asked for."""
    from flask import Flask
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from wsgi import app as nscal_app

    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "Hello, world!", methods=["POST"])
    if os.environ.get(PROBE_VARIABLE):
        _install_lock_probe(Path(os.environ[PROBE_VARIABLE]))
    served = nscal_app.wsgi_app
    if os.environ.get(PROFILE_VARIABLE):
        from werkzeug.middleware.profiler import ProfilerMiddleware

        # One cProfile file per request (``--profile``); the script sums those of the
        # registrations.
        served = ProfilerMiddleware(
            served,
            stream=None,
            profile_dir=os.environ[PROFILE_VARIABLE],
            filename_format="{method}.{path}.{time:.6f}.{elapsed:.0f}ms.prof",
        )
    return DispatcherMiddleware(served, {HELLO_PATH: hello})


def _install_lock_probe(folder: Path) -> None:
    """Write, per registration, how long the event's lock was held and how many SQL
    statements ran under it: one line per commit that ended a lock, one file per worker
    (sync workers: one request at a time, so plain module state is enough). A lock only
    queued (psycopg pipeline mode) is taken in the round trip of the next statement:
    the clock starts when that one returns."""
    from sqlalchemy.orm import Session

    from nscal.db import QUEUED

    state = {"locked_at": None, "statements": 0, "queued": False}
    folder.mkdir(parents=True, exist_ok=True)
    out = (folder / f"lock-{os.getpid()}.txt").open("a", buffering=1)

    def after_execute(conn, cursor, statement, parameters, context, executemany):
        if state["locked_at"] is not None:
            state["statements"] += 1
        elif state["queued"]:
            state["locked_at"] = time.perf_counter()
            state["statements"] = 2
            state["queued"] = False
        elif statement.lstrip().startswith("SELECT") and "FOR UPDATE" in statement:
            if context.execution_options.get(QUEUED):
                state["queued"] = True
            else:
                state["locked_at"] = time.perf_counter()
                state["statements"] = 1

    def released(kind: str):
        def listener(session):
            if state["locked_at"] is None:
                return
            held = time.perf_counter() - state["locked_at"]
            out.write(f"{kind} {held * 1000:.3f} {state['statements']}\n")
            state["locked_at"] = None

        return listener

    sa.event.listen(sa.engine.Engine, "after_cursor_execute", after_execute)
    sa.event.listen(Session, "after_commit", released("commit"))
    sa.event.listen(Session, "after_rollback", released("rollback"))


def _read_probe(folder: Path) -> list[tuple[str, float, int]]:
    rows = []
    for path in folder.glob("lock-*.txt"):
        for line in path.read_text().splitlines():
            kind, held, statements = line.split()
            rows.append((kind, float(held), int(statements)))
    return rows


# --- set-up ----------------------------------------------------------------------------


def seed(env: dict, people: int, places: int) -> int:
    """Migrate, then add the people and a published event; returns the event id."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "nscal", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    from nscal import create_app
    from nscal.accounts.models import User
    from nscal.db import db
    from nscal.events.models import EventKind, EventStatus
    from nscal.events.services import EventData, create_event

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": env["NSCAL_DATABASE_URL"],
            "SECRET_KEY": env["NSCAL_SECRET_KEY"],
        }
    )
    # A cheap hash: logging in is set-up here, not what is measured.
    password_hash = generate_password_hash("benchmark password", method="pbkdf2:sha256:1000")
    with app.app_context():
        db.session.add_all(
            User(email=f"person{i}@bench.example", name=f"Person {i}", password_hash=password_hash)
            for i in range(people)
        )
        start = (datetime.now(UTC) + timedelta(days=30)).replace(tzinfo=None, microsecond=0)
        event, _notes = create_event(
            EventData(
                title="Benchmark city meeting",
                kind=EventKind.city_meeting,
                timezone="Europe/Copenhagen",
                start=start,
                end=start + timedelta(hours=2),
                capacity=places,
            ),
            status=EventStatus.published,
        )
        db.session.commit()
        event_id = event.id
        db.engine.dispose()
    return event_id


class Browser:
    """One person's cookie and CSRF token, kept by hand over http.client."""

    def __init__(self, port: int):
        self.port = port
        self.cookie = ""
        self.token = ""

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        connection.close()
        return response.status, text

    def log_in(self, email: str) -> None:
        _status, page = self.request("GET", "/auth/login")
        self.token = TOKEN.search(page).group(1)
        status, _ = self.request(
            "POST",
            "/auth/login",
            {"email": email, "password": "benchmark password", "csrf_token": self.token},
        )
        if status != 302:
            raise RuntimeError(f"login failed for {email}: {status}")


# --- the three measures ----------------------------------------------------------------


def released_together(count: int, attempt) -> tuple[float, list[tuple[int, float]]]:
    """Run ``attempt(i)`` for i in range(count), each in its own thread, all released at
    once; returns the wall time and each attempt's (HTTP status, seconds)."""
    start_line = threading.Barrier(count + 1)
    results: list[tuple[int, float]] = [(0, 0.0)] * count

    def run(index: int) -> None:
        start_line.wait()
        began = time.perf_counter()
        try:
            status = attempt(index)
        except OSError:
            status = 0
        results[index] = (status, time.perf_counter() - began)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    start_line.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, results


def summary(elapsed: float, results: list[tuple[int, float]], ok_status: int) -> dict:
    latencies = sorted(seconds for _status, seconds in results)
    return {
        "per_second": len(results) / elapsed,
        "p50": statistics.median(latencies),
        "p95": latencies[max(int(len(latencies) * 0.95) - 1, 0)],
        "errors": sum(1 for status, _ in results if status != ok_status),
    }


def hello_world(port: int, count: int) -> dict:
    def attempt(_index: int) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request(
            "POST",
            f"{HELLO_PATH}/",
            body="csrf_token=x",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status

    elapsed, results = released_together(count, attempt)
    return summary(elapsed, results, 200)


def bare_postgresql(url: str, connections: int, transactions: int) -> dict:
    """``transactions`` bare lock-count-insert transactions from ``connections`` at once."""
    engine = sa.create_engine(url, pool_size=connections)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS bare_registration, bare_event"))
        connection.execute(sa.text("CREATE TABLE bare_event (id int PRIMARY KEY, places int)"))
        connection.execute(
            sa.text("CREATE TABLE bare_registration (id serial PRIMARY KEY, event_id int)")
        )
        connection.execute(sa.text("INSERT INTO bare_event VALUES (1, 100)"))
    raw = [engine.raw_connection() for _ in range(connections)]
    per_connection = transactions // connections
    start_line = threading.Barrier(connections + 1)
    latencies: list[float] = []

    def work(dbapi) -> None:
        cursor = dbapi.cursor()
        start_line.wait()
        for _ in range(per_connection):
            began = time.perf_counter()
            cursor.execute("SELECT places FROM bare_event WHERE id = 1 FOR UPDATE")
            cursor.fetchone()
            cursor.execute("INSERT INTO bare_registration (event_id) VALUES (1)")
            dbapi.commit()
            latencies.append(time.perf_counter() - began)

    threads = [threading.Thread(target=work, args=(c.driver_connection,)) for c in raw]
    for thread in threads:
        thread.start()
    start_line.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    for connection in raw:
        connection.close()
    engine.dispose()
    latencies.sort()
    return {
        "per_second": len(latencies) / elapsed,
        "p95": latencies[int(len(latencies) * 0.95) - 1],
    }


def commit_latency(url: str, count: int = 200) -> float:
    """Median milliseconds of a bare ``COMMIT`` of one small ``INSERT`` (one
    connection, nothing else waiting): the disk's flush, the floor of any lock held
    until a commit returns."""
    engine = sa.create_engine(url)
    raw = engine.raw_connection()
    cursor = raw.driver_connection.cursor()
    cursor.execute("CREATE TABLE IF NOT EXISTS bare_commit (id serial PRIMARY KEY)")
    raw.driver_connection.commit()
    took = []
    for _ in range(count):
        cursor.execute("INSERT INTO bare_commit DEFAULT VALUES")
        began = time.perf_counter()
        raw.driver_connection.commit()
        took.append((time.perf_counter() - began) * 1000)
    cursor.execute("DROP TABLE bare_commit")
    raw.driver_connection.commit()
    raw.close()
    engine.dispose()
    return statistics.median(took)


def cpu_seconds() -> dict[int, tuple[str, float]]:
    """CPU time (user + system) used so far by each of this machine's gunicorn processes,
    its PostgreSQL processes and this benchmark (the clients' threads), by process id,
    from /proc: the difference over a phase says where that phase's CPU went."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:  # the process ended meanwhile
            continue
        # "pid (comm) state ...": utime and stime are the 14th and 15th fields.
        fields = text[text.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick
        pid = int(stat.parent.name)
        if pid == os.getpid():
            used[pid] = ("client", seconds)
        elif b"gunicorn" in command:
            used[pid] = ("gunicorn", seconds)
        elif text[text.index("(") + 1 :].startswith("postgres"):
            used[pid] = ("postgres", seconds)
    return used


def cpu_row(rounds: list[dict], phase: str) -> str:
    """The medians over ``rounds`` of a phase's CPU per request, by kind of process."""
    return " / ".join(
        f"{statistics.median(x[phase]['cpu_ms'][kind] for x in rounds):.2f} ms"
        for kind in CPU_KINDS
    )


CPU_KINDS = ("gunicorn", "postgres", "client")


def cpu_per_request(before: dict, after: dict, requests: int) -> dict[str, float]:
    """Milliseconds of CPU per request, by kind of process, between two ``cpu_seconds``:
    what the processes alive at the end used since the start (or since they began; a
    process that ended meanwhile is left out, not counted as negative)."""
    used = dict.fromkeys(CPU_KINDS, 0.0)
    for pid, (kind, seconds) in after.items():
        earlier = before.get(pid)
        used[kind] += seconds - (earlier[1] if earlier and earlier[0] == kind else 0.0)
    return {kind: seconds * 1000 / requests for kind, seconds in used.items()}


def registrations(port: int, browsers: list[Browser], event_id: int) -> dict:
    def attempt(index: int) -> int:
        browser = browsers[index]
        status, _ = browser.request(
            "POST", f"/events/{event_id}/register", {"csrf_token": browser.token}
        )
        return status

    elapsed, results = released_together(len(browsers), attempt)
    return summary(elapsed, results, 302)


def outcome(url: str) -> dict:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        counts = dict(
            connection.execute(
                sa.text("SELECT status, count(*) FROM registration GROUP BY status")
            ).all()
        )
        queued = connection.execute(sa.text("SELECT count(*) FROM mail_outbox")).scalar_one()
        # Ready for the next round: the same people register again.
        connection.execute(sa.text("DELETE FROM mail_outbox"))
        connection.execute(sa.text("DELETE FROM registration"))
    engine.dispose()
    return {
        "confirmed": counts.get("confirmed", 0),
        "waitlisted": counts.get("waitlisted", 0),
        "mail_queued": queued,
    }


def run(
    workers: int,
    people: int,
    places: int,
    runs: int,
    profile: int = 0,
    database: str = "nscal_bench_registrations",
) -> dict:
    url = fresh_database(database)
    rounds = []
    with TemporaryDirectory() as instance:
        probe = Path(instance) / "lock-probe"
        env = {**bench_env(url, Path(instance)), PROBE_VARIABLE: str(probe)}
        profiles = Path(instance) / "profiles"
        if profile:
            profiles.mkdir()
            env[PROFILE_VARIABLE] = str(profiles)
        event_id = seed(env, people, places)
        commit_ms = commit_latency(url)
        with gunicorn(env, workers, app="bench.registrations:served_app()") as port:
            browsers = [Browser(port) for _ in range(people)]
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(
                    pool.map(
                        lambda i: browsers[i].log_in(f"person{i}@bench.example"), range(people)
                    )
                )
            hello_world(port, 50)  # every worker warm before anything is measured
            for _round in range(runs):
                for path in probe.glob("lock-*.txt"):
                    path.write_text("")
                began = cpu_seconds()
                hello = hello_world(port, people)
                hello_done = cpu_seconds()
                bare = bare_postgresql(url, workers, people)
                registering = cpu_seconds()
                registered = registrations(port, browsers, event_id)
                hello["cpu_ms"] = cpu_per_request(began, hello_done, people)
                registered["cpu_ms"] = cpu_per_request(registering, cpu_seconds(), people)
                locks = [row for row in _read_probe(probe) if row[0] == "commit"]
                rounds.append(
                    {
                        "hello": hello,
                        "bare": bare,
                        "registrations": registered,
                        "lock_ms": statistics.median(held for _k, held, _s in locks),
                        "lock_p95_ms": sorted(held for _k, held, _s in locks)[
                            int(len(locks) * 0.95) - 1
                        ],
                        "locks": len(locks),
                        "statements": sorted({s for _k, _h, s in locks}),
                        **outcome(url),
                    }
                )
                r = rounds[-1]
                print(
                    f"round {_round + 1}: registrations {registered['per_second']:.0f}/s "
                    f"(p95 {registered['p95'] * 1000:.0f} ms), hello {hello['per_second']:.0f}/s, "
                    f"bare PostgreSQL {bare['per_second']:.0f}/s, lock median "
                    f"{r['lock_ms']:.2f} ms, {r['confirmed']} confirmed / "
                    f"{r['waitlisted']} waitlisted, {registered['errors']} failed",
                    flush=True,
                )
                print(
                    "  CPU ms per request: "
                    + "; ".join(
                        f"{name} "
                        + ", ".join(f"{kind} {ms:.2f}" for kind, ms in phase["cpu_ms"].items())
                        for name, phase in (("registration", registered), ("hello-world", hello))
                    ),
                    flush=True,
                )
        if profile:
            print_profile(profiles, profile)
    return {
        "workers": workers,
        "people": people,
        "places": places,
        "rounds": rounds,
        "commit_ms": commit_ms,
    }


def print_profile(folder: Path, top: int) -> None:
    """The registrations' cProfile files (``--profile``), summed: where a POST spends
    its time in the workers, by own time and by cumulative time."""
    import pstats

    files = [str(path) for path in folder.glob("POST.events.*.register.*.prof")]
    if not files:
        print("no profiles were written")
        return
    stats = pstats.Stats(*files)
    print(f"\n{len(files)} registration requests profiled in the workers")
    for order in ("tottime", "cumulative"):
        stats.sort_stats(order).print_stats(top)


# --- the report ------------------------------------------------------------------------


def markdown(rows: list[tuple[str, ...]]) -> str:
    head, *rest = rows
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rest]
    return "\n".join(lines)


def median_of(rounds: list[dict], *keys) -> float:
    values = []
    for r in rounds:
        value = r
        for key in keys:
            value = value[key]
        values.append(value)
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--places", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3, help="rounds; medians are reported")
    parser.add_argument(
        "--database",
        default="nscal_bench_registrations",
        help="the PostgreSQL database to (re)create and use: dropped first, so give each "
        "run at the same time a name of its own",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="profile every request in the workers (cProfile) and print the N functions "
        "the registrations spend most in; slows everything, so docs/benchmarks.md is "
        "left alone",
    )
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    r = run(args.workers, args.people, args.places, args.runs, args.profile, args.database)
    if args.profile:
        return 0
    load_after = os.getloadavg()[0]
    rounds = r["rounds"]
    ratios = [x["registrations"]["per_second"] / x["hello"]["per_second"] for x in rounds]
    bare_ratios = [x["registrations"]["per_second"] / x["bare"]["per_second"] for x in rounds]
    ratio, bare_ratio = statistics.median(ratios), statistics.median(bare_ratios)
    lock = median_of(rounds, "lock_ms")
    exact = all(
        x["registrations"]["errors"] == 0
        and x["confirmed"] == args.places
        and x["waitlisted"] == args.people - args.places
        and x["mail_queued"] == args.people
        for x in rounds
    )
    statements = sorted({s for x in rounds for s in x["statements"]})
    command = (
        f".venv/bin/python bench/registrations.py --workers {r['workers']} "
        f"--people {r['people']} --places {r['places']} --runs {args.runs}"
    )
    measured = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"

    def verdict(met: bool) -> str:
        return "met" if met else "NOT met"

    regs, hello = "registrations", "hello"
    places, waiting = r["places"], r["people"] - r["places"]
    rows = [
        ("measure", "target", "result", "verdict"),
        (
            "registrations per second (p95 latency)",
            "",
            f"{median_of(rounds, regs, 'per_second'):.0f} "
            f"({median_of(rounds, regs, 'p95') * 1000:.0f} ms)",
            "",
        ),
        (
            "hello-world POST per second, same gunicorn (p95 latency)",
            "",
            f"{median_of(rounds, hello, 'per_second'):.0f} "
            f"({median_of(rounds, hello, 'p95') * 1000:.0f} ms)",
            "",
        ),
        (
            f"bare PostgreSQL transactions per second, {r['workers']} connections",
            "",
            f"{median_of(rounds, 'bare', 'per_second'):.0f}",
            "",
        ),
        ("registrations / hello-world", "≥ 0.25", f"{ratio:.2f}", verdict(ratio >= 0.25)),
        ("registrations / bare PostgreSQL", "", f"{bare_ratio:.2f}", ""),
        (
            "event lock held, median (p95)",
            "≤ 3 ms",
            f"{lock:.2f} ms ({median_of(rounds, 'lock_p95_ms'):.2f} ms)",
            verdict(lock <= 3),
        ),
        ("SQL statements under the lock (probe)", "", ", ".join(map(str, statements)), ""),
        (
            "confirmed / waitlisted / failed requests, every round",
            f"{places} / {waiting} / 0",
            "as required" if exact else "WRONG",
            verdict(exact),
        ),
        (
            "CPU per registration: gunicorn workers / PostgreSQL / clients",
            "",
            cpu_row(rounds, regs),
            "",
        ),
        ("CPU per hello-world POST: the same", "", cpu_row(rounds, hello), ""),
        (
            "mail queued (references, built later by `send-mail`), every round",
            f"{r['people']}",
            ", ".join(str(x["mail_queued"]) for x in rounds),
            "",
        ),
    ]
    table = markdown(rows)
    rounds_table = markdown(
        [
            (
                "round",
                "registrations/s",
                "p95",
                "hello-world/s",
                "bare PostgreSQL/s",
                "lock median",
                "confirmed / waitlisted / failed",
            )
        ]
        + [
            (
                str(i + 1),
                f"{x[regs]['per_second']:.0f}",
                f"{x[regs]['p95'] * 1000:.0f} ms",
                f"{x[hello]['per_second']:.0f}",
                f"{x['bare']['per_second']:.0f}",
                f"{x['lock_ms']:.2f} ms",
                f"{x['confirmed']} / {x['waitlisted']} / {x[regs]['errors']}",
            )
            for i, x in enumerate(rounds)
        ]
    )
    body = f"""
Command: `{command}` (part of `make bench`)
Machine: {machine()}; PostgreSQL on 127.0.0.1; gunicorn {r["workers"]} sync workers; measured
{measured} (load average {load_before:.1f} before, {load_after:.1f} after: the machine is shared).

In each round, {r["people"]} people (one thread and connection each, released together, all
logged in beforehand) register for a {r["places"]}-place event; beside it, in the same
round and on the same gunicorn, {r["people"]} hello-world POSTs to a bare Flask app released
the same way, and {r["people"]} bare PostgreSQL transactions (`SELECT … FOR UPDATE`,
`INSERT`, `COMMIT`) from {r["workers"]} connections. The lock's hold time is measured in
the workers (a probe the benchmark installs: from the return of the round trip that
takes the lock, `FOR UPDATE`, to the return of its `COMMIT`). Medians of {len(rounds)} rounds.

{table}

{rounds_table}

Under the lock a registration runs three statements, then commits, in two round trips
(psycopg pipeline mode): the lock (`SELECT … FOR UPDATE`) goes with one `SELECT` for
the event's few columns the rules read and everything they count (its snapshot taken
once the lock is granted), and one statement writing the registration, its status history and the
outbox reference (a CTE of three `INSERT`s) goes with the `COMMIT`. The registration
form reads nothing there (a new registration
has no answers or listing yet); the whole request runs 6 statements (the account, and
a few columns of the event with whether it asks questions, before the lock; the commit
included: the benchmark's event asks none, so none are read), and the mail and its
iTIP part are built by `send-mail` after the commit. For scale: a bare `COMMIT` of one
`INSERT` ({r["commit_ms"]:.1f} ms median here, measured before the rounds) is the floor of the
lock's hold time, since PostgreSQL releases row locks only once the commit is on disk.
The CPU rows are read from /proc around each phase (user and system time of every
gunicorn process, every PostgreSQL process and this benchmark, whose threads are the
clients): on 2 cores, the registrations are bound by the workers' CPU per request.
`--profile N` prints where the workers' registration requests spend their time
(cProfile; docs/benchmarks.md is then left alone).
"""
    write_section(TITLE, body)
    print(body)
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
