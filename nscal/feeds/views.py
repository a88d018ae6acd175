"""Feeds: /calendar.ics, /cities/<slug>/calendar.ics, /events/<id>.ics, /feeds/<token>.ics.

Every feed answers conditional requests (ETag, Last-Modified) from one cheap query
and sends ``text/calendar; charset=utf-8`` uncompressed (``no-transform``): some
calendar apps cannot read a compressed or re-encoded feed.

A feed is written in ``?lang=`` when that names one of nscal's languages, else (the
private feed) in its owner's language, else in English; never after Accept-Language,
which a calendar app sends for its own reasons, if at all.

The hot path is kept to what a feed needs: no session (``nscal.sessions``), no user
but the private feed's owner, no template, and the feed's own address built from a
URL adapter kept per app rather than a request context per request.
"""

import hashlib
import os
import unicodedata
from urllib.parse import quote, urlencode, urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import force_locale, gettext
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, lazyload
from werkzeug.routing import MapAdapter
from werkzeug.sansio.http import is_resource_modified

from nscal.accounts.services import reset_feed_token
from nscal.db import db
from nscal.events.models import Event, EventStatus, Visibility
from nscal.events.services import can_view
from nscal.feeds import services
from nscal.feeds.files import FeedFile
from nscal.feeds.ical import calendar_for
from nscal.feeds.stored import render_key
from nscal.i18n import current_language
from nscal.sessions import feed_viewer
from nscal.urls import external_url

feeds = Blueprint("feeds", __name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"
MAX_AGE = 300
# The per-event file's validator reads the host city's name; the audience is needed
# only to build the body, so a 304 costs one statement.
_EVENT_FILE_LOADING = (joinedload(Event.host_city), lazyload(Event.audience))


@feeds.get("/calendar.ics")
def network_calendar():
    services.feed_reads()
    try:
        spec = services.network_feed(
            city=request.args.get("city") or None,
            kind=request.args.get("kind") or None,
            role=request.args.get("role") or None,
        )
    except services.UnknownFilter:
        abort(404)
    args = {name: spec.filters[name] for name in ("city", "kind", "role") if name in spec.filters}
    language = services.feed_language(request.args.get("lang"))
    url = _feed_url("feeds.network_calendar", **args)
    return _feed_response(spec, language, url, filename="nordic-safe-cities.ics", private=False)


@feeds.get("/cities/<slug>/calendar.ics")
def city_calendar(slug: str):
    services.feed_reads()
    spec = services.city_feed(slug)
    language = services.feed_language(request.args.get("lang"))
    url = _feed_url("feeds.city_calendar", slug=slug)
    filename = f"nordic-safe-cities-{slug}.ics"
    return _feed_response(spec, language, url, filename=filename, private=False)


@feeds.get("/feeds/<token>.ics")
def personal_calendar(token: str):
    services.feed_reads()
    user = services.user_for_feed_token(token)
    if user is None:
        abort(404)
    spec = services.personal_feed(user)
    language = services.feed_language(request.args.get("lang"), user)
    url = _feed_url("feeds.personal_calendar", token=token)
    filename = "nordic-safe-cities-mine.ics"
    return _feed_response(spec, language, url, filename=filename, private=True)


@feeds.get("/events/<int:event_id>.ics")
def event_file(event_id: int):
    """One event to add to a calendar: METHOD:PUBLISH, no attendees, no calendar name."""
    services.feed_reads()
    event = db.session.get(Event, event_id, options=_EVENT_FILE_LOADING)
    if event is None:
        abort(404)
    # Who asks matters only for an event not everyone may see: a public one is answered
    # without the session (see nscal.sessions).
    if not can_view(event, None) and not can_view(event, feed_viewer()):
        abort(404)
    language = services.feed_language(request.args.get("lang"))
    state = (render_key(language), event.uid, event.sequence, str(event.updated_at))
    state += (event.host_city.name if event.host_city else None,)
    etag = hashlib.sha256(repr(state).encode()).hexdigest()[:32]
    private = event.visibility is not Visibility.public or event.status is EventStatus.draft
    version = services.FeedVersion(etag, event.updated_at)
    disposition = f'attachment; filename="{_file_name(event.title)}.ics"'
    response = _conditional_response(version, private=private, disposition=disposition)
    if response.status_code == 200:
        with force_locale(language):
            response.set_data(calendar_for([event]))
    return response


@feeds.post("/account/feed/reset")
@login_required
def reset_personal_feed():
    reset_feed_token(current_user._get_current_object())
    db.session.commit()
    flash(
        gettext(
            "Your private calendar address is new. The old one no longer works: "
            "subscribe again with the new one."
        ),
        "success",
    )
    return redirect(url_for("account.profile"))


@feeds.app_template_global()
def calendar_subscribe_links(https_url: str, label: str) -> dict[str, str]:
    """The links of the subscribe buttons (templates/feeds/_subscribe.html) for a feed."""
    webcal_url = "webcal://" + https_url.split("://", 1)[-1]
    return {
        "https": https_url,
        "webcal": webcal_url,
        "google": "https://calendar.google.com/calendar/r?cid=" + quote(webcal_url, safe=""),
        "outlook": "https://outlook.office.com/calendar/0/addfromweb?"
        + urlencode({"url": https_url, "name": label}, quote_via=quote),
        "outlook_com": "https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": https_url, "name": label}, quote_via=quote),
    }


@feeds.app_template_global()
def public_feed_url() -> str:
    """The absolute https URL of the network's public feed."""
    # The same for every reader of a language: built once per app, base URL and
    # language (external_url makes a request context, a noticeable part of the list page).
    cache = current_app.extensions.setdefault("nscal_public_feed_urls", {})
    key = (current_app.config["BASE_URL"], current_language())
    if key not in cache:
        cache[key] = external_url("feeds.network_calendar")
    return cache[key]


