"""The event card, written in Python (nscal.templating.card_head), is the same bytes as
the template macro it replaced, kept here: in every language, for every kind of event."""

from datetime import date, datetime

import pytest
from flask import render_template_string

from nscal.cities.models import City, ParticipantRole
from nscal.db import db
from nscal.events.models import EventFormat, EventKind, EventStatus, Visibility
from nscal.events.services import cancel_event
from nscal.i18n import LANGUAGES

OLD_CARD = """{% from "_macros.html" import time_display, audience_text with context %}
{%- macro event_card(event, zone=None, level=2) %}
  <article class="event-card{% if event.is_cancelled %} is-cancelled{% endif %}">
    {% set first_day = (event|days_covered(zone))|first %}
    {% if first_day %}
      <p class="date-tile" aria-hidden="true"><span class="month">{{ first_day.month|month_name("abbreviated") }}</span><span class="day">{{ first_day.day }}</span><span class="weekday">{{ weekday_names("abbreviated")[first_day.weekday()] }}</span></p>
    {% endif %}
    <h{{ level }} class="event-title"><a href="{{ event|event_url }}">{{ event|event_title }}</a></h{{ level }}>
    {% set badges = card_badges(event) %}
    {% if badges %}<p class="badges">{{ badges }}</p>{% endif %}
    <p class="event-when">{{ time_display(event|event_time(zone)) }}</p>
    <p class="event-meta">
      {{ event.kind.label }} · {{ event.format.label }}
      {%- if event.host_city %} · {{ event.host_city.name }}{% endif %}
      · {{ _("For: %(audience)s", audience=audience_text(event)) }}
    </p>
    {% include "events/_card_fit.html" %}
  </article>
{% endmacro %}
{%- for event in events %}{{ event_card(event, zone, level) }}|{% endfor %}"""  # noqa: E501

NEW_CARD = """{% from "_macros.html" import event_card with context %}
{%- for event in events %}{{ event_card(event, zone, level) }}|{% endfor %}"""


@pytest.fixture
def events(network, make_event):
    cities = db.session.scalars(db.select(City.slug).order_by(City.id)).all()
    roles = db.session.scalars(db.select(ParticipantRole.slug).order_by(ParticipantRole.id)).all()
    made = [
        make_event('<script>alert("x")</script> & Co\'s "meeting"', host_city=cities[0]),
        make_event(
            "Summit & <b>bold</b>",
            kind=EventKind.summit,
            format=EventFormat.hybrid,
            host_city=cities[1],
            audience=tuple(roles[:2]),
            timezone="America/Nuuk",
        ),
        make_event(
            "All day",
            all_day=True,
            start=date(2027, 3, 1),
            end=date(2027, 3, 4),
            audience=tuple(roles[2:3]),
        ),
        make_event("Draft, members", status=EventStatus.draft, visibility=Visibility.members),
        make_event(
            "Over midnight",
            start=datetime(2027, 10, 30, 23, 0),  # noqa: DTZ001 - wall clock
            end=datetime(2027, 10, 31, 4, 0),  # noqa: DTZ001
            timezone="Europe/Helsinki",
        ),
    ]
    cancelled = make_event("Cancelled one", host_city=cities[2])
    cancel_event(cancelled, "Closed")
    db.session.commit()
    return [*made, cancelled]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("zone", [None, "Europe/Oslo", "Pacific/Auckland", "America/Nuuk"])
def test_the_card_is_the_bytes_the_macro_wrote(app, events, language, zone):
    for level in (2, 3):
        with app.test_request_context(f"/events/?lang={language}"):
            from flask_babel import refresh

            refresh()
            context = {"events": events, "zone": zone, "level": level}
            old = render_template_string(OLD_CARD, **context)
        with app.test_request_context(f"/events/?lang={language}"):
            refresh()
            new = render_template_string(NEW_CARD, **context)
        assert new == old
        assert new.count("<article") == len(events)


def test_typed_values_are_escaped(client, events):
    page = client.get("/events/").text
    assert "<script>alert" not in page
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co&#39;s &#34;meeting&#34;" in page
    )
    assert "Summit &amp; &lt;b&gt;bold&lt;/b&gt;" in page
