"""Time zones: validation and the list offered in pickers."""

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# The network's zones, offered first in every picker.
NORDIC_ZONES = (
    ("Europe/Copenhagen", "Copenhagen (Denmark)"),
    ("Europe/Stockholm", "Stockholm (Sweden)"),
    ("Europe/Oslo", "Oslo (Norway)"),
    ("Europe/Helsinki", "Helsinki (Finland)"),
    ("Atlantic/Reykjavik", "Reykjavik (Iceland)"),
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


@cache
def zone_choices() -> list[tuple[str, str, str]]:
    """(value, label, group) triples: the Nordic zones first, then every other zone."""
    nordic = {name for name, _ in NORDIC_ZONES}
    others = sorted(z for z in all_zone_names() if z not in nordic and "/" in z)
    return [(z, label, "Nordic zones") for z, label in NORDIC_ZONES] + [
        (z, z.replace("_", " "), "Other zones") for z in others
    ]
