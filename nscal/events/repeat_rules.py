"""Repeat rules (the RRULE value of RFC 5545): parsing, checking, describing, expanding.

Pure functions, shared by the event form, the event services and the imports. A rule
runs in the series' wall-clock time: its occurrences keep the first start's time of day
across DST changes. A series here is one meeting a day at most, so rules that repeat
more often, or set their own hours, are refused with ``RepeatRuleError``.
"""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from flask_babel import get_locale, ngettext, pgettext
from flask_babel import gettext as _

from nscal.timedisplay import short_date

ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
SUB_DAILY_FREQUENCIES = {"HOURLY", "MINUTELY", "SECONDLY"}
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
WEEKDAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


# The words of ``describe_rule``, whole phrases for translators. A weekday is worded in
# two places, each in the form its phrase needs ("joka viikko maanantaisin").
def _weekly_day(code: str) -> str:
    # Translators: a weekday as in “every week on Monday” (every week on %(weekday)s).
    return {
        "MO": pgettext("every week on", "Monday"),
        "TU": pgettext("every week on", "Tuesday"),
        "WE": pgettext("every week on", "Wednesday"),
        "TH": pgettext("every week on", "Thursday"),
        "FR": pgettext("every week on", "Friday"),
        "SA": pgettext("every week on", "Saturday"),
        "SU": pgettext("every week on", "Sunday"),
    }[code]


def _monthly_day(code: str) -> str:
    # Translators: a weekday as in “monthly on the first Monday”.
    return {
        "MO": pgettext("monthly on the first", "Monday"),
        "TU": pgettext("monthly on the first", "Tuesday"),
        "WE": pgettext("monthly on the first", "Wednesday"),
        "TH": pgettext("monthly on the first", "Thursday"),
        "FR": pgettext("monthly on the first", "Friday"),
        "SA": pgettext("monthly on the first", "Saturday"),
        "SU": pgettext("monthly on the first", "Sunday"),
    }[code]


def _monthly_on(ordinal: int, weekday: str) -> str:
    phrases = {
        1: _("monthly on the first %(weekday)s", weekday=weekday),
        2: _("monthly on the second %(weekday)s", weekday=weekday),
        3: _("monthly on the third %(weekday)s", weekday=weekday),
        4: _("monthly on the fourth %(weekday)s", weekday=weekday),
        -1: _("monthly on the last %(weekday)s", weekday=weekday),
    }
    return phrases[ordinal]


def _every(unit: str, interval: int) -> str:
    if unit == "day":
        return ngettext("every day", "every %(num)d days", interval)
    if unit == "month":
        return ngettext("every month", "every %(num)d months", interval)
    return ngettext("every year", "every %(num)d years", interval)


class RepeatRuleError(ValueError):
    """A rule nscal cannot keep as a series; the message says why, in words for people.

    ``problem`` names what is wrong (``syntax``, ``frequency``, ``interval``,
    ``time_of_day``, ``invalid``, ``no_dates``), for a page that words it its own way.
    """

    def __init__(self, message: str, problem: str):
        super().__init__(message)
        self.problem = problem


# --- reading a rule --------------------------------------------------------------------


def normalize_rule(rule: str | None) -> str:
    """The rule without an ``RRULE:`` prefix, blanks, lower case or stray semicolons."""
    rule = re.sub(r"\s+", "", rule or "").upper()
    if rule.startswith("RRULE:"):
        rule = rule[6:]
    return rule.strip(";")


def rule_parts(rule: str) -> dict[str, str]:
    """The rule's ``NAME=value`` parts, by name."""
    parts = {}
    for part in normalize_rule(rule).split(";"):
        name, _equals, value = part.partition("=")
        if name:
            parts[name] = value
    return parts


def rule_has_end(rule: str) -> bool:
    """Whether the rule says itself when it ends (UNTIL or COUNT)."""
    return bool({"UNTIL", "COUNT"} & set(rule_parts(rule)))


