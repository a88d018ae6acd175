"""Helpers available in every template (Flask-WTF already adds ``csrf_token()``)."""

from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import g, get_template_attribute, request, session, url_for
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup, escape

from nscal import timedisplay
from nscal.accounts.models import AccountRole
from nscal.db import utcnow
from nscal.events import display
from nscal.events.privacy import public_description
from nscal.i18n import LANGUAGE_NAMES, LANGUAGES, country_name, current_language
from nscal.timeutil import reader_zone_choices, reader_zone_groups


def register_template_helpers(app) -> None:
    @app.context_processor
    def inject_globals():
        return {"AccountRole": AccountRole}

    @app.context_processor
    def inject_display_zone():
        """The zone times are shown in on this request, and where it comes from."""
        viewer = current_user if current_user.is_authenticated else None
        zone, source = display.display_zone(viewer, session.get(display.SESSION_ZONE))
        return {"display_zone": zone, "display_zone_source": source}

    app.jinja_env.filters.update(
        # Every time on a page is written by nscal.timedisplay.
        event_time=timedisplay.format_event_time,
        event_when=timedisplay.format_event_when,
        date_range=timedisplay.format_date_range,
        long_date=timedisplay.long_date,
        short_date=timedisplay.short_date,
        month_name=timedisplay.month_name,
        day_time=timedisplay.format_day_time,
        instant=_instant,
        local_moment=timedisplay.format_local_moment,
        event_place=timedisplay.event_place,
        days_covered=display.event_days,
        zone_place=timedisplay.zone_city,
        zone_city=timedisplay.zone_city,
        zone_label=timedisplay.zone_label,
        country=country_name,
        paragraphs=display.paragraphs,
        public_description=_public_description,
        event_url=event_url,
        # An event's text in the reader's language, else the original (Event.text_in).
        event_title=event_title,
        event_description=event_description,
    )
    app.jinja_env.globals.update(
        zone_choices=reader_zone_choices,
        zone_groups=reader_zone_groups,
        zone_now=lambda zone: timedisplay.zone_now(zone, utcnow()),
        # The header names the city already: "Times in Nuuk (UTC−2)".
        zone_abbreviation_now=lambda zone: timedisplay.abbreviation(
            utcnow().astimezone(ZoneInfo(zone)), with_city=False
        ),
        # The reader's language's names, Monday first: weekday_names[0] is Monday's,
        # weekday_names("abbreviated") the short ones.
        weekday_names=timedisplay.weekday_names,
        page_language=current_language,
        language_links=language_links,
        query_args_except=_query_args_except,
        zone_return_path=_zone_return_path,
        card_badges=card_badges,
        card_head=card_head,
    )


@pass_context
def _instant(context, moment, fallback: str | None = None, year: bool = True) -> str:
    """A moment something happened, on the reader's clock (their account's zone or the
    zone they picked), else on ``fallback``'s (e.g. the event's zone), else UTC:
    "1 Dec 2026, 09:13 EET"."""
    if moment is None:
        return ""
    zone = context.get("display_zone") or fallback
    return timedisplay.format_instant(moment, zone, year=year)


def _query_args_except(*names: str) -> list[tuple[str, str]]:
    """The current query string's pairs without ``names``: hidden fields that keep
    a page's filters when another small form (the zone picker) is sent."""
    return [(key, value) for key, value in request.args.items(multi=True) if key not in names]


def _zone_return_path() -> str:
    """Where the zone picker sends people back to: this page with its filters, without
    ``tz`` (the picker sets it) and ``page`` (the list may be paged differently)."""
    query = urlencode(_query_args_except("tz", "page"))
    return f"{request.path}?{query}" if query else request.path


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool


def language_links() -> list[LanguageLink]:
    """The language picker: this page in each language (``?lang=xx``, the other query
    arguments kept). A page answering a POST links to its address only when that
    address can be fetched; else to the home page."""
    path = request.path
    rule = request.url_rule
    if request.method not in ("GET", "HEAD") and (rule is None or "GET" not in rule.methods):
        path = url_for("main.index")
    else:
        path = request.script_root + path
    kept = _query_args_except("lang")
    current = current_language()
    return [
        LanguageLink(
            code,
            LANGUAGE_NAMES[code],
            f"{path}?{urlencode([*kept, ('lang', code)])}",
            code == current,
        )
        for code in LANGUAGES
    ]


def event_title(event) -> str:
    """The event's title in the page's language, else its original title."""
    return event.text_in(current_language()).title


def event_description(event) -> str:
    """The event's description in the page's language, else its original one (the
    online link left in: for those who may see it; others read ``public_description``)."""
    return event.text_in(current_language()).description


def _public_description(event) -> str:
    """The description everyone may read, in the page's language where it has one."""
    return public_description(event, current_language())


