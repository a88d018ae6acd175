"""Independent readers of iCalendar files, and the byte-level rules every feed keeps.

Each reader turns a calendar into {uid: Seen(start, end, status, summary, description)}
with instants as UTC ISO strings ("2027-03-28T00:30:00Z") and all-day bounds as dates
("2027-05-01"), so the readers can be compared with each other and with the database:

- ``icalendar`` with ``recurring-ical-events`` (what Home Assistant's and many Python
  tools use), reading TZIDs by name from zoneinfo;
- the same, with every TZID renamed so that only our VTIMEZONEs define the zones;
- Home Assistant's ``ical`` package, both ways;
- Mozilla's ``ical.js`` (Thunderbird's engine) under node, from our VTIMEZONEs only.
"""

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
from ical.calendar_stream import IcsCalendarStream

ROOT = Path(__file__).resolve().parents[2]
ICALJS_DUMP = Path(__file__).with_name("icaljs_dump.mjs")


@dataclass(frozen=True)
class Seen:
    start: str
    end: str
    status: str
    summary: str
    description: str | None = None


def moment_text(value: date | datetime) -> str:
    """An instant as a UTC ISO string, a date as YYYY-MM-DD; a naive (floating) time fails."""
    if isinstance(value, datetime):
        assert value.tzinfo is not None and value.utcoffset() is not None, f"floating {value}"
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def rename_tzids(data: bytes) -> bytes:
    """Give every TZID a name no zone database knows, so readers must use our VTIMEZONEs."""
    tzids = set(re.findall(rb"TZID[=:]([^:;\r\n]+)", data))
    for tzid in tzids:
        data = data.replace(
            b"TZID=" + tzid + b":", b"TZID=nscal-test-" + tzid.replace(b"/", b"-") + b":"
        )
        data = data.replace(
            b"TZID:" + tzid + b"\r\n", b"TZID:nscal-test-" + tzid.replace(b"/", b"-") + b"\r\n"
        )
    return data


def read_with_icalendar(data: bytes) -> dict[str, Seen]:
    calendar = icalendar.Calendar.from_ical(data)
    seen = {}
    wide = recurring_ical_events.of(calendar).between(datetime(1990, 1, 1), datetime(2100, 1, 1))  # noqa: DTZ001
    for vevent in wide:
        uid = str(vevent["UID"])
        assert uid not in seen, f"{uid} expanded more than once"
        seen[uid] = Seen(
            moment_text(vevent["DTSTART"].dt),
            moment_text(vevent["DTEND"].dt),
            str(vevent.get("STATUS", "")),
            str(vevent["SUMMARY"]),
            str(vevent.get("DESCRIPTION", "")),
        )
    return seen


def read_with_home_assistant(data: bytes) -> dict[str, Seen]:
    calendar = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    seen = {}
    for event in calendar.events:
        status = event.status.value if event.status is not None else ""
        seen[event.uid] = Seen(
            moment_text(event.dtstart),
            moment_text(event.dtend),
            str(status).upper(),
            event.summary,
            event.description or "",
        )
    return seen


def icaljs_available() -> bool:
    return shutil.which("node") is not None and (ROOT / "node_modules" / "ical.js").is_dir()


def require_icaljs() -> None:
    """Skip without node or node_modules; in CI (CI set) that is a failure, not a skip."""
    if icaljs_available():
        return
    message = (
        "ical.js is not installed: the feed interop tests need node and `npm ci` "
        "(package.json at the repository root) before pytest"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def read_with_icaljs(data: bytes) -> dict[str, Seen]:
    require_icaljs()
    # A far-away local zone: a time ical.js read as floating would show up as wrong.
    env = {**os.environ, "TZ": "Pacific/Auckland"}
    result = subprocess.run(
        ["node", str(ICALJS_DUMP)],
        input=data,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    dump = json.loads(result.stdout)
    seen = {}
    for event in dump["events"]:
        seen[event["uid"]] = Seen(
            _js_instant(event["start"]),
            _js_instant(event["end"]),
            event["status"] or "",
            event["summary"],
            event["description"] or "",
        )
    return seen


def _js_instant(text: str) -> str:
    return text.replace(".000Z", "Z")


READERS = {
    "icalendar": read_with_icalendar,
    "icalendar+vtimezone": lambda data: read_with_icalendar(rename_tzids(data)),
    "home-assistant-ical": read_with_home_assistant,
    "home-assistant-ical+vtimezone": lambda data: read_with_home_assistant(rename_tzids(data)),
    "ical.js": read_with_icaljs,
}


def read_everywhere(data: bytes) -> dict[str, dict[str, Seen]]:
    return {name: read(data) for name, read in READERS.items()}


def check_bytes(data: bytes) -> None:
    """RFC 5545 §3.1: CRLF line ends, lines of at most 75 octets folded without splitting
    a UTF-8 character, UTF-8 without a byte order mark."""
    assert not data.startswith(b"\xef\xbb\xbf"), "the feed starts with a BOM"
    data.decode("utf-8")
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b""), "a bare LF"
    assert b"\r" not in data.replace(b"\r\n", b""), "a bare CR"
    for number, line in enumerate(data.split(b"\r\n")[:-1], start=1):
        assert len(line) <= 75, f"line {number} has {len(line)} octets: {line!r}"
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:  # a fold split a character
            raise AssertionError(f"line {number} splits a UTF-8 sequence: {line!r}") from exc
