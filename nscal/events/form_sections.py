"""Sections other rooms add to the coordinators' event form, without events knowing them.

The event form (``/manage/events/new`` and ``/manage/events/<id>/edit``) is one page
and one ``<form>``: the event's own fields, and below them sections that belong to
other rooms — the registration settings (nscal.registrations) are one. Events must
never import those rooms (tests/test_architecture.py), so the dependency points the
other way: a room subclasses ``EventFormSection`` and registers an instance on the
application when its blueprint is registered (``register_section(app, section)``);
the event views then ask ``sections()`` for them and call the hooks below, in order:

1. ``bind(event)``: the section's own form, bound to the POST (or, on a GET, filled
   from ``event``, None for a new event). Its fields carry a prefix of the section's
   choosing; the page's one CSRF token covers them, so the section form has none.
2. ``validate(section_form, event_form, event, affected)``: after the event form
   validated, check the section *together with* the event's fields (the capacity,
   the audience, the times are the event form's) and put messages on the fields
   concerned — the section's, or the event form's. ``affected`` are the existing
   events the save will change (empty for a new event). False stops the save.
3. ``save(section_form, events)``: in the same transaction, once the event service
   stored the event's fields, store the section for ``events`` (the event, or the
   occurrences of a series the change applies to, the edited one first). Returns
   the notes to show ("2 people moved up from the waiting list."). The view commits;
   a ``SectionError`` (something changed since the check) rolls everything back.

A section's template is included inside the page's form with ``form`` (the event
form), ``event`` (None when new) and ``section_form`` in its context. Fields of the
event form a section shows itself (the capacity, beside the registration settings)
are named in its ``renders_event_fields``; the event form then leaves them out.
"""

from typing import Any

from flask import Flask, current_app

from nscal.events.models import Event

EXTENSION = "nscal.event_form_sections"


class EventFormSection:
    """One room's part of the event form; subclass it and override the hooks."""

    #: Jinja template included inside the event form.
    template: str = ""
    #: The event form's fields this section's template shows (the page skips them).
    renders_event_fields: tuple[str, ...] = ()

    def bind(self, event: Event | None) -> Any:
        raise NotImplementedError

    def validate(self, section_form: Any, event_form: Any, event: Event | None, affected) -> bool:
        return section_form.validate()

    def save(self, section_form: Any, events: list[Event]) -> list[str]:
        return []


class SectionError(ValueError):
    """A section refused to save; the message says why, for people."""


def register_section(app: Flask, section: EventFormSection) -> None:
    """Add ``section`` to the event form of ``app`` (once per application)."""
    app.extensions.setdefault(EXTENSION, []).append(section)


def sections() -> list[EventFormSection]:
    """The sections of the current application's event form, in registration order."""
    return list(current_app.extensions.get(EXTENSION, []))
