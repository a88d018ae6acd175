"""Events as iCalendar (RFC 5545) components: one function makes every VEVENT.

``event_to_vevent`` is used by every feed, the per-event download and the mailed
invitations (iTIP, RFC 5546: ``method="REQUEST"``/``"CANCEL"`` with ORGANIZER and
the recipient as ATTENDEE). ``calendar_for`` wraps VEVENTs in a VCALENDAR with one
VTIMEZONE (``nscal.feeds.vtimezone``) per TZID used.

A series is written as separate events: each occurrence is its own VEVENT with its
own UID and no RRULE or RECURRENCE-ID, because each occurrence is stored, moved,
cancelled and registered for on its own. Calendar apps then show exactly the
occurrences nscal has, and a moved or cancelled one needs no override logic.

The words written into a VEVENT are marked for translation and taken in the current
locale: the feeds render each language under ``force_locale`` (``nscal.feeds.stored``).
Feeds store every event's public VEVENT; ``with_reader_parts`` adds what only the
feed's reader may see (their registration, the online link, their alarm) to those
stored bytes, so a private feed re-renders nothing but the lines that differ.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import icalendar
from flask import current_app
from flask_babel import gettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from nscal.db import utcnow
from nscal.events.models import Event, EventFormat, EventStatus
from nscal.events.privacy import public_description
from nscal.feeds.vtimezone import is_supported, vtimezone_bytes
from nscal.i18n import current_language
from nscal.urls import external_url

PRODID = "-//Nordic Safe Cities//nscal//EN"
# How often subscribed apps should fetch again (RFC 7986 and the older X- property).
REFRESH_INTERVAL = timedelta(hours=1)
ITIP_METHODS = ("REQUEST", "CANCEL")

# Registration status (nscal.registrations.models.RegistrationStatus) -> PARTSTAT.
PARTSTAT = {
    "confirmed": "ACCEPTED",
    "waitlisted": "TENTATIVE",
    "pending": "TENTATIVE",
    "cancelled": "DECLINED",
    "rejected": "DECLINED",
}
# In the feed's language (``?lang=``; English by default).
REGISTRATION_LABELS = {
    "confirmed": _l("You are registered."),
    "waitlisted": _l("You are on the waiting list."),
    "pending": _l("Your registration awaits approval."),
    "cancelled": _l("You cancelled your registration."),
    "rejected": _l("Your registration was not accepted."),
}


@dataclass(frozen=True)
class CalendarAddress:
    """A person as ORGANIZER or ATTENDEE: an email address and a display name."""

    email: str
    name: str = ""


@dataclass(frozen=True)
class FeedEntry:
    """One event in a feed, with what this feed may say about it to its reader."""

    event: Event
    registration_status: str | None = None
    include_online_link: bool = False


# An id whose place in a built URL marks where every other id goes.
_URL_PROBE = 7_654_321


def event_page_url(event_id: int) -> str:
    """The absolute URL of the event's public page."""
    prefix, suffix = _event_page_url_parts()
    return f"{prefix}{int(event_id)}{suffix}"


def _event_page_url_parts() -> tuple[str, str]:
    """The event page URL around its id, built once per app and BASE_URL: building a
    URL outside a request takes a request context, far dearer than the VEVENT's other
    parts when a feed of thousands of events is rendered."""
    base = current_app.config["BASE_URL"]
    known = current_app.extensions.setdefault("nscal.feeds.event_page_url", {})
    parts = known.get(base)
    if parts is None:
        try:
            # Kept for the app's life: the plain address, whatever language asked first.
            url = external_url("events.detail", event_id=_URL_PROBE, lang=None)
        except BuildError:  # the page is not routed (yet): its documented path
            url = f"{base.rstrip('/')}/events/{_URL_PROBE}"
        prefix, _probe, suffix = url.rpartition(str(_URL_PROBE))
        parts = known[base] = (prefix, suffix)
    return parts


def event_tzid(event: Event) -> str | None:
    """The TZID the event's times are written with, or None when they are written in UTC.

    UTC is used for all-day events (no times), for zones our VTIMEZONE cannot describe,
    and for a start or end in an hour that happens twice (the fall-back): RFC 5545 reads
    such a local time as the first pass, but ical.js (Thunderbird) reads the second, so
    only UTC means the same instant everywhere.
    """
    if event.all_day or not is_supported(event.timezone):
        return None
    zone = ZoneInfo(event.timezone)
    for instant in (event.starts_at, event.ends_at):
        local = instant.astimezone(zone)
        if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
            return None
    return event.timezone


