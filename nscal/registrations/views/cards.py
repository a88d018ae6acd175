"""Event cards that say whether the reader can register: for the lists' templates.

A list template calls ``mark_cards(events)`` once before its loop (one batch of
queries for the page, see ``nscal.registrations.fit``); each card then reads its mark
with ``card_fit(event)``.
"""

from flask import g, session
from flask_login import current_user

from nscal.db import utcnow
from nscal.events.display import SESSION_ZONE, display_zone
from nscal.registrations.fit import fits_for
from nscal.registrations.views.blueprint import registrations


def _viewer():
    return current_user if current_user.is_authenticated else None


def _fits(events) -> dict:
    viewer = _viewer()
    zone, _source = display_zone(viewer, session.get(SESSION_ZONE))
    events = list(events)
    # Every event asked about gets an entry (None: nothing to say), so none is asked twice.
    return dict.fromkeys((event.id for event in events), None) | fits_for(
        events, viewer, utcnow(), zone
    )


@registrations.app_context_processor
def inject_card_marks():
    def mark_cards(events) -> str:
        g.card_fits = _fits(events)
        return ""

    def card_fit(event):
        fits = g.get("card_fits")
        if fits is None or event.id not in fits:
            # A card outside a marked list: asked on its own (a few queries, once).
            fits = g.card_fits = {**(fits or {}), **_fits([event])}
        return fits.get(event.id)

    return {"mark_cards": mark_cards, "card_fit": card_fit}
