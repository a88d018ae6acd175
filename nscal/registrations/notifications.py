"""Mail to people about their registrations (written to the outbox in the same transaction).

Filled in once the outbox and the iCalendar invitations exist.
"""


def registration_created(registration) -> None:
    """Confirmed, pending approval or waitlisted."""


def registration_cancelled(registration) -> None:
    """The person's registration was cancelled."""


def registration_promoted(registration) -> None:
    """A place came free and went to this person."""


def registration_moved(registration, previous) -> None:
    """A coordinator changed the registration's status."""
