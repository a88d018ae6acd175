"""Mail about materials: "the minutes are published", to each confirmed participant.

Written to the outbox in the transaction that publishes the minutes; the words are
``templates/mail/minutes_published.txt`` and ``.html``.
"""

from nscal.accounts.models import User
from nscal.i18n import in_language, language_of
from nscal.mail.outbox import enqueue
from nscal.materials.models import Material
from nscal.registrations.notifications import mail_about_event
from nscal.urls import external_url


def minutes_link(material: Material) -> str:
    """The minutes' download address: it checks who follows it, as the page does."""
    return external_url("materials.download", event_id=material.event_id, material_id=material.id)


def minutes_published_mail(material: Material, person: User) -> None:
    with in_language(language_of(person)):  # the link opens in the mail's language
        enqueue(
            mail_about_event(
                "minutes_published",
                person,
                material.event,
                minutes_title=material.title,
                link=minutes_link(material),
            )
        )
