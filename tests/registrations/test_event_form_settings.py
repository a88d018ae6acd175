"""The registration settings in the event form: shown for the event's audience, checked
together with the event's fields, saved in the same transaction; the roster only shows
them and links to the form."""

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from nscal.accounts.models import AccountRole
from nscal.cities.models import ParticipantRole
from nscal.db import db
from nscal.events.models import Event
from nscal.registrations.models import RegistrationSettings, RegistrationStatus, RoleQuota
from nscal.registrations.services import (
    active_registration,
    quotas_for,
    register_for_event,
    settings_for,
)

START = datetime(2099, 3, 10, 10, 0)  # noqa: DTZ001 - wall clock in the event's zone
END = datetime(2099, 3, 10, 12, 0)  # noqa: DTZ001


class FormValues(HTMLParser):
    """What a browser would send for the page's first POST form with a CSRF token."""

    def __init__(self):
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self.names: set[str] = set()
        self._in_form = self._done = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self._done and a.get("method") == "post" and "action" not in a:
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            self.names.add(name)
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.values.append((name, a.get("value", "y")))
            elif kind not in {"submit", "button"}:
                self.values.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self.names.add(name)
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self.names.add(name)
            self._textarea = name
            self.values.append((name, ""))

    def handle_data(self, data):
        if self._textarea:
            name, text = self.values[-1]
            self.values[-1] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def form_of(html: str) -> FormValues:
    parser = FormValues()
    parser.feed(html)
    return parser


def submit(client, path: str, changes: dict, unticked: tuple[str, ...] = ()):
    """Open ``path``, change some fields as a person would, and send the form."""
    form = form_of(client.get(path).get_data(as_text=True))
    data: dict[str, list[str]] = {}
    for name, value in form.values:
        if name in changes or name in unticked:
            continue
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    return client.post(path, data=data, follow_redirects=True)


def errors(response) -> list[str]:
    return re.findall(r'<p class="error">([^<]*)</p>', response.get_data(as_text=True))


def role(slug: str) -> ParticipantRole:
    return db.session.execute(
        sa.select(ParticipantRole).where(ParticipantRole.slug == slug)
    ).scalar_one()


@pytest.fixture
def coordinator(network, make_user, auth):
    user = make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login(user.email)
    return user


@pytest.fixture
def meeting(network, make_event):
    return make_event(
        "Practitioners' meeting",
        start=START,
        end=END,
        timezone="Europe/Helsinki",
        audience=("practitioner",),
        capacity=40,
    )


NEW_EVENT = {
    "title": "Summit on safe streets",
    "kind": "summit",
    "format": "online",
    "timezone": "Europe/Helsinki",
    "start_date": "2099-03-10",
    "start_time": "10:00",
    "end_time": "12:00",
}


def test_a_new_event_is_created_with_its_registration_settings(client, coordinator):
    practitioner = role("practitioner")
    page = client.get("/manage/events/new").get_data(as_text=True)
    # No audience ticked yet: a quota field for every role.
    for slug in ("practitioner", "mayor", "politician", "leader"):
        assert f'name="settings-quota_{role(slug).id}"' in page
    response = submit(
        client,
        "/manage/events/new",
        {
            **NEW_EVENT,
            "audience": [str(practitioner.id)],
            "capacity": "40",
            f"settings-quota_{practitioner.id}": "30",
            "settings-city_limit": "5",
            "settings-opens_date": "2099-02-01",
            "settings-opens_time": "09:00",
            "settings-closes_date": "2099-03-09",
            "settings-closes_time": "16:00",
            "settings-requires_approval": "y",
            "settings-self_cancel_until_date": "2099-03-08",
            "settings-self_cancel_until_time": "12:00",
        },
        unticked=("settings-waitlist",),
    )
    assert "is saved as a draft" in response.get_data(as_text=True), errors(response)
    event = db.session.execute(sa.select(Event)).scalar_one()
    settings = settings_for(event)
    assert event.capacity == 40 and quotas_for(event) == {practitioner.id: 30}
    assert settings.city_limit == 5
    # Times typed on Helsinki's clock (EET, UTC+2 in February and March 2099).
    assert settings.opens_at == datetime(2099, 2, 1, 7, 0, tzinfo=UTC)
    assert settings.closes_at == datetime(2099, 3, 9, 14, 0, tzinfo=UTC)
    assert settings.self_cancel_until == datetime(2099, 3, 8, 10, 0, tzinfo=UTC)
    assert settings.requires_approval and not settings.waitlist and settings.self_cancel
    # The edit page shows them back on the event's clock.
    edit = form_of(client.get(f"/manage/events/{event.id}/edit").get_data(as_text=True))
    assert ("settings-opens_time", "09:00") in edit.values
    assert ("settings-closes_date", "2099-03-09") in edit.values


