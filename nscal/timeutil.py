"""Time zones: validation and the list offered in pickers; the years nscal handles."""

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_time
from flask_babel import get_locale, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

# The years nscal handles: calendar pages, the coordinators' plans and the dates typed
# in forms. Outside them a page is not found and a typed date is refused (the zone
# database, calendars and the database are at ease with these; year 1 or 9999 is not).
FIRST_YEAR, LAST_YEAR = 1970, 2199


def year_in_range(year: int) -> bool:
    """Whether ``year`` is one nscal handles (FIRST_YEAR to LAST_YEAR, both included)."""
    return FIRST_YEAR <= year <= LAST_YEAR


# The network's zones, offered first in every picker.
NORDIC_ZONES = (
    ("Europe/Copenhagen", "Copenhagen (Denmark)"),
    ("Europe/Stockholm", "Stockholm (Sweden)"),
    ("Europe/Oslo", "Oslo (Norway)"),
    ("Europe/Helsinki", "Helsinki (Finland)"),
    ("Atlantic/Reykjavik", "Reykjavík (Iceland)"),
    ("America/Nuuk", "Nuuk (Greenland)"),
    ("Atlantic/Faroe", "Tórshavn (Faroe Islands)"),
)


@cache
def all_zone_names() -> frozenset[str]:
    """Every IANA zone name the tz database knows."""
    return frozenset(available_timezones())


def is_valid_zone(name: str | None) -> bool:
    if not name or name not in all_zone_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# The regions of the picker, by the first part of a zone's name (the tz database's
# areas). Names outside them (legacy aliases like "US/Eastern", "Etc/GMT+1") are not
# offered, though still accepted when typed or already saved.
ZONE_REGIONS = {
    "Europe": "Europe",
    "America": "America",
    "Asia": "Asia",
    "Africa": "Africa",
    "Australia": "Australia and Pacific",
    "Pacific": "Australia and Pacific",
    "Atlantic": "Atlantic",
    "Indian": "Indian Ocean",
    "Antarctica": "Antarctica",
}
NORDIC_GROUP = "Nordic zones"
REGION_ORDER = (NORDIC_GROUP, *dict.fromkeys(ZONE_REGIONS.values()), "Other")


def _region_label(zone: str) -> str:
    """ "New York", "Buenos Aires (Argentina)": the city, with the sub-area if any."""
    parts = zone.replace("_", " ").split("/")
    if len(parts) > 2:
        return f"{parts[-1]} ({', '.join(parts[1:-1])})"
    return parts[-1]


@cache
def zone_choices() -> list[tuple[str, str, str]]:
    """(value, label, group) triples: the Nordic zones first, named by their cities,
    then the others by region ("Europe", "America" …), each sorted by city, and UTC."""
    nordic = {name for name, _ in NORDIC_ZONES}
    by_region: dict[str, list[tuple[str, str, str]]] = {}
    for zone in all_zone_names():
        area = zone.split("/", 1)[0]
        if zone in nordic or "/" not in zone or area not in ZONE_REGIONS:
            continue
        region = ZONE_REGIONS[area]
        by_region.setdefault(region, []).append((zone, _region_label(zone), region))
    choices = [(z, label, NORDIC_GROUP) for z, label in NORDIC_ZONES]
    for region in REGION_ORDER:
        choices += sorted(by_region.get(region, ()), key=lambda c: (c[1].casefold(), c[0]))
    choices.append(("UTC", "UTC (Coordinated Universal Time)", "Other"))
    return choices


# What a picker shows: the groups and the network's own zones in the reader's language.
# ``zone_choices`` keeps the English labels, which ``find_zone`` also matches.
_GROUP_LABELS = {
    NORDIC_GROUP: _l("Nordic zones"),
    "Europe": _l("Europe"),
    "America": _l("America"),
    "Asia": _l("Asia"),
    "Africa": _l("Africa"),
    "Australia and Pacific": _l("Australia and Pacific"),
    "Atlantic": _l("Atlantic"),
    "Indian Ocean": _l("Indian Ocean"),
    "Antarctica": _l("Antarctica"),
    # Translators: the last group of the time zone picker (UTC).
    "Other": LazyString(lambda: pgettext("time zones", "Other")),
}
_CHOICE_LABELS = {
    "Europe/Copenhagen": _l("Copenhagen (Denmark)"),
    "Europe/Stockholm": _l("Stockholm (Sweden)"),
    "Europe/Oslo": _l("Oslo (Norway)"),
    "Europe/Helsinki": _l("Helsinki (Finland)"),
    "Atlantic/Reykjavik": _l("Reykjavík (Iceland)"),
    "America/Nuuk": _l("Nuuk (Greenland)"),
    "Atlantic/Faroe": _l("Tórshavn (Faroe Islands)"),
    "UTC": _l("UTC (Coordinated Universal Time)"),
}


def zone_group_label(group: str) -> str:
    """A picker group's name (``zone_choices``' third item) as the reader reads it."""
    label = _GROUP_LABELS.get(group)
    return str(label) if label is not None else group


