"""The JSON API survives fuzzing from its own OpenAPI document.

Schemathesis reads the document /api/openapi.json serves and sends every operation, to
the app in-process (WSGI), valid and invalid requests made from it: each answer must be one
the document describes (status, content type, headers, body), never a server error,
and invalid input must be refused with a documented 4xx. Every check schemathesis has
runs; any failure fails the test. Examples are bounded and derandomized, so a run in CI
sends the same requests as one here.
"""

from datetime import date, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from nscal.api.openapi import openapi_document
from nscal.events.models import EventKind, EventStatus, Visibility
from nscal.programme.services import ItemData, OtherSpeaker, add_item
from tests.conftest import stored_long_ago, test_config

load_all_checks()
# Every check schemathesis ships (functions; class-based checks are stateful-only).
ALL_CHECKS = [check for check in CHECKS.get_all() if not isinstance(check, type)]


def wall(*parts: int) -> datetime:
    """A wall-clock time in the event's own zone (naive on purpose), as ``make_event`` takes it."""
    return datetime(*parts)  # noqa: DTZ001


@pytest.fixture
def calendar(app, network, make_event):
    """The app, over a calendar with events worth finding: several zones, all-day,
    members-only and draft (hidden from the anonymous fuzzer), before standard time (local
    mean time offsets), near the end of time."""
    meeting = make_event("Copenhagen meeting", host_city="copenhagen", capacity=40)
    # A programme, so /api/events/{event_id}/programme has items to describe.
    add_item(
        meeting,
        ItemData(
            "Welcome",
            wall(2027, 1, 13, 10, 0),
            wall(2027, 1, 13, 10, 30),
            room="Main hall",
            online_url="https://meet.example.org/cph",
            other_speakers=[OtherSpeaker("Lena Berg", "Lund University")],
        ),
    )
    make_event(
        "Summit",
        kind=EventKind.summit,
        timezone="Europe/Helsinki",
        host_city="helsinki",
        all_day=True,
        start=date(2027, 6, 9),
        end=date(2027, 6, 11),
        audience=("mayor", "leader"),
    )
    make_event(
        "Nuuk webinar",
        kind=EventKind.webinar,
        timezone="America/Nuuk",
        host_city="nuuk",
        start=wall(2027, 7, 8, 14, 0),
        end=wall(2027, 7, 8, 15, 0),
    )
    make_event(
        "Reykjavik day",
        timezone="Atlantic/Reykjavik",
        all_day=True,
        start=date(2027, 1, 20),
        end=date(2027, 1, 20),
    )
    # Far years: the services refuse them now, but data stored earlier may have them.
    old = make_event("Old Helsinki", timezone="Europe/Helsinki")
    stored_long_ago(old, wall(1900, 1, 10, 12, 0), wall(1900, 1, 10, 13, 0))
    make_event("Members only", visibility=Visibility.members)
    make_event("Draft", status=EventStatus.draft)
    far = make_event("Far future", timezone="Pacific/Kiritimati")
    stored_long_ago(far, wall(9998, 3, 1), wall(9998, 3, 2))
    return app


# The document /api/openapi.json serves (the first test checks it is), read at
# collection so that each operation is a test of its own. (schemathesis.pytest.from_fixture
# would read it from the app, but its lazy loader does not run on pytest 9.2.)
DOCUMENT = openapi_document(test_config("")["BASE_URL"])


def documented_statuses() -> list[dict]:
    """Per operation: a schema-valid request gets one of the answers the document lists.

    Stricter than schemathesis' default (which also lets 3xx, 401, 403, 409, 429, 5xx
    pass), and it admits the documented 400 of /api/events: a request may match every
    parameter's schema and still be refused for what no JSON Schema of one parameter
    can say (a city slug no city has, `to` before `from`, a moment past the year 9999
    in UTC), with the Error that says so.
    """
    return [
        {
            "include-operation-id": operation["operationId"],
            "checks": {
                "positive_data_acceptance": {"expected-statuses": list(operation["responses"])}
            },
        }
        for path in DOCUMENT["paths"].values()
        for operation in path.values()
    ]


schema = schemathesis.openapi.from_dict(
    DOCUMENT, config=SchemathesisConfig.from_dict({"operations": documented_statuses()})
)


def test_the_fuzzed_document_is_the_one_served(client):
    assert client.get("/api/openapi.json").get_json() == DOCUMENT


@schema.parametrize()
@settings(
    max_examples=150,
    # The same requests on every run and every machine: no seed drawn, no examples
    # replayed from a local .hypothesis database.
    derandomize=True,
    database=None,
    deadline=None,
    # The fixture seeds the database once per operation, not per example: on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_the_api_answers_every_request_as_documented(case, calendar):
    case.call_and_validate(app=calendar, checks=ALL_CHECKS)