def card_badges(event) -> Markup:
    """The ``event_badges`` macro's output for ``event``, or empty markup when it writes
    only spaces: rendered once per request for each kind of event (cancelled, status,
    visibility), as the year's calendar does, not once per card."""
    store = g._get_current_object()
    badges = store.__dict__.setdefault("_card_badges", {})
    kind = (current_language(), event.is_cancelled, event.status, event.visibility)
    found = badges.get(kind)
    if found is None:
        written = get_template_attribute("_macros.html", "event_badges")(event)
        found = badges[kind] = Markup(written) if written.strip() else Markup("")
    return found


# An id no event has, to find where ids go in the built URL.
_ID_MARKER = 918273645


def event_url(event) -> Markup:
    """The event's page, exactly as ``url_for('events.detail', event_id=event.id)``.

    Routing builds the URL once per request; each event then only fills in its id, so a
    year of events costs string joins rather than thousands of ``url_for`` calls. The
    result is markup (a routed path and a number), which templates need not escape.
    """
    store = g._get_current_object()
    patterns = store.__dict__.setdefault("_event_url_patterns", {})
    script_root = request.script_root
    pattern = patterns.get(script_root)
    if pattern is None:
        built = url_for("events.detail", event_id=_ID_MARKER)
        prefix, _marker, suffix = built.partition(str(_ID_MARKER))
        pattern = patterns[script_root] = (escape(prefix), escape(suffix))
    return Markup(f"{pattern[0]}{int(event.id)}{pattern[1]}")


def _card_words() -> dict:
    """The fixed words of an event card in the page's language, looked up once per
    request and language (as the templates' ``_()`` would: newstyle, so ``%`` is applied)."""
    store = g._get_current_object()
    cache = store.__dict__.setdefault("_card_words", {})
    language = current_language()
    found = cache.get(language)
    if found is None:
        from flask_babel import get_translations

        from nscal.events.models import EventFormat, EventKind

        gettext = get_translations().ugettext
        found = cache[language] = {
            "all_day": Markup(gettext("all day")) % {},
            "for": Markup(gettext("For: %(audience)s")),
            "everyone": Markup(gettext("Everyone")) % {},
            "kind": {kind: escape(kind.label) for kind in EventKind},
            "format": {fmt: escape(fmt.label) for fmt in EventFormat},
            "months": [
                None,
                *(escape(timedisplay.month_name(m, "abbreviated")) for m in range(1, 13)),
            ],
            "weekdays": [escape(name) for name in timedisplay.weekday_names("abbreviated")],
        }
    return found


def _pieces_html(parts) -> str:
    return "".join(
        f'<time datetime="{escape(part.iso)}">{escape(part.text)}</time>'
        if part.iso
        else str(escape(part.text))
        for part in parts
    )


def card_head(event, zone=None, level=2) -> Markup:
    """The ``event_card`` macro's output up to its ``_card_fit`` include, the same bytes
    its template wrote: one function instead of a template's filters and macros per card.
    Every typed value (title, city, roles) is escaped."""
    words = _card_words()
    days = display.event_days(event, zone)
    first_day = days[0] if days else None
    out = [
        '\n  <article class="event-card',
        " is-cancelled" if event.is_cancelled else "",
        '">\n    \n    ',
    ]
    if first_day:
        out.append(
            '\n      <p class="date-tile" aria-hidden="true"><span class="month">'
            f'{words["months"][first_day.month]}</span><span class="day">{first_day.day}</span>'
            f'<span class="weekday">{words["weekdays"][first_day.weekday()]}</span></p>\n    '
        )
    level = escape(level)
    out.append(
        f'\n    <h{level} class="event-title"><a href="{event_url(event)}">'
        f"{escape(event_title(event))}</a></h{level}>\n    \n    "
    )
    badges = card_badges(event)
    if badges:
        out.append(f'<p class="badges">{badges}</p>')
    when = timedisplay.format_event_time(event, zone)
    out.append('\n    <p class="event-when"><span class="when">\n    <span class="time-primary">')
    out.append(_pieces_html(when.primary))
    out.append("</span>")
    if when.all_day:
        out.append(f' <span class="muted">({words["all_day"]})</span>')
    elif when.secondary:
        out.append(f' <span class="time-secondary">· {_pieces_html(when.secondary)}</span>')
    out.append('\n  </span></p>\n    <p class="event-meta">\n      ')
    out.append(f"{words['kind'][event.kind]} · {words['format'][event.format]}")
    if event.host_city:
        out.append(f" · {escape(event.host_city.name)}")
    if event.is_for_everyone:
        audience = words["everyone"]
    else:
        audience = Markup(", ").join(escape(role.label) for role in event.audience)
    out.append(f"\n      · {words['for'] % {'audience': audience}}\n    </p>\n    ")
    return Markup("".join(out))