def _add_times(vevent: icalendar.Event, event: Event) -> None:
    if event.all_day:
        vevent.add("dtstart", event.start_date)  # VALUE=DATE; DTEND is exclusive
        vevent.add("dtend", event.end_date)
        return
    tzid = event_tzid(event)
    for name, instant in (("dtstart", event.starts_at), ("dtend", event.ends_at)):
        if tzid is None:
            vevent.add(name, _seconds(instant).astimezone(UTC))
            continue
        local = _seconds(instant).astimezone(ZoneInfo(tzid))
        vevent.add(name, local)
        if vevent[name].params.get("TZID") != tzid:
            # icalendar writes a zone it deems equal to UTC (Atlantic/Reykjavik) as "Z":
            # keep the zone, as the wall-clock time with an explicit TZID.
            del vevent[name]
            vevent.add(name, local.replace(tzinfo=None), parameters={"TZID": tzid})


def _seconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _location(event: Event) -> str:
    """Where to go: the venue and the host city (unless the venue names it), or Online."""
    if event.format is EventFormat.online:
        return gettext("Online")
    place = [event.venue.strip()] if event.venue.strip() else []
    city = event.host_city.name if event.host_city is not None else None
    if city and city.casefold() not in event.venue.casefold():
        place.append(city)
    text = ", ".join(place)
    if event.format is EventFormat.hybrid:
        return gettext("%(place)s and online", place=text) if text else gettext("Online")
    return text


def _description(
    event: Event,
    page_url: str,
    registration_status: str | None,
    include_online_link: bool,
    language: str | None = None,
) -> str:
    parts = []
    if event.is_cancelled:
        reason = (event.cancel_reason or "").strip()
        parts.append(" ".join(filter(None, [_("This event is cancelled."), reason])))
    if registration_status:
        parts.append(str(REGISTRATION_LABELS.get(registration_status, registration_status)))
    # Whoever may not have the online link may not find it in the description either.
    if include_online_link:
        description = event.text_in(language).description
    else:
        description = public_description(event, language)
    if description.strip():
        parts.append(description.strip())
    facts = [event.format.label]
    if event.host_city is not None:
        facts.append(_("hosted by %(city)s", city=event.host_city.name))
    if event.audience:
        audience = ", ".join(role.label for role in event.audience)
        facts.append(_("for %(audience)s", audience=audience))
    else:
        facts.append(_("for everyone"))
    parts.append(" · ".join(facts))
    if include_online_link and event.online_url:
        parts.append(_("Online: %(url)s", url=event.online_url))
    parts.append(_("Details and registration: %(url)s", url=page_url))
    return "\n\n".join(parts)


def _address(who) -> CalendarAddress:
    if isinstance(who, CalendarAddress):
        return who
    if isinstance(who, str):
        name, email = parseaddr(who)
        return CalendarAddress(email, name)
    return CalendarAddress(who.email, getattr(who, "name", "") or "")


def _add_address(
    vevent: icalendar.Event, name: str, who: CalendarAddress, params: dict[str, str]
) -> None:
    parameters = {"CN": who.name} if who.name else {}
    parameters.update(params)
    vevent.add(name, f"mailto:{who.email}", parameters=parameters)


def _status(event: Event, method: str) -> str:
    if event.is_cancelled or method == "CANCEL":
        return "CANCELLED"
    if event.status is EventStatus.draft:
        return "TENTATIVE"  # only coordinators see drafts
    return "CONFIRMED"


