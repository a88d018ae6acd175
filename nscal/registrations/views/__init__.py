"""The registration pages, all on one blueprint, ``registrations``.

Members' pages (register, cancel, My events) are in ``public``; the coordinators'
``/manage/…`` pages (roster, on-behalf, status, registrations.csv, cities' year) are in
``manage``. Importing them attaches their routes to the blueprint. Registering the
blueprint adds the registration settings to the event form (``event_form``).
"""

from nscal.events.form_sections import register_section
from nscal.registrations.event_form import RegistrationSection
from nscal.registrations.views import cards, manage, public  # noqa: F401 - attach the routes
from nscal.registrations.views.blueprint import registrations


@registrations.record_once
def _add_the_settings_to_the_event_form(state) -> None:
    register_section(state.app, RegistrationSection())


__all__ = ["registrations"]
