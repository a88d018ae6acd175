"""The front page and the health check."""

import functools
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, render_template, request

from nscal.db import db, utcnow
from nscal.events.display import display_zone
from nscal.events.for_me import FOR_ME, for_person
from nscal.events.services import upcoming_events, visible_events
from nscal.events.views.public import current_viewer, session_zone

main = Blueprint("main", __name__)

FRONT_PAGE_EVENTS = 10
HEALTH_QUERY_MS = 2000  # a health check that waits longer than this has its answer


@main.get("/")
def index():
    viewer = current_viewer()
    now = utcnow()
    query = visible_events(viewer)
    for_me = viewer is not None and request.args.get("for") == FOR_ME
    if for_me:
        query = for_person(query, viewer, now)
    query = upcoming_events(query, now).limit(FRONT_PAGE_EVENTS)
    upcoming = list(db.session.execute(query).scalars())
    zone, _source = display_zone(viewer, session_zone())
    return render_template(
        "index.html",
        upcoming=upcoming,
        for_me=for_me,
        this_year=now.astimezone(ZoneInfo(zone or "UTC")).year,
    )


@main.get("/healthz")
def healthz():
    """200 when the database answers and its schema is at the migrations' head, else 503.

    Quick either way: connecting is bounded by the connect timeout, and on PostgreSQL
    the health queries get a short statement timeout of their own.
    """
    try:
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text(f"SET LOCAL statement_timeout = {HEALTH_QUERY_MS}"))
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    try:
        revisions = set(
            db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
        )
    except sa.exc.SQLAlchemyError:  # no alembic_version table: never migrated
        revisions = set()
    finally:
        db.session.rollback()
    heads = migration_heads(current_app.extensions["migrate"].directory)
    if revisions != heads:
        return {
            "status": "error",
            "database": "ok",
            "schema": "not at the migrations' head: run flask db upgrade",
            "revision": sorted(revisions),
            "head": sorted(heads),
        }, 503
    return {"status": "ok", "database": "ok"}


@functools.cache
def migration_heads(directory: str) -> frozenset[str]:
    """The head revisions of the migration scripts in ``directory`` (read once)."""
    config = AlembicConfig(str(Path(directory) / "alembic.ini"))
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())