def event_to_vevent(
    event: Event,
    *,
    method: str | None = None,
    attendee=None,
    organizer=None,
    registration_status: str | None = None,
    include_online_link: bool = False,
    stamp: datetime | None = None,
) -> icalendar.Event:
    """The VEVENT of ``event``.

    ``method`` is the VCALENDAR's METHOD. For ``"REQUEST"`` and ``"CANCEL"`` (iTIP
    mail) pass ``attendee`` (a User, a ``CalendarAddress`` or ``"Name <email>"``);
    ``organizer`` defaults to the mail sender, DTSTAMP to now. For feeds
    (``None``/``"PUBLISH"``) DTSTAMP is the last change, so the bytes are stable.
    ``registration_status`` (a RegistrationStatus value) sets the attendee's PARTSTAT
    and a line in the description. The online link is written only when
    ``include_online_link`` is true: never in public feeds.
    """
    method = (method or "PUBLISH").upper()
    itip = method in ITIP_METHODS
    cancelled = event.is_cancelled or method == "CANCEL"
    page_url = event_page_url(event.id)

    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence or 0)
    vevent.add("dtstamp", _seconds(stamp or (utcnow() if itip else event.updated_at)))
    vevent.add("created", _seconds(event.created_at))
    vevent.add("last-modified", _seconds(event.updated_at))
    _add_times(vevent, event)
    # The text in the language asked for (a feed's ?lang=, a mail's recipient's) where
    # the event has one, else the original: RFC 5545 allows one SUMMARY per VEVENT.
    language = current_language()
    title = event.text_in(language).title
    # Translators: the title of a cancelled event in calendar apps.
    vevent.add("summary", _("Cancelled: %(title)s", title=title) if cancelled else title)
    vevent.add(
        "description",
        _description(event, page_url, registration_status, include_online_link, language),
    )
    location = _location(event)
    if location:
        vevent.add("location", location)
    vevent.add("url", page_url)
    vevent.add("categories", [event.kind.label])
    vevent.add("status", _status(event, method))
    # A cancelled event no longer makes anyone busy.
    vevent.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    vevent.add("class", "PUBLIC")
    if include_online_link and event.online_url:
        vevent.add("conference", event.online_url, parameters={"VALUE": "URI", "FEATURE": "VIDEO"})
    if organizer is None and itip:
        organizer = current_app.config["MAIL_SENDER"]
    if organizer is not None:
        _add_address(vevent, "organizer", _address(organizer), {})
    if attendee is not None:
        partstat = PARTSTAT.get(registration_status or "", "NEEDS-ACTION")
        params = {"CUTYPE": "INDIVIDUAL", "ROLE": "REQ-PARTICIPANT", "PARTSTAT": partstat}
        params["RSVP"] = "FALSE"  # people answer on the event page, not by iTIP REPLY
        _add_address(vevent, "attendee", _address(attendee), params)
    return vevent


def component_bytes(component: icalendar.Component) -> bytes:
    """``component.to_ical()``, byte for byte, with a faster line folding: the library
    folds character by character, about a third of the time of rendering a feed."""
    lines = [fold_line(line) for line in component.content_lines() if line]
    lines.append(b"")
    return b"\r\n".join(lines)


def fold_line(line: str, limit: int = 75) -> bytes:
    """A content line folded as ``icalendar``'s own folding does it, as UTF-8: pieces of
    at most ``limit - 1`` octets, never splitting a character, and never ending a
    piece with a backslash or caret (the start of an escape) unless it is alone."""
    data = line.encode("utf-8")
    if len(data) < limit:
        return data
    pieces = []
    start, width, end = 0, limit - 1, len(data)
    while end - start > width:
        cut = start + width
        while (data[cut] & 0xC0) == 0x80:  # inside a character: cut before it
            cut -= 1
        if data[cut - 1] in b"\\^" and cut - 1 > start:
            cut -= 1  # keep an escape's backslash or caret with what follows
        pieces.append(data[start:cut])
        start = cut
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


def _entries(items: Iterable[Event | FeedEntry]) -> list[FeedEntry]:
    return [item if isinstance(item, FeedEntry) else FeedEntry(item) for item in items]


def rendered(entry: FeedEntry) -> tuple[bytes, str | None]:
    """The entry's VEVENT, serialized, and the TZID its times are written with."""
    vevent = event_to_vevent(
        entry.event,
        registration_status=entry.registration_status,
        include_online_link=entry.include_online_link,
    )
    return component_bytes(vevent), event_tzid(entry.event)


def calendar_for(
    events: Iterable[Event | FeedEntry],
    *,
    name: str | None = None,
    url: str | None = None,
    method: str = "PUBLISH",
    description: str | None = None,
) -> bytes:
    """A VCALENDAR of ``events`` (events, or ``FeedEntry``s saying what to include),
    rendered now: for a single event's file and a person's export. Subscribed feeds
    are assembled from stored VEVENTs (``nscal.feeds.services``).

    ``name`` (X-WR-CALNAME and NAME) and ``url`` (SOURCE) are for subscribed feeds,
    which also get a refresh interval; a single-event download has neither.
    """
    parts = [rendered(entry) for entry in _entries(events)]
    head = calendar_head(name, url, method, description)
    return assemble(head, {tzid for _vevent, tzid in parts if tzid}, [v for v, _tzid in parts])


_END_VEVENT = b"END:VEVENT\r\n"


