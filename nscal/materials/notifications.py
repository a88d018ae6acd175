"""Mail about materials: "the minutes are published", to each confirmed participant.

Written to the outbox in the transaction that publishes the minutes; the words are
``templates/mail/minutes_published.txt`` and ``.html``.
"""

from nscal.accounts.models import User
from nscal.mail.outbox import enqueue
from nscal.mail.rendering import render_mail
from nscal.materials.models import Material
from nscal.registrations.notifications import event_details, recipient
from nscal.urls import external_url


def minutes_link(material: Material) -> str:
    """The minutes' download address: it checks who follows it, as the page does."""
    return external_url("materials.download", event_id=material.event_id, material_id=material.id)


def minutes_published_mail(material: Material, person: User) -> None:
    event = material.event
    enqueue(
        render_mail(
            "minutes_published",
            to=recipient(person),
            name=person.name,
            minutes_title=material.title,
            link=minutes_link(material),
            event=event_details(event, person.display_timezone),
        )
    )
