"""Big imports: `flask import-events` on exports of 5,000 and 10,000 events (PostgreSQL).

Each run is a fresh process on a freshly migrated database; its wall time and peak
memory (maxrss of that process) are compared with a bare reference measured in the same
run on the same file: a process that parses the file with `icalendar` and inserts one
row per event into a plain table in one transaction (what any import must at least do).
Results go to docs/benchmarks.md.
"""

import os
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, bench_env, fresh_database, machine, write_section  # noqa: E402
from nscal.timeutil import NORDIC_ZONES  # noqa: E402

ZONES = tuple(name for name, _label in NORDIC_ZONES)
SIZES = (5_000, 10_000)

REFERENCE = textwrap.dedent(
    """
    import sys
    import icalendar
    import sqlalchemy as sa
    calendar = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
    rows = [
        {"uid": str(c["UID"]), "title": str(c["SUMMARY"]), "starts": c["DTSTART"].dt,
         "ends": c["DTEND"].dt}
        for c in calendar.walk("VEVENT")
    ]
    engine = sa.create_engine(sys.argv[2])
    with engine.begin() as connection:
        connection.execute(sa.text(
            "CREATE TABLE IF NOT EXISTS bare_event (uid text primary key, title text, "
            "starts timestamptz, ends timestamptz)"))
        connection.execute(sa.text("DELETE FROM bare_event"))
        connection.execute(sa.text(
            "INSERT INTO bare_event VALUES (:uid, :title, :starts, :ends)"), rows)
    print(len(rows))
    """
)


def export(path: Path, count: int) -> None:
    """An export in Google Calendar's shape: ``count`` one-hour meetings over two years,
    in the seven Nordic zones, with descriptions and places."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "X-WR-CALNAME:Nordic Safe Cities",
    ]
    start = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)
    for number in range(count):
        zone = ZONES[number % len(ZONES)]
        begins = start + timedelta(hours=3 * number)
        lines += [
            "BEGIN:VEVENT",
            f"UID:bench-{number}@google.com",
            "DTSTAMP:20261201T120000Z",
            f"DTSTART:{begins:%Y%m%dT%H%M%SZ}",
            f"DTEND:{begins + timedelta(hours=1):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:City meeting {number} ({zone.split('/')[1]})",
            f"LOCATION:Town hall {number % 20}",
            "DESCRIPTION:Agenda: safe nightlife\\, youth outreach and the next steps.",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def measured(command: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of one child process running ``command``."""
    began = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command} failed")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    flask = [sys.executable, "-m", "flask", "--app", "nscal"]
    rows = []
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        for count in SIZES:
            path = work / f"export-{count}.ics"
            export(path, count)
            url = fresh_database("nscal_bench_imports")
            env = bench_env(url, work / f"instance-{count}")
            subprocess.run(
                [*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
            )
            bare = measured([sys.executable, "-c", REFERENCE, str(path), url], env)
            nscal = measured([*flask, "import-events", str(path)], env)
            rows.append((count, path.stat().st_size, nscal, bare))
            print(
                f"{count} events: nscal {nscal[0]:.1f} s / {nscal[1]:.0f} MiB, "
                f"bare {bare[0]:.1f} s / {bare[1]:.0f} MiB"
            )
    table = [
        "| events | file | nscal | bare reference | time ratio | peak memory nscal / bare |",
        "|---|---|---|---|---|---|",
    ]
    for count, size, (seconds, memory), (bare_seconds, bare_memory) in rows:
        table.append(
            f"| {count:,} | {size / 1e6:.1f} MB | {seconds:.1f} s | {bare_seconds:.1f} s | "
            f"{seconds / bare_seconds:.1f}× | {memory:.0f} / {bare_memory:.0f} MiB |"
        )
    (small, _, (_, memory_small), _), (large, _, (_, memory_large), _) = rows[0], rows[-1]
    per_event = (memory_large - memory_small) * 1024 / (large - small)
    write_section(
        "Big imports (PostgreSQL)",
        f"""
`python bench/imports.py` on {machine()}, {datetime.now(UTC):%Y-%m-%d}.
`flask import-events FILE` of a Google-shaped export (one-hour meetings in the seven
Nordic zones), each on a freshly migrated database, against a bare reference in the
same run: parse the file with `icalendar` and insert one row per event in one
transaction.

{chr(10).join(table)}

Memory grows by about {per_event:.1f} KiB per event between {small:,} and {large:,}
events: the file is parsed whole (icalendar has no streaming reader) and the import
is one transaction (all or nothing), so memory is bounded by the file, not by the
database; the web upload is capped at 2 MB.
""",
    )


if __name__ == "__main__":
    main()