def with_reader_parts(
    vevent: bytes,
    event: Event,
    *,
    registration_status: str | None,
    include_online_link: bool,
    alarm_minutes: int | None = None,
) -> bytes:
    """The stored public VEVENT of ``event`` with what its reader alone may see: their
    registration (a line in DESCRIPTION), the online link once their place is confirmed
    (in DESCRIPTION and as CONFERENCE) and their alarm. Only those properties are
    rendered; the result is byte for byte ``event_to_vevent`` with the same arguments
    (plus the VALARM), in the language the stored bytes were rendered in."""
    own = icalendar.Event()
    page_url = event_page_url(event.id)
    own.add("description", _description(event, page_url, registration_status, include_online_link))
    if include_online_link and event.online_url:
        own.add("conference", event.online_url, parameters={"VALUE": "URI", "FEATURE": "VIDEO"})
    lines = _property_lines(vevent)
    for line in own.content_lines():
        name = _property_name(line)
        if line and name not in ("BEGIN", "END"):
            lines[name] = [fold_line(line)]
    # The order icalendar itself writes properties in (canonical ones first, then A-Z).
    order = icalendar.Event(**dict.fromkeys(lines, "")).sorted_keys()
    body = [b"BEGIN:VEVENT"] + [line for name in order for line in lines[name]]
    result = b"\r\n".join(body) + b"\r\n" + _END_VEVENT
    return with_alarm(result, alarm_minutes) if alarm_minutes else result


def _property_name(line: str | bytes) -> str:
    text = line.decode("utf-8") if isinstance(line, bytes) else line
    return re.split(r"[;:]", text, maxsplit=1)[0].upper()


def _property_lines(vevent: bytes) -> dict[str, list[bytes]]:
    """A serialized VEVENT's properties by name, each as its folded line(s)."""
    if not (vevent.startswith(b"BEGIN:VEVENT\r\n") and vevent.endswith(_END_VEVENT)):
        raise ValueError("unexpected VEVENT serialization")
    inner = vevent[len(b"BEGIN:VEVENT\r\n") : -len(_END_VEVENT)]
    lines: dict[str, list[bytes]] = {}
    # A folded line continues after CRLF and a space: split only where no space follows.
    for line in re.split(rb"\r\n(?! )", inner.removesuffix(b"\r\n")):
        lines.setdefault(_property_name(line.split(b"\r\n", 1)[0]), []).append(line)
    return lines


def alarm_bytes(minutes: int) -> bytes:
    """A VALARM that shows a reminder ``minutes`` before the start (RFC 5545 3.6.6)."""
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", timedelta(minutes=-minutes))
    alarm.add("description", gettext("Reminder: an event you registered for starts soon"))
    return component_bytes(alarm)


def with_alarm(vevent: bytes, minutes: int) -> bytes:
    """A serialized VEVENT with the reader's VALARM inside, before its END."""
    if not vevent.endswith(_END_VEVENT):
        raise ValueError("unexpected VEVENT serialization")
    return vevent[: -len(_END_VEVENT)] + alarm_bytes(minutes) + _END_VEVENT


def calendar_head(
    name: str | None, url: str | None, method: str, description: str | None
) -> icalendar.Calendar:
    """The VCALENDAR's own properties. ``name`` (X-WR-CALNAME and NAME) and ``url``
    (SOURCE) are for subscribed feeds, which also get a refresh interval."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method.upper())
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
    if description:
        calendar.add("description", description)
        calendar.add("x-wr-caldesc", description)
    if url:
        calendar.add("source", url, parameters={"VALUE": "URI"})
    if name or url:
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    return calendar


def itip_calendar(
    event: Event,
    *,
    method: str,
    attendee,
    organizer=None,
    registration_status: str | None = None,
    include_online_link: bool = True,
) -> bytes:
    """An iTIP message (RFC 5546) for one person: ``method`` is "REQUEST" or "CANCEL".

    The mail's ``text/calendar`` part must say the same ``method=``. Cancellations
    carry the same UID and the event's raised SEQUENCE.
    """
    method = method.upper()
    vevent = event_to_vevent(
        event,
        method=method,
        attendee=attendee,
        organizer=organizer,
        registration_status=registration_status,
        include_online_link=include_online_link and method != "CANCEL",
    )
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    tzid = event_tzid(event)
    return assemble(calendar, {tzid} if tzid else set(), [vevent.to_ical()])


END_VCALENDAR = b"END:VCALENDAR\r\n"


def calendar_start(
    calendar: icalendar.Calendar,
    tzids: set[str],
    zone_bytes: Callable[[str], bytes] = vtimezone_bytes,
) -> bytes:
    """What comes before a feed's VEVENTs: the calendar's properties and one VTIMEZONE
    per TZID (``zone_bytes(tzid)``); ``END_VCALENDAR`` follows the VEVENTs."""
    head = calendar.to_ical()
    if not head.endswith(END_VCALENDAR):
        raise ValueError("unexpected VCALENDAR serialization")
    return head[: -len(END_VCALENDAR)] + b"".join(zone_bytes(t) for t in sorted(tzids))


def assemble(calendar: icalendar.Calendar, tzids: set[str], vevents: list[bytes]) -> bytes:
    """The calendar's properties, one VTIMEZONE per TZID, then the VEVENTs."""
    return b"".join([calendar_start(calendar, tzids), *vevents, END_VCALENDAR])
