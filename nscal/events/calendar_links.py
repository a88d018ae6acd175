"""Links out of the event page: the venue on a map, the event into a calendar app.

Every one of these URLs goes to a third party (OpenStreetMap, Google, Microsoft), so
they carry only what the public page shows: the title, the times, the venue text and
the event page's address. Never the online link, which is for confirmed participants:
it is taken out of the venue text too, as are any other web addresses there.
"""

import re
from dataclasses import dataclass
from datetime import UTC
from urllib.parse import quote, urlencode

from flask_babel import gettext as _

from nscal.events.models import Event

OSM_SEARCH = "https://www.openstreetmap.org/search"
GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"
OUTLOOK_COMPOSE = "https://outlook.live.com/calendar/0/deeplink/compose"

_WEB_ADDRESS = re.compile(r"<?\b(?:https?://|www\.)\S+>?", re.IGNORECASE)


@dataclass(frozen=True)
class EventLinks:
    map_url: str | None  # None: no venue to look up
    google_url: str
    outlook_web_url: str


def public_venue(event: Event) -> str:
    """The venue text with no web address in it (the online link above all)."""
    venue = event.venue or ""
    if event.online_url:
        venue = venue.replace(event.online_url.strip(), " ")
    venue = _WEB_ADDRESS.sub(" ", venue)
    return " ".join(venue.replace(" ,", ",").split()).strip(" ,;·-")


def _place(event: Event) -> str:
    """What a map or a calendar app should look for: the venue, with the host city
    when the venue does not name it."""
    venue = public_venue(event)
    city = event.host_city.name if event.host_city else ""
    if venue and city and city.lower() not in venue.lower():
        return f"{venue}, {city}"
    return venue


def map_url(event: Event) -> str | None:
    venue = public_venue(event)
    if not venue:
        return None
    return f"{OSM_SEARCH}?{urlencode({'query': _place(event)}, quote_via=quote)}"


def _details(page_url: str) -> str:
    return _("Details and registration: %(url)s", url=page_url)


def google_calendar_url(event: Event, page_url: str) -> str:
    """Google Calendar's "add event" template: UTC times, or dates (end exclusive)."""
    if event.all_day and event.start_date and event.end_date:
        dates = f"{event.start_date:%Y%m%d}/{event.end_date:%Y%m%d}"
    else:
        start, end = event.starts_at.astimezone(UTC), event.ends_at.astimezone(UTC)
        dates = f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}"
    query = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": dates,
        "ctz": event.timezone,
        "details": _details(page_url),
    }
    place = _place(event)
    if place:
        query["location"] = place
    return f"{GOOGLE_TEMPLATE}?{urlencode(query, quote_via=quote)}"


def outlook_web_url(event: Event, page_url: str) -> str:
    """Outlook on the web's compose deep link: UTC times, or dates with ``allday``."""
    query = {"path": "/calendar/action/compose", "rru": "addevent", "subject": event.title}
    if event.all_day and event.start_date and event.end_date:
        query |= {
            "startdt": event.start_date.isoformat(),
            "enddt": event.end_date.isoformat(),
            "allday": "true",
        }
    else:
        start, end = event.starts_at.astimezone(UTC), event.ends_at.astimezone(UTC)
        query |= {"startdt": f"{start:%Y-%m-%dT%H:%M:%SZ}", "enddt": f"{end:%Y-%m-%dT%H:%M:%SZ}"}
    query["body"] = _details(page_url)
    place = _place(event)
    if place:
        query["location"] = place
    return f"{OUTLOOK_COMPOSE}?{urlencode(query, quote_via=quote)}"


def event_links(event: Event, page_url: str) -> EventLinks:
    """``page_url``: the event page's absolute address (on ``BASE_URL``)."""
    return EventLinks(
        map_url=map_url(event),
        google_url=google_calendar_url(event, page_url),
        outlook_web_url=outlook_web_url(event, page_url),
    )