def test_quotas_are_shown_only_for_the_roles_the_event_is_for(client, coordinator, meeting):
    form = form_of(client.get(f"/manage/events/{meeting.id}/edit").get_data(as_text=True))
    assert f"settings-quota_{role('practitioner').id}" in form.names
    for slug in ("mayor", "politician", "leader"):
        assert f"settings-quota_{role(slug).id}" not in form.names


def test_a_quota_above_the_capacity_is_refused_on_its_field(client, coordinator, meeting):
    practitioner = role("practitioner")
    response = submit(
        client, f"/manage/events/{meeting.id}/edit", {f"settings-quota_{practitioner.id}": "55"}
    )
    assert errors(response) == [
        "A quota cannot be more than the capacity: the event has 40 places in all, "
        "so at most 40 for the role practitioner."
    ]
    assert "The event was not saved." in response.get_data(as_text=True)
    assert quotas_for(meeting) == {}


def test_a_quota_for_a_role_the_event_is_not_for_is_refused(client, coordinator, meeting):
    mayor = role("mayor")
    response = submit(
        client, f"/manage/events/{meeting.id}/edit", {f"settings-quota_{mayor.id}": "3"}
    )
    assert errors(response) == [
        "The event is not for the role mayor: leave this empty, or tick the role in the audience."
    ]
    # Shown, so the person sees what is refused.
    assert f'name="settings-quota_{mayor.id}"' in response.get_data(as_text=True)
    assert quotas_for(meeting) == {}


def test_registration_must_close_before_the_end_and_open_before_it_closes(
    client, coordinator, meeting
):
    response = submit(
        client,
        f"/manage/events/{meeting.id}/edit",
        {
            "settings-opens_date": "2099-03-11",
            "settings-closes_date": "2099-03-10",
            "settings-closes_time": "13:00",
        },
    )
    assert errors(response) == [
        "Registration must open before it closes.",
        "Registration must close before the event ends (10 Mar 2099, 12:00 EET).",
    ]
    assert db.session.get(RegistrationSettings, meeting.id) is None


def test_opening_after_the_start_without_a_closing_time_is_refused(client, coordinator, meeting):
    response = submit(
        client, f"/manage/events/{meeting.id}/edit", {"settings-opens_date": "2099-03-11"}
    )
    assert errors(response) == [
        "Registration must open before the event starts (10 Mar 2099, 10:00 EET), "
        "when it closes unless you set a closing time."
    ]


def test_the_window_follows_the_times_typed_in_the_same_form(client, coordinator, meeting):
    # Moving the event earlier makes the closing time typed with it too late.
    response = submit(
        client,
        f"/manage/events/{meeting.id}/edit",
        {
            "start_date": "2099-03-05",
            "end_date": "2099-03-05",
            "settings-closes_date": "2099-03-08",
        },
    )
    assert errors(response) == [
        "Registration must close before the event ends (5 Mar 2099, 12:00 EET)."
    ]
    db.session.expire_all()
    assert meeting.local_start.day == 10  # nothing saved, the event's times neither


def test_a_time_the_clocks_skip_is_refused(client, coordinator, meeting):
    # Helsinki goes from 03:00 to 04:00 on the last Sunday of March 2099 (the 29th).
    response = submit(
        client,
        f"/manage/events/{meeting.id}/edit",
        {"settings-opens_date": "2099-03-29", "settings-opens_time": "03:30"},
    )
    assert len(errors(response)) == 1 and "03:30" in errors(response)[0]


def test_capacity_below_the_places_held_is_refused_and_says_how_many(
    client, coordinator, meeting, make_user
):
    for _ in range(3):
        register_for_event(meeting.id, make_user(participant_role="practitioner").id)
    db.session.commit()
    response = submit(client, f"/manage/events/{meeting.id}/edit", {"capacity": "2"})
    assert errors(response) == [
        "3 places already taken (confirmed or awaiting approval): the capacity cannot be "
        "lower than 3. To make the event smaller, first move people to the waiting list on "
        "the registrations page."
    ]
    db.session.expire_all()
    assert meeting.capacity == 40
    # Down to the places held is fine.
    response = submit(client, f"/manage/events/{meeting.id}/edit", {"capacity": "3"})
    assert errors(response) == []
    db.session.expire_all()
    assert meeting.capacity == 3


def test_raising_the_capacity_in_the_event_form_promotes_from_the_waiting_list(
    client, coordinator, make_event, make_user
):
    event = make_event("Small workshop", start=START, end=END, capacity=1)
    people = [make_user(participant_role="practitioner") for _ in range(3)]
    for person in people:
        register_for_event(event.id, person.id)
    db.session.commit()
    assert active_registration(event.id, people[1].id).status is RegistrationStatus.waitlisted
    response = submit(client, f"/manage/events/{event.id}/edit", {"capacity": "2"})
    assert "1 person moved up from the waiting list." in response.get_data(as_text=True)
    assert active_registration(event.id, people[1].id).status is RegistrationStatus.confirmed
    assert active_registration(event.id, people[2].id).status is RegistrationStatus.waitlisted


