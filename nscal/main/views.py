"""The front page and the health check."""

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, render_template

from nscal.db import db, utcnow
from nscal.events.display import display_zone
from nscal.events.services import upcoming_events, visible_events
from nscal.events.views.public import current_viewer, session_zone

main = Blueprint("main", __name__)

FRONT_PAGE_EVENTS = 10


@main.get("/")
def index():
    viewer = current_viewer()
    now = utcnow()
    query = upcoming_events(visible_events(viewer), now).limit(FRONT_PAGE_EVENTS)
    upcoming = list(db.session.execute(query).scalars())
    zone, _source = display_zone(viewer, session_zone())
    return render_template(
        "index.html", upcoming=upcoming, this_year=now.astimezone(ZoneInfo(zone or "UTC")).year
    )


@main.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
