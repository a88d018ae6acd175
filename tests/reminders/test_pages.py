"""Coordinators set reminders per event, per series and per kind; the pages say how
they work; the cron command queues what is due."""

from datetime import UTC, datetime, timedelta

import pytest

from nscal.accounts.models import AccountRole
from nscal.db import db
from nscal.events.models import EventKind, EventStatus
from nscal.events.services import EventData, create_series
from nscal.registrations.services import register_for_event
from nscal.reminders.services import reminders_for
from tests.conftest import csrf_token_from
from tests.reminders.conftest import outbox

START = datetime(2099, 3, 10, 10, 0)  # noqa: DTZ001 - wall clock in the event's zone
END = datetime(2099, 3, 10, 11, 30)  # noqa: DTZ001


@pytest.fixture
def coordinator(client, auth, make_user):
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    return client


def _post(client, path, data):
    token = csrf_token_from(client.get(path.replace("/series-reminders", "/reminders")))
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=True)


def _labels(event):
    db.session.expire_all()
    return [offset.label for offset in reminders_for(event).offsets]


def test_an_event_gets_its_own_reminders_and_back_to_the_defaults(coordinator, make_event):
    event = make_event("Webinar", start=START, end=END, kind=EventKind.webinar)
    edit = coordinator.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    assert f'href="/manage/events/{event.id}/reminders"' in edit

    page = coordinator.get(f"/manage/events/{event.id}/reminders").get_data(as_text=True)
    assert "follows the built-in defaults for its kind" in page
    assert "1 day before" in page and "1 hour before" in page
    assert "People who register after a reminder's time do not get that reminder." in page
    assert "09:00 on each person's own clock" in page

    path = f"/manage/events/{event.id}/reminders"
    answer = _post(coordinator, path, {"follow": "own", "reminders": "2 days, 30 min"})
    assert "The reminders of “Webinar” are saved." in answer.get_data(as_text=True)
    assert _labels(event) == ["2 days", "30 minutes"]

    answer = _post(coordinator, path, {"follow": "own", "reminders": ""})
    assert _labels(event) == []
    assert "No reminders." in answer.get_data(as_text=True)

    _post(coordinator, path, {"follow": "inherit", "reminders": ""})
    assert _labels(event) == ["1 day", "1 hour"]


@pytest.mark.parametrize(
    "typed, message",
    [
        ("soon", "“soon” is not a reminder"),
        ("0 days", "choose 1 to 60 days"),
        ("99999999999999999999 hours", "is not a reminder"),
        ("1 d, 2 d, 3 d, 4 d, 5 d, 6 d, 7 d", "At most 6 reminders"),
    ],
)
def test_what_cannot_be_a_reminder_is_refused_with_a_reason(
    coordinator, make_event, typed, message
):
    event = make_event(start=START, end=END)
    path = f"/manage/events/{event.id}/reminders"
    answer = _post(coordinator, path, {"follow": "own", "reminders": typed})
    assert answer.status_code == 200
    assert message in answer.get_data(as_text=True)
    assert _labels(event) == ["7 days", "1 day"]


def test_occurrences_follow_their_series_unless_they_have_their_own(coordinator):
    series, _notes = create_series(
        EventData(
            title="Prevention call",
            kind=EventKind.other,
            timezone="Europe/Oslo",
            start=START,
            end=END,
            rrule="FREQ=WEEKLY;COUNT=3",
        ),
        status=EventStatus.published,
    )
    db.session.commit()
    first, second, third = series.occurrences
    answer = _post(
        coordinator,
        f"/manage/events/{first.id}/series-reminders",
        {"series-follow": "own", "series-reminders": "1 hour, 10 minutes"},
    )
    assert "The series&#39; reminders are saved." in answer.get_data(as_text=True)
    _post(coordinator, f"/manage/events/{third.id}/reminders", {"follow": "own", "reminders": "2h"})

    assert _labels(first) == _labels(second) == ["1 hour", "10 minutes"]
    assert _labels(third) == ["2 hours"]
    page = coordinator.get(f"/manage/events/{second.id}/reminders").get_data(as_text=True)
    assert "follows the series&#39; reminders" in page


def test_coordinators_change_the_defaults_of_a_kind(coordinator, make_event):
    webinar = make_event("Webinar", start=START, end=END, kind=EventKind.webinar)
    summit = make_event("Summit", start=START, end=END, kind=EventKind.summit)
    dashboard = coordinator.get("/manage/").get_data(as_text=True)
    assert 'href="/manage/reminders"' in dashboard
    page = coordinator.get("/manage/reminders").get_data(as_text=True)
    assert 'value="1 day, 1 hour"' in page

    data = {kind.value.replace("-", "_"): "7 days, 1 day" for kind in EventKind}
    data["webinar"] = "3 hours"
    answer = _post(coordinator, "/manage/reminders", data)
    assert "The default reminders are saved." in answer.get_data(as_text=True)
    assert _labels(webinar) == ["3 hours"]
    assert _labels(summit) == ["7 days", "1 day"]

    data["summit"] = "tomorrow"
    answer = _post(coordinator, "/manage/reminders", data)
    assert "“tomorrow” is not a reminder" in answer.get_data(as_text=True)
    assert _labels(webinar) == ["3 hours"]


def test_members_cannot_open_the_reminder_pages(client, auth, make_user, make_event):
    event = make_event(start=START, end=END)
    make_user("member@example.org")
    auth.login("member@example.org")
    assert client.get(f"/manage/events/{event.id}/reminders").status_code == 403
    assert client.get("/manage/reminders").status_code == 403


def test_the_reminder_mail_has_a_preview(coordinator):
    page = coordinator.get("/manage/mail/reminder").get_data(as_text=True)
    assert "Reminder: Example city meeting on safe neighbourhoods tomorrow" in page
    assert "Join online: https://meet.example.org/city-meeting" in page


def test_send_reminders_for_cron_says_how_many(app, runner, make_user, make_event):
    from nscal.db import clock

    event = make_event("Kick-off", start=START, end=END, kind=EventKind.kick_off)
    register_for_event(event.id, make_user("aino@example.org").id)
    db.session.commit()
    try:
        clock.advance(datetime(2099, 3, 3, 12, 0, tzinfo=UTC) - clock.now())
        result = runner.invoke(args=["send-reminders"])
        assert result.exit_code == 0, result.output
        assert result.output == "1 reminder(s) queued.\n"
        assert runner.invoke(args=["send-reminders"]).output == "0 reminder(s) queued.\n"
        clock.advance(timedelta(days=6))
    finally:
        clock.reset()
    assert [row.subject for row in outbox() if "Reminder" in row.subject] == [
        "Reminder: Kick-off in 7 days"
    ]
