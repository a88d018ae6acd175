"""Who sees an event's online link: nscal.registrations.access."""

from types import SimpleNamespace

from nscal.events.models import Event
from nscal.registrations.access import can_see_online_link

ANONYMOUS = SimpleNamespace(is_authenticated=False)


def person(coordinator=False):
    return SimpleNamespace(is_authenticated=True, is_coordinator=coordinator)


def test_coordinators_see_the_online_link_and_anonymous_visitors_never():
    # Members see it once their place is confirmed: tests/registrations/test_pages.py.
    event = Event(title="Meeting", online_url="https://meet.example/x")
    assert can_see_online_link(event, person(coordinator=True))
    assert not can_see_online_link(event, ANONYMOUS)
    assert not can_see_online_link(event, None)