def without_end(rule: str) -> str:
    """The rule without its UNTIL or COUNT: the pattern of a series, not its length."""
    return re.sub(r";?(UNTIL|COUNT)=[^;]*", "", normalize_rule(rule)).strip(";")


def pattern_key(rule: str) -> str:
    """The rule's pattern in a canonical order, to recognise a copy of a series."""
    return ";".join(sorted(part for part in without_end(rule).split(";") if part))


def split_until(rule: str) -> tuple[str, date | None]:
    """Take UNTIL out of a rule: the rest of the rule, and the local last day (if any)."""
    match = re.search(r"UNTIL=(\d{8})", rule, flags=re.IGNORECASE)
    if not match:
        return normalize_rule(rule), None
    rest = re.sub(r";?UNTIL=[^;]*", "", normalize_rule(rule)).strip(";")
    return rest, _rule_date(match.group(1))


def with_until(rule: str, until: date | None) -> str:
    """Add UNTIL, in wall-clock time like the rest of the rule: the whole last day counts."""
    if until is None:
        return rule
    return f"{rule};UNTIL={until:%Y%m%d}T235959"


def _rule_date(text: str) -> date:
    """The date of an RRULE's ``YYYYMMDD``."""
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


# --- the repeat menu and words for people ----------------------------------------------


def preset_rule(preset: str, start: date) -> str | None:
    """The RRULE value of a pattern from the repeat menu, for a series starting on ``start``."""
    if preset == "weekly":
        return "FREQ=WEEKLY"
    if preset == "biweekly":
        return "FREQ=WEEKLY;INTERVAL=2"
    if preset == "monthly-weekday":
        nth = (start.day - 1) // 7 + 1
        if nth > 4:  # the 29th–31st: "the last Wednesday", which every month has
            nth = -1
        return f"FREQ=MONTHLY;BYDAY={nth}{WEEKDAYS[start.weekday()]}"
    if preset == "monthly-date":
        return f"FREQ=MONTHLY;BYMONTHDAY={start.day}"
    return None


def describe_rule(rule: str | None) -> str | None:
    """'monthly on the first Wednesday' for the common patterns; None for the others."""
    if not rule:
        return None
    parts = rule_parts(rule)
    freq = parts.pop("FREQ", "")
    interval_text = parts.pop("INTERVAL", "1")
    interval = int(interval_text) if interval_text.isdigit() else 1
    until = parts.pop("UNTIL", None)
    count = parts.pop("COUNT", None)
    text = None
    if freq == "WEEKLY" and not parts:
        text = ngettext("every week", "every %(num)d weeks", interval)
    elif freq == "WEEKLY" and set(parts) == {"BYDAY"} and parts["BYDAY"] in WEEKDAY_NAMES:
        text = ngettext(
            "every week on %(weekday)s",
            "every %(num)d weeks on %(weekday)s",
            interval,
            weekday=_weekly_day(parts["BYDAY"]),
        )
    elif freq == "MONTHLY" and interval == 1 and set(parts) == {"BYDAY"}:
        match = re.fullmatch(r"([+-]?\d)(MO|TU|WE|TH|FR|SA|SU)", parts["BYDAY"])
        if match and int(match.group(1)) in ORDINALS:
            text = _monthly_on(int(match.group(1)), _monthly_day(match.group(2)))
    elif freq == "MONTHLY" and interval == 1 and set(parts) == {"BYMONTHDAY"}:
        if parts["BYMONTHDAY"].isdigit():
            day = _ordinal_day(int(parts["BYMONTHDAY"]))
            # Translators: %(day)s is the day of the month with its ordinal: 22nd, 22., 22:a.
            text = _("monthly on the %(day)s", day=day)
    elif freq in {"DAILY", "MONTHLY", "YEARLY"} and not parts:
        unit = {"DAILY": "day", "MONTHLY": "month", "YEARLY": "year"}[freq]
        text = _every(unit, interval)
    if text is None:
        return None
    if until and re.match(r"\d{8}", until):
        text = _("%(rule)s, until %(day)s", rule=text, day=short_date(_rule_date(until[:8])))
    elif count and count.isdigit():
        text = ngettext("%(rule)s, %(num)d time", "%(rule)s, %(num)d times", int(count), rule=text)
    return text