def zone_choice_label(zone: str, label: str) -> str:
    """A picker label (``zone_choices``' second item) as the reader reads it."""
    translated = _CHOICE_LABELS.get(zone)
    return str(translated) if translated is not None else label


def reader_zone_choices() -> list[tuple[str, str, str]]:
    """``zone_choices()`` as the reader reads them (labels and groups translated), for
    pickers; ``find_zone`` matches these labels too."""
    return [
        (value, zone_choice_label(value, label), zone_group_label(group))
        for value, label, group in zone_choices()
    ]


@dataclass(frozen=True)
class ZoneGroup:
    name: str
    choices: tuple[tuple[str, str], ...]


@cache
def zone_groups() -> tuple[ZoneGroup, ...]:
    """``zone_choices()`` as the picker's ``<optgroup>``s, in their order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for value, label, group in zone_choices():
        groups.setdefault(group, []).append((value, label))
    return tuple(ZoneGroup(name, tuple(choices)) for name, choices in groups.items())


def reader_zone_groups() -> tuple[ZoneGroup, ...]:
    """``zone_groups()`` as the reader reads them (group names and labels translated)."""
    return tuple(
        ZoneGroup(
            zone_group_label(group.name),
            tuple((value, zone_choice_label(value, label)) for value, label in group.choices),
        )
        for group in zone_groups()
    )


def find_zone(text: str | None) -> str | None:
    """The zone a person typed: its name ("Europe/Oslo"), its city ("oslo", "new york",
    "Reykjavik" without the accent) or a picker label; None when nothing matches."""
    wanted = " ".join((text or "").replace("_", " ").split()).casefold()
    if not wanted:
        return None
    if is_valid_zone(text.strip()):
        return text.strip()
    plain = _without_accents(wanted)
    for value, label, _group in zone_choices():
        labels = {label, zone_choice_label(value, label)}  # English, and the reader's
        names = {value.replace("_", " ").casefold()}
        names |= {text.casefold() for text in labels}
        names |= {text.split(" (")[0].casefold() for text in labels}
        if wanted in names or plain in {_without_accents(name) for name in names}:
            return value
    return None


def _without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class LocalTimeError(ValueError):
    """A wall-clock time that does not exist in the zone (the spring-forward gap)."""


def zone_abbreviation(moment: datetime) -> str:
    """CET, CEST, EET, GMT, WGST …, or the offset where the tz database has none."""
    return moment.tzname() or moment.strftime("%z")


def local_to_utc(local: datetime, zone_name: str) -> tuple[datetime, str | None]:
    """Turn a wall-clock time in ``zone_name`` into a UTC instant.

    A time inside the spring-forward gap raises ``LocalTimeError`` naming the gap.
    A time that happens twice (fall-back) takes the first, as RFC 5545 does, and
    returns a note saying so; otherwise the note is None.
    """
    if local.tzinfo is not None:
        raise ValueError("local_to_utc expects a wall-clock (naive) time")
    zone = ZoneInfo(zone_name)
    first = local.replace(tzinfo=zone, fold=0)
    second = local.replace(tzinfo=zone, fold=1)
    first_offset, second_offset = first.utcoffset(), second.utcoffset()
    if first_offset == second_offset:
        return first.astimezone(UTC), None
    if first_offset > second_offset:  # fall back: the hour happens twice
        note = _(
            "%(time)s happens twice in %(zone)s when the clocks go back; "
            "the first one (%(abbreviation)s, UTC%(offset)s) is used.",
            time=_date_and_clock(local),
            zone=zone_name,
            abbreviation=zone_abbreviation(first),
            offset=_offset(first),
        )
        return first.astimezone(UTC), note
    # Spring forward: the wall-clock time is skipped. Find the jump to name it.
    jump = second.astimezone(UTC)  # before the jump …
    while jump.astimezone(zone).utcoffset() == first_offset:  # … step to it (≤ gap length)
        jump += timedelta(minutes=1)
    raise LocalTimeError(
        _(
            "%(time)s does not exist in %(zone)s: the clocks jump from %(before)s to %(after)s "
            "that night. Choose a time before or after the gap.",
            time=_date_and_clock(local),
            zone=zone_name,
            before=_clock(jump + first_offset),
            after=_clock(jump + second_offset),
        )
    )


def _clock(moment: datetime) -> str:
    """ "02:00", "2.00": the reader's clock, as ``nscal.timedisplay.clock`` writes it
    (that module imports this one, so the few lines are repeated here)."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return f"{moment:%H:%M}"
    pattern = locale.datetime_skeletons["Hm"].pattern
    return format_time(time(moment.hour, moment.minute), pattern, locale=locale)


def _date_and_clock(moment: datetime) -> str:
    """ "2027-03-28 02:30": the date as typed in the form, then the reader's clock."""
    return f"{moment:%Y-%m-%d} {_clock(moment)}"


def _offset(moment: datetime) -> str:
    text = moment.strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def to_zone(instant: datetime, zone_name: str) -> datetime:
    """The same instant, read on the wall clocks of ``zone_name``."""
    return instant.astimezone(ZoneInfo(zone_name))
