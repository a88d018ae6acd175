""" "For me": the events a signed-in person can register for.

Meant for their participant role (or for everyone), published, and open for
registration now. The window lives with registrations, which events never import:
they answer ``registration_open_condition`` with a SQL condition on ``Event``.
"""

from datetime import datetime

import sqlalchemy as sa
from blinker import Namespace

from nscal.events.models import Event, EventStatus
from nscal.events.services import audience_includes

# Sent with ``now``; each receiver returns a SQL condition the events must meet.
registration_open_condition = Namespace().signal("registration-open-condition")

FOR_ME = "me"  # ?for=me


def for_person(query: sa.Select, viewer, now: datetime) -> sa.Select:
    """Narrow ``query`` to the events ``viewer`` can register for at ``now``."""
    query = query.where(
        Event.status == EventStatus.published,
        audience_includes(viewer.participant_role_id),
    )
    for _receiver, condition in registration_open_condition.send(now):
        if condition is not None:
            query = query.where(condition)
    return query
