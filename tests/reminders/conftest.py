"""Fixtures for reminders: the app's clock set to a chosen instant, people in the
Nordic zones, and the real SMTP server of the mail tests."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from nscal.db import clock as app_clock
from nscal.db import db
from nscal.mail.models import OutboxMessage
from nscal.mail.outbox import build_deferred
from tests.mail.conftest import smtp, smtp_server  # noqa: F401 - fixtures used here too


class MovableClock:
    """The clock every rule reads (``nscal.db.utcnow``), moved forward only."""

    def now(self) -> datetime:
        return app_clock.now()

    def advance(self, delta) -> None:
        assert delta.total_seconds() >= 0, "the clock only moves forward"
        app_clock.advance(delta)

    def move_to(self, instant: datetime) -> None:
        """Forward to ``instant`` (aware)."""
        self.advance(instant - app_clock.now())


@pytest.fixture
def clock():
    app_clock.reset()
    yield MovableClock()
    app_clock.reset()


def outbox() -> list[OutboxMessage]:
    """Every queued mail, oldest first (a fresh read: other workers' commits included),
    each built (registration mail is queued as a reference that send-mail builds)."""
    db.session.commit()
    build_deferred()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))
