"""Certificates of attendance: what one says (in the event's own zone), and its PDF.

The hours of an event come from its start and end. A timed event over several days
whose end time is later in the day than its start time is read as those hours on each
day (29–30 March, 09:00–16:00: two days of seven hours, not 31 hours); each day is
counted in real elapsed time, so a day with a clock change counts what it lasted.
An all-day event has dates and no hours.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app, render_template
from flask_babel import ngettext

from nscal.config import NETWORK_NAME
from nscal.events.models import Event
from nscal.pdf import render_pdf
from nscal.registrations.models import Registration
from nscal.timedisplay import abbreviation, clock, format_date_range, long_date


@dataclass(frozen=True)
class Session:
    """One day (or one stretch) of the event, in its own zone."""

    day: date
    starts: datetime | None  # None for an all-day event
    ends: datetime | None

    @property
    def text(self) -> str:
        if self.starts is None:
            return long_date(self.day)
        if self.starts.date() != self.ends.date():
            return (
                f"{long_date(self.starts.date())} {clock(self.starts)} – "
                f"{long_date(self.ends.date())} {clock(self.ends)} {abbreviation(self.ends)}"
            )
        return (
            f"{long_date(self.day)}, {clock(self.starts)}–{clock(self.ends)} "
            f"{abbreviation(self.ends)}"
        )


@dataclass(frozen=True)
class Certificate:
    name: str
    event_title: str
    dates: str
    sessions: list[Session]
    total: timedelta | None
    host_city: str | None
    network: str
    text: str
    signature_name: str
    signature_title: str

    @property
    def total_text(self) -> str | None:
        return None if self.total is None else hours_text(self.total)


def hours_text(duration: timedelta) -> str:
    """ "7 hours", "1 hour 30 minutes", "45 minutes"."""
    minutes = round(duration.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(num)d hour", "%(num)d hours", hours))
    if minutes or not hours:
        parts.append(ngettext("%(num)d minute", "%(num)d minutes", minutes))
    return " ".join(parts)


def event_sessions(event: Event) -> tuple[list[Session], timedelta | None]:
    """The event's days in its own zone, and the hours they add up to (None: all day)."""
    if event.all_day and event.start_date and event.end_date:
        first = event.start_date
        last = max(first, event.end_date - timedelta(days=1))
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return [Session(day, None, None) for day in days], None
    start, end = event.local_start, event.local_end
    if start.date() == end.date() or end.time() <= start.time():
        return [Session(start.date(), start, end)], event.ends_at - event.starts_at
    sessions = []
    total = timedelta(0)
    for n in range((end.date() - start.date()).days + 1):
        day = start.date() + timedelta(days=n)
        starts = datetime.combine(day, start.time(), event.zone)
        ends = datetime.combine(day, end.time(), event.zone)
        sessions.append(Session(day, starts, ends))
        # Instants, not wall clocks: a day with a clock change counts what it lasted.
        total += ends.astimezone(UTC) - starts.astimezone(UTC)
    return sessions, total


def _signature() -> tuple[str, str]:
    name, _comma, title = str(current_app.config["CERTIFICATE_SIGNATURE"]).partition(",")
    return name.strip(), title.strip()


def certificate_for(registration: Registration) -> Certificate:
    """What the certificate of this (attended) registration says."""
    event = registration.event
    sessions, total = event_sessions(event)
    first, last = sessions[0].day, sessions[-1].day
    signature_name, signature_title = _signature()
    return Certificate(
        name=registration.user.name,
        event_title=event.title,
        dates=format_date_range(first, last + timedelta(days=1)),
        sessions=sessions,
        total=total,
        host_city=event.host_city.name if event.host_city else None,
        network=NETWORK_NAME,
        text=str(current_app.config["CERTIFICATE_TEXT"]),
        signature_name=signature_name,
        signature_title=signature_title,
    )


def certificate_pdf(registration: Registration) -> bytes:
    html = render_template(
        "attendance/certificate.html",
        certificate=certificate_for(registration),
    )
    return render_pdf(html)


def certificate_filename(registration: Registration) -> str:
    """``certificate-<event id>-<name>.pdf``, ASCII only (a safe header value)."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", registration.user.name).strip("-").lower() or "person"
    return f"certificate-{registration.event_id}-{name[:40]}-{registration.id}.pdf"


def certificates_zip(registrations: list[Registration]) -> bytes:
    """A zip of the certificates of these registrations, one PDF each."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for registration in registrations:
            archive.writestr(certificate_filename(registration), certificate_pdf(registration))
    return out.getvalue()