@feeds.app_template_global()
def personal_feed_url(user) -> str:
    """The absolute https URL of ``user``'s private feed."""
    return external_url("feeds.personal_calendar", token=user.feed_token)


def _feed_url(endpoint: str, **values) -> str:
    """The feed's own absolute address on BASE_URL (its SOURCE), with ``?lang=`` when
    the request named the language: ``external_url``'s answer without its per-call
    request context, from a URL adapter made once per app and BASE_URL."""
    if request.args.get("lang") in services.LANGUAGES:
        values["lang"] = request.args["lang"]
    return _base_url_adapter().build(endpoint, values, force_external=True)


def _base_url_adapter() -> MapAdapter:
    base_url = current_app.config["BASE_URL"]
    adapters = current_app.extensions.setdefault("nscal.feeds.url_adapters", {})
    adapter = adapters.get(base_url)
    if adapter is None:
        parts = urlsplit(base_url)
        adapter = adapters[base_url] = current_app.url_map.bind(
            parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
        )
    return adapter


def _feed_response(
    spec: services.FeedSpec, language: str, url: str, *, filename: str, private: bool
):
    try:
        version = services.feed_version(spec, language)
    except services.UnknownFilter:
        abort(404)
    disposition = f'inline; filename="{filename}"'
    response = _conditional_response(version, private=private, disposition=disposition)
    if response.status_code != 200:
        return response
    cached = services.cached_body(spec, version, url)
    if cached is not None:
        response.set_data(cached)
        return response
    head = request.method == "HEAD"
    # A large public feed this server sent before is a file: the validator's one
    # statement, then the bytes, as cheap as a static file.
    kept = services.public_feed_file(spec, version, url, language)
    if kept is not None:
        served = _kept_file_response(response, kept, head=head)
        if served is not None:
            return served
    with force_locale(language):
        name = services.feed_name(spec)
        body = services.feed_body(spec, language, name=name, url=url, length_only=head)
    if body.data is not None:
        services.keep_body(spec, version, url, body)
        response.set_data(body.data)
        return response
    response.headers["Content-Length"] = str(body.length)
    if not head:
        # A large feed is read from the database while it is sent: a worker holds no
        # whole feed, whatever the number of events. A public one is written to its
        # file on the way, for the next requests.
        pieces = body.pieces()
        if kept is not None:
            pieces = kept.writing(pieces, body.length)
        response.response = stream_with_context(pieces)
    if body.close is not None:
        response.call_on_close(body.close)
    return response


def _kept_file_response(response: Response, kept: FeedFile, *, head: bool) -> Response | None:
    """The file ``kept`` sent with ``response``'s headers (the same as any feed's), or
    None when this server has not written it. HEAD opens nothing: it sends no bytes."""
    if head:
        size = kept.size()
        if size is None:
            return None
        response.headers["Content-Length"] = str(size)
        return response
    file = kept.open()
    if file is None:
        return None
    size = os.fstat(file.fileno()).st_size
    # send_file hands the open file to the server's wsgi.file_wrapper (gunicorn's
    # sendfile); its own caching headers (no-cache, Expires, its ETag) are replaced.
    served = send_file(file, mimetype=CALENDAR_TYPE, conditional=False, etag=False)
    served.headers = response.headers
    served.headers["Content-Length"] = str(size)
    return served


def _conditional_response(
    version: services.FeedVersion, *, private: bool, disposition: str
) -> Response:
    """A feed's response before its body: validators and caching headers, and already
    304 when the client's copy is current.

    It is decided from the version alone, so a 304 never builds the feed. Werkzeug
    decides: If-None-Match by weak comparison, else If-Modified-Since to the second.
    """
    response = Response(content_type=CALENDAR_TYPE)
    response.set_etag(version.etag)  # strong: the feed's bytes follow from its version
    if version.last_modified is not None:
        response.last_modified = version.last_modified
    cache_control = response.cache_control
    if private:
        cache_control.private = True
    else:
        cache_control.public = True
    cache_control.max_age = MAX_AGE
    cache_control.no_transform = True  # calendar apps cannot read a re-encoded feed
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Written by hand: werkzeug builds Content-Disposition only inside send_file, and
    # our file names are ASCII slugs that need no RFC 6266 filename* encoding.
    response.headers["Content-Disposition"] = disposition
    # The sans-IO form, given only the two validators a reader sends: with the whole
    # request werkzeug also reads If-Match, and answers "not modified" to one that
    # fails (even to "*"), where a read-only feed has no reason to look at it.
    # Not ``make_conditional`` either: it adds a Date header,
    # which gunicorn then sends twice.
    if not is_resource_modified(
        http_if_none_match=request.headers.get("If-None-Match"),
        http_if_modified_since=request.headers.get("If-Modified-Since"),
        etag=version.etag,
        last_modified=version.last_modified,
    ):
        response.status_code = 304
    return response


_ASCII = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "ð": "d", "Ð": "D"})
_ASCII.update(str.maketrans({"þ": "th", "Þ": "Th", "ß": "ss"}))


def _file_name(title: str) -> str:
    """An ASCII file name from an event title: "Årsmøde i Tórshavn" -> "arsmode-i-torshavn"."""
    # Not werkzeug's secure_filename: it drops the Nordic letters NFKD cannot split
    # ("Arsmde_i_Torshavn") and keeps case and underscores, where we want a slug.
    text = unicodedata.normalize("NFKD", title.translate(_ASCII))
    text = text.encode("ascii", "ignore").decode().lower()
    words = "".join(c if c.isalnum() else " " for c in text).split()
    return "-".join(words)[:60].strip("-") or "event"