def test_a_raised_quota_passes_its_places_on_in_the_same_save(
    client, coordinator, make_event, make_user
):
    event = make_event("Small workshop", start=START, end=END, capacity=1)
    people = [make_user(participant_role="practitioner") for _ in range(2)]
    for person in people:
        register_for_event(event.id, person.id)
    db.session.commit()
    response = submit(
        client, f"/manage/events/{event.id}/edit", {"capacity": "3", "settings-waitlist": "y"}
    )
    assert errors(response) == []
    assert active_registration(event.id, people[1].id).status is RegistrationStatus.confirmed
    # A raised quota frees places too: the settings pass them on in the same save.
    practitioner = role("practitioner")
    db.session.add(RoleQuota(event_id=event.id, participant_role_id=practitioner.id, places=1))
    third = make_user(participant_role="practitioner")
    register_for_event(event.id, third.id)
    db.session.commit()
    assert active_registration(event.id, third.id).status is RegistrationStatus.waitlisted
    response = submit(
        client, f"/manage/events/{event.id}/edit", {f"settings-quota_{practitioner.id}": "3"}
    )
    assert "1 person moved up from the waiting list." in response.get_data(as_text=True)
    assert active_registration(event.id, third.id).status is RegistrationStatus.confirmed


def test_a_new_series_gets_the_window_on_each_occurrence(client, coordinator):
    response = submit(
        client,
        "/manage/events/new",
        {
            **NEW_EVENT,
            "repeat": "weekly",
            "until": "2099-03-24",
            "settings-closes_date": "2099-03-09",
            "settings-closes_time": "10:00",
        },
    )
    assert "is saved as a draft" in response.get_data(as_text=True), errors(response)
    occurrences = db.session.execute(sa.select(Event).order_by(Event.starts_at)).scalars().all()
    assert len(occurrences) == 3
    closes = [settings_for(event).closes_at for event in occurrences]
    # A day before each start, on Helsinki's clock (summer time from 29 March on).
    assert closes == [
        datetime(2099, 3, 9, 8, 0, tzinfo=UTC),
        datetime(2099, 3, 16, 8, 0, tzinfo=UTC),
        datetime(2099, 3, 23, 8, 0, tzinfo=UTC),
    ]


def test_a_post_without_the_section_leaves_the_settings_alone(client, coordinator, meeting):
    from nscal.registrations.services import save_registration_settings

    save_registration_settings(
        meeting.id,
        capacity=40,
        city_limit=4,
        quotas={},
        opens_at=None,
        closes_at=None,
        requires_approval=True,
        waitlist=False,
        self_cancel=False,
    )
    db.session.commit()
    form = form_of(client.get(f"/manage/events/{meeting.id}/edit").get_data(as_text=True))
    data = [
        (name, value)
        for name, value in form.values
        if not name.startswith("settings-") and name != "venue"
    ]
    response = client.post(
        f"/manage/events/{meeting.id}/edit",
        data=MultiDict([*data, ("venue", "Room 2")]),
        follow_redirects=True,
    )
    assert errors(response) == []
    db.session.expire_all()
    settings = settings_for(meeting)
    assert (settings.city_limit, settings.requires_approval, settings.waitlist) == (4, True, False)


def test_the_roster_shows_the_settings_and_sends_changes_to_the_event_form(
    client, coordinator, meeting
):
    roster = f"/manage/events/{meeting.id}/registrations"
    page = client.get(roster).get_data(as_text=True)
    assert "Change the registration settings in the event form" in page
    assert f'href="/manage/events/{meeting.id}/edit#registration"' in page
    assert 'name="settings-capacity"' not in page  # one place to edit the capacity
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        roster, data={"csrf_token": token, "settings-capacity": "2"}, follow_redirects=False
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/manage/events/{meeting.id}/edit#registration")
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "nothing was changed" in followed
    db.session.expire_all()
    assert meeting.capacity == 40


def test_the_draft_form_has_the_registration_section(client, coordinator, make_event):
    from nscal.events.models import EventStatus

    draft = make_event("Draft", start=START, end=END, status=EventStatus.draft)
    page = client.get(f"/manage/events/{draft.id}/edit").get_data(as_text=True)
    assert 'id="registration"' in page and 'name="settings-city_limit"' in page


def test_places_a_raised_capacity_frees_follow_the_approval_saved_with_it(
    client, coordinator, make_event, make_user
):
    event = make_event("Small workshop", start=START, end=END, capacity=1)
    people = [make_user(participant_role="practitioner") for _ in range(2)]
    for person in people:
        register_for_event(event.id, person.id)
    db.session.commit()
    response = submit(
        client,
        f"/manage/events/{event.id}/edit",
        {"capacity": "2", "settings-requires_approval": "y"},
    )
    assert "1 person moved up from the waiting list." in response.get_data(as_text=True)
    # Approval is needed from now on: the place is held for a coordinator's decision.
    assert active_registration(event.id, people[1].id).status is RegistrationStatus.pending
