"""Helpers shared by the import tests."""

from datetime import UTC, datetime

import sqlalchemy as sa

from nscal.db import db
from nscal.events.models import Event


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def import_events(runner, path, *options):
    result = runner.invoke(args=["import-events", str(path), *options])
    assert "Traceback" not in result.output
    return result


def event_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Event))