def _ordinal_day(day: int) -> str:
    """22nd in English, 22:a in Swedish, 22. in the other Nordic languages."""
    language = getattr(get_locale(), "language", "en")
    if language == "sv":
        return f"{day}:a" if day % 10 in (1, 2) and day % 100 not in (11, 12) else f"{day}:e"
    if language != "en":
        return f"{day}."
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


# --- checking and expanding ------------------------------------------------------------


def check_rule(rule: str) -> None:
    """Refuse a rule that does not make a series of meetings, with ``RepeatRuleError``.

    Some bad values (UNTIL=20270230, BYDAY=+9WE) only show when the rule is expanded:
    ``expand_rule`` refuses those.
    """
    parts = rule_parts(rule)
    shown = normalize_rule(rule)
    if "FREQ" not in parts or any(not value for value in parts.values()):
        raise RepeatRuleError(
            _(
                "The repeat rule %(rule)s is not valid: write it as in iCalendar, "
                "e.g. FREQ=MONTHLY;BYDAY=1WE.",
                rule=repr(shown),
            ),
            "syntax",
        )
    if parts["FREQ"] in SUB_DAILY_FREQUENCIES:
        raise RepeatRuleError(
            _("A series repeats daily at most; use separate events within a day."), "frequency"
        )
    if parts["FREQ"] not in ALLOWED_FREQUENCIES:
        raise RepeatRuleError(
            _(
                "The repeat rule %(rule)s is not valid: a series repeats daily, weekly, "
                "monthly or yearly.",
                rule=repr(shown),
            ),
            "frequency",
        )
    if not parts.get("INTERVAL", "1").isdigit() or int(parts.get("INTERVAL", "1")) < 1:
        raise RepeatRuleError(
            _(
                "The repeat rule %(rule)s is not valid: INTERVAL must be 1 or more.",
                rule=repr(shown),
            ),
            "interval",
        )
    if {"BYHOUR", "BYMINUTE", "BYSECOND"} & set(parts):
        raise RepeatRuleError(
            _("A series takes its time of day from its first start, not the rule."), "time_of_day"
        )


def expand_rule(
    rule: str, first_local_start: datetime, zone_name: str, *, horizon: datetime, limit: int
) -> list[datetime]:
    """Local wall-clock starts of a series, from its first start up to ``horizon`` and at
    most ``limit`` of them: 14:00 stays 14:00 across DST changes."""
    check_rule(rule)
    shown = normalize_rule(rule)
    starts = []
    try:  # dateutil reports some bad rules (UNTIL=20270230, BYDAY=+9WE) only when iterating
        text = _localize_until(shown, zone_name)
        for start in rrulestr(text, dtstart=first_local_start):
            if start > horizon or len(starts) >= limit:
                break
            starts.append(start)
    except (ValueError, TypeError, IndexError, OverflowError) as exc:
        raise RepeatRuleError(
            _("The repeat rule %(rule)s is not valid: %(reason)s", rule=repr(shown), reason=exc),
            "invalid",
        ) from None
    if not starts:
        raise RepeatRuleError(
            _("The repeat rule %(rule)s gives no dates after the first start.", rule=repr(shown)),
            "no_dates",
        )
    return starts


def first_start_from(rule: str, first_local_start: datetime, moment: datetime) -> datetime | None:
    """The first start the (checked) rule gives at or after ``moment``, in wall-clock time."""
    text = normalize_rule(rule)
    return rrulestr(text, dtstart=first_local_start).after(moment, inc=True)


def _localize_until(rule: str, zone_name: str) -> str:
    """RFC 5545 writes UNTIL in UTC; our rule runs in wall-clock time, so convert it."""
    match = re.search(r"UNTIL=(\d{8}T\d{6})Z", rule, flags=re.IGNORECASE)
    if not match:
        return rule
    until = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    local = until.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)
    return rule.replace(match.group(0), f"UNTIL={local:%Y%m%dT%H%M%S}")
