"""What of an event everyone may read: its description without the online link.

The online link is for confirmed participants and coordinators (the registrations'
``can_see_online_link`` decides who they are). A coordinator may still paste the same
link into the description by hand; the description is public (the event page, the
feeds, the API), so everyone else reads it with the link taken out.
"""

import re

from flask_babel import gettext as _

from nscal.events.models import Event

HIDDEN_LINK = "[online link for participants]"  # in English; see ``hidden_link``


def hidden_link() -> str:
    """What stands where the link was, in the reader's language."""
    return _("[online link for participants]")


def public_description(event: Event, language: str | None = None) -> str:
    """``event``'s description (in ``language`` where it has one, else the original) with
    every occurrence of its online link replaced."""
    description = event.text_in(language).description or ""
    url = (event.online_url or "").strip()
    if not url:
        return description
    # The same link with another scheme case, in <angle brackets>, or without https://.
    bare = re.sub(r"^https?://", "", url, flags=re.IGNORECASE).rstrip("/")
    pattern = re.compile(rf"<?(https?://)?{re.escape(bare)}/?>?", re.IGNORECASE)
    replacement = hidden_link()
    return pattern.sub(lambda _match: replacement, description)
