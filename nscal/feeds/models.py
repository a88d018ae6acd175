"""What the feeds keep in the database: each event's rendered VEVENT, and change counters.

``StoredVevent`` holds the public VEVENT of every event in feeds, one row per language,
rendered by ``event_to_vevent`` when the event changes (``nscal.feeds.stored``). Every
worker and every app server reads the same rows, and a restart loses nothing. A row
says what it was rendered from (``render_key``: the feed format, BASE_URL, tzdata and
the language's catalog; ``source_updated_at``: the event's ``updated_at``), so a row
that no longer matches is rendered again rather than served.

``StoredVtimezone`` holds the VTIMEZONE of each zone feeds use, derived from tzdata
(``nscal.feeds.vtimezone``, tens of milliseconds a zone): a fresh worker reads them.

``FeedChange`` is a counter per scope, bumped in the same transaction as every change
that can change a feed: a feed's ETag is one read of it, whatever the number of events.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from nscal.db import UTCDateTime, db


class StoredVevent(db.Model):
    __tablename__ = "stored_vevent"

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    render_key: Mapped[str] = mapped_column(sa.String(32))
    source_updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The TZID the VEVENT's times are written with (its VTIMEZONE goes in the feed).
    tzid: Mapped[str | None] = mapped_column(sa.String(64))
    # len(vevent.encode("utf-8")): a feed's Content-Length without reading the texts.
    octets: Mapped[int] = mapped_column()
    # The serialized VEVENT (CRLF, folded), as text: PostgreSQL sends text as it is,
    # where bytea would travel hex-encoded at twice the size.
    vevent: Mapped[str] = mapped_column(sa.Text)


class StoredVtimezone(db.Model):
    __tablename__ = "stored_vtimezone"

    tzid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    # The feed format and tzdata version it was derived with.
    render_key: Mapped[str] = mapped_column(sa.String(32))
    vtimezone: Mapped[str] = mapped_column(sa.Text)


class FeedChange(db.Model):
    """``public``: changes the public feeds show; ``all``: every change any feed shows."""

    __tablename__ = "feed_change"

    scope: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    counter: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
