"""Registrations per second with several gunicorn workers on PostgreSQL.

400 people try to register at once for a 100-place event: exactly 100 must be
confirmed, 300 waitlisted, and no request may fail. Run: `make bench` (or
`.venv/bin/python bench/registrations.py --workers 4 --people 400 --places 100`).
"""

import argparse
import http.client
import re
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from bench._common import ROOT, bench_env, fresh_database, gunicorn, machine, write_section  # noqa: E402

TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


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


def run(workers: int, people: int, places: int) -> dict:
    url = fresh_database("nscal_bench_registrations")
    with TemporaryDirectory() as instance:
        env = bench_env(url, Path(instance))
        event_id = seed(env, people, places)
        with gunicorn(env, workers) as port:
            browsers = [Browser(port) for _ in range(people)]
            for i, browser in enumerate(browsers):
                browser.log_in(f"person{i}@bench.example")
            start_line = threading.Barrier(people + 1)
            results: list[tuple[int, float]] = [(0, 0.0)] * people

            def attempt(index: int) -> None:
                browser = browsers[index]
                start_line.wait()
                began = time.perf_counter()
                try:
                    status, _ = browser.request(
                        "POST", f"/events/{event_id}/register", {"csrf_token": browser.token}
                    )
                except OSError:
                    status = 0
                results[index] = (status, time.perf_counter() - began)

            threads = [threading.Thread(target=attempt, args=(i,)) for i in range(people)]
            for thread in threads:
                thread.start()
            start_line.wait()
            began = time.perf_counter()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        counts = dict(
            connection.execute(
                sa.text("SELECT status, count(*) FROM registration GROUP BY status")
            ).all()
        )
    engine.dispose()
    latencies = sorted(seconds for _status, seconds in results)
    return {
        "workers": workers,
        "people": people,
        "places": places,
        "elapsed": elapsed,
        "per_second": people / elapsed,
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "errors": sum(1 for status, _ in results if status != 302),
        "confirmed": counts.get("confirmed", 0),
        "waitlisted": counts.get("waitlisted", 0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--places", type=int, default=100)
    args = parser.parse_args()
    r = run(args.workers, args.people, args.places)
    ok = (
        r["errors"] == 0
        and r["confirmed"] == args.places
        and r["waitlisted"] == args.people - args.places
    )
    command = (
        f".venv/bin/python bench/registrations.py --workers {r['workers']} "
        f"--people {r['people']} --places {r['places']}"
    )
    measured = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    body = f"""
Command: `{command}` (part of `make bench`)
Machine: {machine()}; PostgreSQL on 127.0.0.1; gunicorn sync workers; measured {measured}.

| measure | value |
|---|---|
| concurrent attempts (one thread and connection each, released together) | {r["people"]} |
| places | {r["places"]} |
| gunicorn workers | {r["workers"]} |
| wall time for all attempts | {r["elapsed"]:.2f} s |
| registrations per second | {r["per_second"]:.0f} |
| latency p50 / p95 | {r["p50"] * 1000:.0f} ms / {r["p95"] * 1000:.0f} ms |
| confirmed / waitlisted | {r["confirmed"]} / {r["waitlisted"]} |
| failed requests | {r["errors"]} |
| verdict | {"no overbooking, nothing lost" if ok else "FAILED"} |
"""
    write_section("Registrations under load (PostgreSQL, gunicorn)", body)
    print(body)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
