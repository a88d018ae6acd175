"""Events with registration questions, and people to answer them."""

from datetime import datetime

import pytest

from nscal.accounts.models import AccountRole
from nscal.cities.models import role_by_slug_or_name
from nscal.db import db
from nscal.questions.models import QuestionKind
from nscal.questions.services import Owner, QuestionData, add_question
from tests.conftest import csrf_token_from

START = datetime(2099, 3, 29, 9, 0)  # noqa: DTZ001 - wall-clock in the event's zone
END = datetime(2099, 3, 29, 17, 0)  # noqa: DTZ001


@pytest.fixture
def meeting(network, make_event):
    """A Malmö meeting asking every kind of question; the hotel only of mayors."""
    event = make_event(
        "Malmö city meeting",
        start=START,
        end=END,
        timezone="Europe/Stockholm",
        host_city="malmo",
    )
    owner = Owner("event", event.id)
    mayor = role_by_slug_or_name("mayor")
    questions = {
        "diet": add_question(
            owner,
            QuestionData(
                QuestionKind.one_choice,
                "Diet",
                required=True,
                choices=["No preference", "Vegetarian", "Vegan"],
            ),
        ),
        "sessions": add_question(
            owner,
            QuestionData(
                QuestionKind.several_choices, "Workshops", choices=["Youth", "Police", "Schools"]
            ),
        ),
        "photos": add_question(owner, QuestionData(QuestionKind.yes_no, "Photos of you allowed?")),
        "nights": add_question(owner, QuestionData(QuestionKind.number, "Hotel nights")),
        "arrival": add_question(owner, QuestionData(QuestionKind.date, "Arrival day")),
        "access": add_question(owner, QuestionData(QuestionKind.long_text, "Access needs")),
        "org": add_question(owner, QuestionData(QuestionKind.short_text, "Organisation")),
        "hotel": add_question(
            owner,
            QuestionData(QuestionKind.short_text, "Hotel preference", role_ids=[mayor.id]),
        ),
    }
    db.session.commit()
    event.questions = questions
    return event


@pytest.fixture
def coordinator(make_user):
    return make_user(
        "coord@example.org", name="Cora Coordinator", account_role=AccountRole.coordinator
    )


def post(client, path, data=None, token_page="/my/events", **kwargs):
    token = csrf_token_from(client.get(token_page))
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def q(event, key: str) -> str:
    return f"q_{event.questions[key].id}"
