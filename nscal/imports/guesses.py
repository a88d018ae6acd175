"""What an import guesses when the file does not say: kind, host city, zone, format.

Each planned item carries one ``Guess`` per field, with where it came from, so that the
preview can show it ("from the title “Bymøde i Aarhus”") and the coordinator can
correct it before importing. Precedence, field by field (first that applies wins):

1. a correction the coordinator made in the preview;
2. what the file states (CSV cell, CATEGORIES, a TZID that names an IANA zone);
3. on a re-import (same UID), what nscal has: a guess never overwrites a value the
   coordinator corrected at the first import or edited in nscal since;
4. the guess: kind from the title, host city from the place (else the title), zone
   from the host city, format from the link and place;
5. the default: kind "other", no host city, Europe/Copenhagen, in person.

The zone is the one field where guessing touches the instants, so it only fills what
is missing: times with an IANA TZID keep it; a zone nscal itself had to interpret
(Windows names, Outlook's display names, a custom VTIMEZONE, the calendar's
X-WR-TIMEZONE) is named after the host city when the host city's zone keeps the same
clocks (the instants do not move: "W. Europe Standard Time" in Aarhus is
Europe/Copenhagen, not Europe/Stockholm); floating times and all-day dates, which have
no zone at all, are read in the host city's zone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nscal.cities.models import City
from nscal.db import db
from nscal.events.models import Event, EventFormat, EventKind, EventSeries

FIELDS = ("kind", "host_city", "timezone", "format")
FIELD_LABELS = {
    "kind": _l("Kind"),
    "host_city": _l("Host city"),
    "timezone": _l("Time zone"),
    "format": _l("Format"),
}
# Where a value came from, as the preview says it (lazy: compared, then shown).
CORRECTED = _l("corrected in the preview")
KEPT = _l("as in nscal (imported before; a guess does not overwrite it)")

# Kind words, in rule order: the first rule with a word in the title wins. A kick-off
# or a summit is the occasion and may be held as a city meeting, a workshop or online
# ("Kick-off City Meeting (online)" is a kick-off); a webinar says more than the
# workshop it may be ("Webinar workshop on …" is a webinar); "city meeting" is the
# general word, so it comes last. Words are matched without case or accents
# ("Toppmöte" = "toppmote"), at the start of a word; Nordic words also take their
# endings ("bymødet", "työpajassa"). Words marked with a leading "*" also match at the
# end of a compound ("Innovationsworkshop", "Sommertopmøde").
KIND_WORDS: tuple[tuple[EventKind, tuple[str, ...]], ...] = (
    (
        EventKind.kick_off,
        (
            "kick-off",
            "kick off",
            "kickoff",
            "*opstart",  # da
            "*oppstart",  # no
            "*uppstart",  # sv
            "*aloitus",  # fi: aloitustilaisuus, hankkeen aloitus
            "*startfundur",  # is
            "*upphafsfundur",  # is
        ),
    ),
    (
        EventKind.summit,
        (
            "summit",
            "*topmøde",  # da
            "*toppmøte",  # no
            "*toppmöte",  # sv
            "*huippukokous",  # fi
            "*leiðtogafundur",  # is
        ),
    ),
    (
        EventKind.webinar,
        (
            "*webinar",  # en, da, no, sv
            "*webbinar",  # sv: webbinarium
            "*webinaari",  # fi
            "*vefnámskeið",  # is
            "*vefstofa",  # is
        ),
    ),
    (
        EventKind.workshop,
        (
            "*workshop",  # en, and in every Nordic language
            "*værksted",  # da
            "*verksted",  # no
            "*verkstad",  # sv
            "*työpaja",  # fi
            "*vinnustofa",  # is
            "*vinnusmiðja",  # is
        ),
    ),
    (
        EventKind.city_meeting,
        (
            "city meeting",
            "city-meeting",
            "cities meeting",
            "*bymøde",  # da
            "*bymøte",  # no
            "*stadsmöte",  # sv
            "*kaupunkikokous",  # fi
            "*kaupunkitapaaminen",  # fi
            "*borgarfundur",  # is
            "*bæjarfundur",  # is
        ),
    ),
)

# Other names of the member cities (the database has one name and a slug each):
# English, the other national language, old names, and the forms without letters
# keyboards lack. Keyed by slug; cities not listed are found by name and slug.
CITY_ALIASES: dict[str, tuple[str, ...]] = {
    "copenhagen": ("København", "Kobenhavn", "Köpenhamn", "Kööpenhamina", "Kaupmannahöfn"),
    "aarhus": ("Århus",),
    "aalborg": ("Ålborg",),
    "odense": (),
    "malmo": ("Malmö", "Malmø"),
    "gothenburg": ("Göteborg", "Gøteborg", "Goteborg"),
    "stockholm": ("Tukholma", "Tukholmassa"),
    "helsingborg": ("Hälsingborg",),
    "oslo": ("Kristiania",),
    "bergen": ("Björgvin",),
    "baerum": ("Bærum", "Baerum"),
    # Finnish names change with their case: "Helsingin kaupungintalo", "Turussa".
    "helsinki": ("Helsingfors", "Helsingin", "Helsingissä"),
    "espoo": ("Esbo", "Espoon", "Espoossa"),
    "vantaa": ("Vanda", "Vantaan", "Vantaalla"),
    "turku": ("Åbo", "Turun", "Turussa"),
    "reykjavik": ("Reykjavík",),
    "nuuk": ("Godthåb", "Godthaab"),
    "torshavn": ("Tórshavn", "Thorshavn"),
}

# Letters that have no decomposition but a plain form people type instead.
_PLAIN = str.maketrans({"ø": "o", "æ": "ae", "ð": "d", "þ": "th", "ß": "ss", "ł": "l"})


def fold(text: str) -> str:
    """Lower case without accents: "Bymøde i Århus" → "bymode i arhus"."""
    text = text.casefold().translate(_PLAIN)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _word_pattern(word: str) -> str:
    compound = word.startswith("*")
    body = r"[\s\-]*".join(re.escape(part) for part in re.split(r"[\s\-]+", fold(word.lstrip("*"))))
    before = "" if compound else r"(?<!\w)"
    # Endings: English plurals, Nordic definite and plural forms, Finnish cases.
    return rf"{before}{body}\w*"


KIND_PATTERNS = tuple(
    (kind, re.compile("|".join(_word_pattern(word) for word in words)))
    for kind, words in KIND_WORDS
)


@dataclass(frozen=True)
class Guess:
    """One field's value for an item and where it came from.

    ``value`` is what the preview's select submits: the kind's or format's value, the
    city's slug ("" for none), the zone's name. ``guessed`` is False when the file
    states it or the coordinator corrected it: only those are applied over what nscal
    has on a re-import.
    """

    value: str
    label: str
    source: str
    guessed: bool = True


def kind_guess(kind: EventKind, source: str, guessed: bool = True) -> Guess:
    return Guess(kind.value, kind.label, source, guessed)


def format_guess(event_format: EventFormat, source: str, guessed: bool = True) -> Guess:
    return Guess(event_format.value, event_format.label, source, guessed)


def city_guess(city: City | None, source: str, guessed: bool = True) -> Guess:
    if city is None:
        return Guess("", _("No host city"), source, guessed)
    return Guess(city.slug, city.name, source, guessed)


def zone_guess(zone: str, source: str, guessed: bool = True) -> Guess:
    return Guess(zone, zone, source, guessed)


def _quoted(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f"“{text[: limit - 1]}…”" if len(text) > limit else f"“{text}”"


def kind_from_title(title: str) -> tuple[EventKind, str]:
    """The kind the title's words say, with why: the first rule of ``KIND_WORDS`` that
    has a word in the title, else "other"."""
    folded = fold(title)
    for kind, pattern in KIND_PATTERNS:
        if pattern.search(folded):
            return kind, _("from the title %(title)s", title=_quoted(title))
    return EventKind.other, _("no kind word in the title")


def format_from_presence(venue: str, online_url: str, kind: EventKind) -> tuple[EventFormat, str]:
    """Hybrid with a place and a link, online with a link only, in person with a place
    only. With neither, the kind's own format: a webinar is online (its link comes
    later), anything else in person without a venue yet; never online for an event
    nobody can join online (an all-day "secretariat closed")."""
    if venue and online_url:
        return EventFormat.hybrid, _("a place and an online link")
    if online_url:
        return EventFormat.online, _("an online link, no place")
    if venue:
        return EventFormat.in_person, _("a place, no online link")
    if kind is EventKind.webinar:
        return EventFormat.online, _("no place or link; a webinar is online")
    return EventFormat.in_person, _("no place or link: in person, venue to be announced")


@dataclass
class Existing:
    """What nscal has for a UID imported before (an event, or a series' first date)."""

    kind: EventKind
    host_city: City | None
    timezone: str
    format: EventFormat
    all_day: bool


@dataclass
class Guesser:
    """The member cities (read once per file), the coordinator's corrections by line,
    and what nscal has for the file's UIDs."""

    corrections: dict[int, dict[str, str]] = field(default_factory=dict)
    _cities: list[tuple[re.Pattern, City]] | None = None
    _by_slug: dict[str, City] | None = None
    _existing: dict[str, Existing | None] = field(default_factory=dict)

    # --- cities ---------------------------------------------------------------------

    def _load_cities(self) -> None:
        cities = list(db.session.execute(sa.select(City).order_by(City.id)).scalars())
        self._by_slug = {city.slug: city for city in cities}
        patterns = []
        for city in cities:
            names = {fold(city.name), fold(city.slug), *map(fold, CITY_ALIASES.get(city.slug, ()))}
            names = sorted((name for name in names if name), key=len, reverse=True)
            alternatives = "|".join(re.escape(name) for name in names)
            # With the Scandinavian genitive: "Københavns Rådhus", "Göteborgs stadshus".
            patterns.append((re.compile(rf"(?<!\w)(?:{alternatives})s?(?!\w)"), city))
        self._cities = patterns

    def city(self, slug: str) -> City | None:
        if self._by_slug is None:
            self._load_cities()
        return self._by_slug.get(slug)

    def city_in(self, text: str) -> City | None:
        """The member city the text names; when it names several, the last one (an
        address ends with its city: "Copenhagen Street 5, Malmö")."""
        if self._cities is None:
            self._load_cities()
        folded = fold(text)
        found: list[tuple[int, City]] = []
        for pattern, city in self._cities:
            for match in pattern.finditer(folded):
                found.append((match.start(), city))
        return max(found, key=lambda hit: hit[0])[1] if found else None

    def host_city(self, venue: str, title: str) -> tuple[City | None, str]:
        """The city the place names; the title's only when there is no place (a place
        without a city, "Room 3", says where better than a title that mentions one)."""
        if venue:
            city = self.city_in(venue)
            if city is not None:
                return city, _("from the place %(place)s", place=_quoted(venue))
            return None, _("no member city in the place")
        city = self.city_in(title)
        if city is not None:
            return city, _("from the title %(title)s", title=_quoted(title))
        return None, _("no place, and no member city in the title")

    # --- corrections ----------------------------------------------------------------

    def correction(self, line: int, name: str) -> str | None:
        return self.corrections.get(line, {}).get(name)

    def corrected_kind(self, line: int) -> Guess | None:
        value = self.correction(line, "kind")
        return None if value is None else kind_guess(EventKind(value), CORRECTED, False)

    def corrected_format(self, line: int) -> Guess | None:
        value = self.correction(line, "format")
        return None if value is None else format_guess(EventFormat(value), CORRECTED, False)

    def corrected_city(self, line: int) -> tuple[City | None, Guess] | None:
        value = self.correction(line, "host_city")
        if value is None:
            return None
        city = self.city(value) if value else None
        return city, city_guess(city, CORRECTED, False)

    # --- re-imports -----------------------------------------------------------------

    def prefetch(self, uids: set[str]) -> None:
        """Read what nscal has for these UIDs in a few queries instead of one each."""
        wanted = sorted(uid for uid in uids if uid and uid not in self._existing)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for uid in chunk:
                self._existing[uid] = None
            for event in db.session.execute(sa.select(Event).where(Event.uid.in_(chunk))).scalars():
                self._existing[event.uid] = _existing_of(event)
            first = (
                sa.select(EventSeries.uid, sa.func.min(Event.id).label("event_id"))
                .join(Event, Event.series_id == EventSeries.id)
                .where(EventSeries.uid.in_(chunk))
                .group_by(EventSeries.uid)
            )
            for uid, event_id in db.session.execute(first).all():
                self._existing[uid] = _existing_of(db.session.get(Event, event_id))

    def existing(self, uid: str | None) -> Existing | None:
        if not uid:
            return None
        if uid not in self._existing:
            self.prefetch({uid})
        return self._existing[uid]

    # --- kind, city and format of one item ------------------------------------------

    def guess_kind(
        self, line: int, title: str, stated: EventKind | None, stated_source: str, uid: str | None
    ) -> Guess:
        corrected = self.corrected_kind(line)
        if corrected is not None:
            return corrected
        if stated is not None:
            return kind_guess(stated, stated_source, False)
        existing = self.existing(uid)
        if existing is not None:
            return kind_guess(existing.kind, KEPT)
        return kind_guess(*kind_from_title(title))

    def guess_city(
        self, line: int, venue: str, title: str, uid: str | None
    ) -> tuple[City | None, Guess]:
        corrected = self.corrected_city(line)
        if corrected is not None:
            return corrected
        existing = self.existing(uid)
        if existing is not None:
            return existing.host_city, city_guess(existing.host_city, KEPT)
        city, source = self.host_city(venue, title)
        return city, city_guess(city, source)

    def guess_format(
        self, line: int, venue: str, online_url: str, kind: EventKind, uid: str | None
    ) -> Guess:
        """The format from the link and place the file gives (on every import, since
        those are the file's); with neither, what nscal has on a re-import."""
        corrected = self.corrected_format(line)
        if corrected is not None:
            return corrected
        event_format, source = format_from_presence(venue, online_url, kind)
        existing = self.existing(uid)
        if not venue and not online_url and existing is not None:
            return format_guess(existing.format, KEPT)
        return format_guess(event_format, source)


def _existing_of(event: Event) -> Existing:
    return Existing(event.kind, event.host_city, event.timezone, event.format, event.all_day)


def kept_fields(guesses: dict[str, Guess], instants_fixed: bool) -> set[str]:
    """The EventData fields an update takes from nscal: those guessed (not stated in
    the file, not corrected), the zone only when the file's times have none, the
    format only when the file gives neither place nor link."""
    kept = set()
    for name in ("kind", "host_city"):
        if guesses[name].guessed:
            kept.add(name)
    if guesses["timezone"].guessed and not instants_fixed:
        kept.add("timezone")
    if guesses["format"].source == KEPT:
        kept.add("format")
    return kept


def describe(guesses: dict[str, Guess]) -> str:
    """One line for the CLI: "kind Workshop (from the title “…”); host city …"."""
    return "; ".join(
        f"{str(FIELD_LABELS[name]).lower()} {guesses[name].label} ({guesses[name].source})"
        for name in FIELDS
        if name in guesses
    )
