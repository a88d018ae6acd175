"""Helpers available in every template (Flask-WTF already adds ``csrf_token()``)."""

from flask import g, request, session, url_for
from flask_login import current_user

from nscal.accounts.models import AccountRole
from nscal.db import utcnow
from nscal.events import display
from nscal.events.privacy import public_description
from nscal.timeutil import zone_choices


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
        event_time=display.format_event_time,
        date_range=display.format_date_range,
        long_date=display.long_date,
        month_name=display.month_name,
        day_time=display.format_day_time,
        days_covered=display.event_days,
        zone_place=display.zone_place,
        zone_label=display.zone_label,
        paragraphs=display.paragraphs,
        public_description=public_description,
        event_url=event_url,
    )
    app.jinja_env.globals.update(
        zone_choices=zone_choices,
        zone_now=lambda zone: display.zone_now(zone, utcnow()),
        weekday_names=display.WEEKDAYS,
        query_args_except=_query_args_except,
    )


def _query_args_except(*names: str) -> list[tuple[str, str]]:
    """The current query string's pairs without ``names``: hidden fields that keep
    a page's filters when another small form (the zone picker) is sent."""
    return [(key, value) for key, value in request.args.items(multi=True) if key not in names]


# An id no event has, to find where ids go in the built URL.
_ID_MARKER = 918273645


def event_url(event) -> str:
    """The event's page, exactly as ``url_for('events.detail', event_id=event.id)``.

    Routing builds the URL once per request; each event then only fills in its id, so a
    year of events costs string joins rather than thousands of ``url_for`` calls.
    """
    patterns = g.setdefault("_event_url_patterns", {})
    pattern = patterns.get(request.script_root)
    if pattern is None:
        built = url_for("events.detail", event_id=_ID_MARKER)
        prefix, _marker, suffix = built.partition(str(_ID_MARKER))
        pattern = patterns[request.script_root] = (prefix, suffix)
    return f"{pattern[0]}{event.id}{pattern[1]}"
