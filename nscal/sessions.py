"""The session cookie, left out of the feeds.

A calendar app polls the feeds every few minutes, often with a browser's cookies, and
the answer does not depend on who asks: the public feeds are the same for everyone and
the private feed is found by its token. So the feeds neither open nor save the session:
no signature check, no user loaded from it, no ``Set-Cookie`` and no ``Vary: Cookie``
(which would stop a shared cache from storing a public feed).

The per-event file is the same for everyone when the event is public; only for another
event does it ask who is logged in (``feed_viewer``). Its session is opened (it may be
needed), but saved only when the view asked.
"""

from flask import Flask, Request, request, session
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

# Endpoints whose answer never depends on the session.
SESSIONLESS = frozenset(
    {"feeds.network_calendar", "feeds.city_calendar", "feeds.personal_calendar"}
)
# Endpoints that read the session only for some answers, through ``feed_viewer``.
SESSION_ON_DEMAND = frozenset({"feeds.event_file"})
# Every feed address ends so (a cheap test before matching the URL a second time).
FEED_SUFFIX = ".ics"


class FeedSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except on the feeds (see the module docstring)."""

    def open_session(self, app: Flask, request: Request):
        # Flask opens the session before it matches the URL, so match it here: only
        # for the feeds' addresses, all other requests pay one string comparison.
        if request.path.endswith(FEED_SUFFIX) and _endpoint(app, request) in SESSIONLESS:
            return self.make_null_session(app)
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if request.endpoint in SESSION_ON_DEMAND and not getattr(session, "viewer_read", False):
            return
        super().save_session(app, session, response)


def feed_viewer():
    """The person logged in, for a view in ``SESSION_ON_DEMAND`` whose answer depends on
    who asks: from here on its response is saved with the session and varies by cookie."""
    # On the session object, not on ``g``: it lives exactly as long as the request.
    session.viewer_read = True
    return current_user


def _endpoint(app: Flask, request: Request) -> str | None:
    try:
        rule, _args = app.create_url_adapter(request).match(return_rule=True)
    except HTTPException:  # not found, wrong method or a redirect: Flask answers it
        return None
    return rule.endpoint
