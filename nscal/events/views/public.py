"""Public event pages: /events/ and /events/<id>.

Every query starts from ``visible_events(viewer)``, so members-only events and
drafts never reach someone who may not see them.
"""

from flask import Blueprint, flash, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user

from nscal.accounts.models import User
from nscal.db import db, utcnow
from nscal.events.calendar_links import event_links
from nscal.events.display import SESSION_ZONE, viewer_zone, zone_label
from nscal.events.for_me import FOR_ME, for_person
from nscal.events.forms import EventFilterForm
from nscal.events.models import Event
from nscal.events.services import (
    can_view,
    filter_events,
    paginate_matches,
    past_events,
    series_neighbours,
    upcoming_events,
    visible_events,
)
from nscal.timeutil import is_valid_zone
from nscal.urls import external_url

events = Blueprint("events", __name__)

PAGE_SIZE = 20
FILTER_KEYS = ("kind", "city", "role", "q", "when", "for")
MAX_PAGE = 1_000_000


def current_viewer() -> User | None:
    """The logged-in person, or None for an anonymous visitor."""
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def session_zone() -> str | None:
    return session.get(SESSION_ZONE)


@events.before_app_request
def remember_zone_choice():
    """``?tz=Europe/Oslo`` on a public page picks the zone times are shown in, for the
    rest of the visit; ``?tz=`` goes back to each event's own zone."""
    if request.method != "GET" or "tz" not in request.args:
        return
    endpoint = request.endpoint or ""
    if not (endpoint == "main.index" or endpoint.startswith(("events.", "calendar."))):
        return
    choice = request.args.get("tz", "").strip()
    if not choice:
        if session.pop(SESSION_ZONE, None):
            flash(_("Times are now shown in each event's own time zone."), "success")
    elif is_valid_zone(choice):
        if session.get(SESSION_ZONE) != choice:
            flash(_("Times are now shown in %(zone)s time.", zone=zone_label(choice)), "success")
        session[SESSION_ZONE] = choice
    else:
        flash(
            _("“%(zone)s” is not a time zone we know; choose one from the list.", zone=choice[:64]),
            "error",
        )


def _page_number() -> int:
    page = request.args.get("page", 1, type=int)
    return min(max(page, 1), MAX_PAGE)


@events.get("/events/")
def index():
    viewer = current_viewer()
    form = EventFilterForm(request.args)
    filters = {key: request.args[key] for key in FILTER_KEYS if request.args.get(key)}
    if not form.validate():
        return render_template("events/list.html", form=form, pagination=None, filters=filters), 400
    query = filter_events(
        visible_events(viewer),
        kind=form.selected_kind,
        host_city=form.host_city,
        role=form.participant_role,
        text=form.q.data,
    )
    now = utcnow()
    if viewer is not None and request.args.get("for") == FOR_ME:
        query = for_person(query, viewer, now)
    query = past_events(query, now) if form.showing_past else upcoming_events(query, now)
    if form.q.data and form.q.data.strip():
        # A search reads its matches once, however many there are.
        pagination = paginate_matches(query, _page_number(), PAGE_SIZE)
    else:
        pagination = db.paginate(query, page=_page_number(), per_page=PAGE_SIZE, error_out=False)
    return render_template("events/list.html", form=form, pagination=pagination, filters=filters)


@events.get("/events/<int:event_id>")
def detail(event_id: int):
    viewer = current_viewer()
    event = db.session.get(Event, event_id)
    if event is None or not can_view(event, viewer):
        # The same answer whether it does not exist or is not for this viewer.
        return render_template("events/not_found.html"), 404
    previous, following = series_neighbours(event, visible_events(viewer))
    return render_template(
        "events/detail.html",
        event=event,
        zone=viewer_zone(viewer, session_zone(), event),
        previous=previous,
        following=following,
        links=event_links(event, external_url("events.detail", event_id=event.id)),
    )
