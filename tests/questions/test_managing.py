"""Coordinators manage an event's (and a series') questions: add, edit, reorder, delete
after a confirmation, copy; a question people answered keeps its type."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from nscal.db import db
from nscal.events.models import Event
from nscal.questions.models import Question, QuestionKind
from nscal.questions.services import Owner, answers_of, own_questions, questions_for
from nscal.registrations.services import active_registration
from tests.questions.conftest import post, q


@pytest.fixture
def coordinator_in(client, auth, coordinator):
    auth.login("coord@example.org")
    return coordinator


def page_of(event):
    return f"/manage/events/{event.id}/questions"


def add(client, event, ask_at=None, **fields):
    data = {f"new-{name}": value for name, value in fields.items()}
    if ask_at:
        data["ask_at"] = ask_at
    return post(client, page_of(event), data, token_page=page_of(event))


def test_a_coordinator_adds_questions_of_each_type(client, coordinator_in, make_event, network):
    event = make_event("Summit", start=datetime(2099, 5, 5, 10), end=datetime(2099, 5, 5, 16))  # noqa: DTZ001
    for kind in QuestionKind:
        choices = "Tea\nCoffee" if kind.has_choices else ""
        response = add(client, event, label=f"A {kind.label}?", kind=kind.value, choices=choices)
        assert response.status_code == 302, response.text
    stored = own_questions(Owner("event", event.id))
    assert [question.kind for question in stored] == list(QuestionKind)
    assert stored[2].choice_list == ["Tea", "Coffee"]
    page = client.get(page_of(event)).text
    assert "A Several choices?" in page and "Options: Tea; Coffee" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"label": "Diet", "kind": "one-choice", "choices": "Only one"}, "at least two options"),
        ({"label": "  ", "kind": "short-text"}, "Write the question."),
        ({"label": "Diet", "kind": "essay"}, "Not a valid choice"),
        ({"label": "Diet", "kind": "short-text", "roles": "99999999999"}, "Not a valid choice"),
    ],
)
def test_a_question_that_cannot_be_asked_is_refused_on_its_field(
    client, coordinator_in, meeting, fields, message
):
    before = len(own_questions(Owner("event", meeting.id)))
    response = add(client, meeting, **fields)
    assert response.status_code == 422
    assert message in response.text
    assert len(own_questions(Owner("event", meeting.id))) == before


def test_a_question_with_answers_keeps_its_type_and_says_so(
    client, auth, make_user, meeting, coordinator
):
    make_user("aino@example.org", participant_role="practitioner")
    auth.login("aino@example.org")
    post(client, f"/events/{meeting.id}/register", {q(meeting, "diet"): "Vegan"})
    auth.logout()
    auth.login("coord@example.org")
    diet = meeting.questions["diet"]
    path = f"/manage/questions/{diet.id}/edit"
    page = client.get(path).text
    assert "so its type cannot change" in page
    response = post(client, path, {"label": "Diet", "kind": "short-text"}, token_page=path)
    assert response.status_code == 422
    assert "People have answered this question, so its type cannot change." in response.text
    db.session.refresh(diet)
    assert diet.kind is QuestionKind.one_choice
    # The wording and options may still change.
    response = post(
        client,
        path,
        {"label": "Food", "kind": "one-choice", "choices": "Vegan\nHalal\nAnything"},
        token_page=path,
    )
    assert response.status_code == 302
    db.session.refresh(diet)
    assert diet.label == "Food" and diet.choice_list == ["Vegan", "Halal", "Anything"]


def test_questions_are_reordered_and_deleted_after_a_confirmation(client, coordinator_in, meeting):
    first, second = own_questions(Owner("event", meeting.id))[:2]
    post(
        client,
        f"/manage/questions/{second.id}/move",
        {"direction": "up"},
        token_page=page_of(meeting),
    )
    order = [question.id for question in own_questions(Owner("event", meeting.id))]
    assert order[:2] == [second.id, first.id]

    confirm = client.get(f"/manage/questions/{first.id}/delete")
    assert confirm.status_code == 200 and "Delete the question?" in confirm.text
    assert db.session.get(Question, first.id) is not None  # nothing deleted yet
    post(
        client,
        f"/manage/questions/{first.id}/delete",
        {},
        token_page=f"/manage/questions/{first.id}/delete",
    )
    db.session.expire_all()
    assert db.session.get(Question, first.id) is None


def test_questions_are_copied_from_another_event(client, coordinator_in, meeting, make_event):
    other = make_event("Next meeting", start=datetime(2099, 9, 1, 10), end=datetime(2099, 9, 1, 12))  # noqa: DTZ001
    response = post(
        client,
        f"/manage/events/{other.id}/questions/copy",
        {"copy-source": f"event-{meeting.id}"},
        token_page=page_of(other),
        follow_redirects=True,
    )
    assert "8 question(s) copied." in response.text
    copied = questions_for(other)
    assert [question.label for question in copied] == [
        question.label for question in questions_for(meeting)
    ]
    hotel = next(question for question in copied if question.label == "Hotel preference")
    assert [role.slug for role in hotel.roles] == ["mayor"]
    # A source that does not exist is refused without a server error.
    response = post(
        client,
        f"/manage/events/{other.id}/questions/copy",
        {"copy-source": "event-99999999"},
        token_page=page_of(other),
        follow_redirects=True,
    )
    assert "Choose an event or series to copy the questions of." in response.text


def test_a_series_question_is_asked_at_every_occurrence(
    client, auth, coordinator_in, make_user, make_event, network
):
    first = make_event(
        "Monthly call",
        start=datetime(2099, 1, 7, 10),  # noqa: DTZ001
        end=datetime(2099, 1, 7, 11),  # noqa: DTZ001
        rrule="FREQ=MONTHLY;COUNT=3",
    )
    occurrences = list(
        db.session.execute(
            sa.select(Event).where(Event.series_id == first.series_id).order_by(Event.starts_at)
        ).scalars()
    )
    assert len(occurrences) == 3
    add(client, first, label="Your topic", kind="short-text", ask_at="series")
    add(client, occurrences[1], label="Only in February", kind="short-text")
    labels = [[question.label for question in questions_for(event)] for event in occurrences]
    assert labels == [["Your topic"], ["Your topic", "Only in February"], ["Your topic"]]
    auth.logout()
    aino = make_user("aino@example.org", participant_role="practitioner")
    auth.login("aino@example.org")
    assert "Your topic" in client.get(f"/events/{occurrences[2].id}").text
    # Registering where only the series asks: the question is read, the answer kept.
    [topic] = own_questions(Owner("series", first.series_id))
    page = f"/events/{occurrences[2].id}"
    response = post(client, f"{page}/register", {f"q_{topic.id}": "Housing"}, token_page=page)
    assert response.status_code == 302
    registration = active_registration(occurrences[2].id, aino.id)
    assert answers_of(registration.id) == {topic.id: "Housing"}
