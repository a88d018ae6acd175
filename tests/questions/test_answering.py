"""Registering with questions: each type checked on the server, nothing typed lost on
an error, answers changeable until registration closes and not after."""

from datetime import timedelta

import pytest

from nscal.db import clock, db
from nscal.questions.services import answers_of
from nscal.registrations.models import RegistrationSettings
from nscal.registrations.services import active_registration
from tests.questions.conftest import post, q

GOOD = {"diet": "Vegetarian"}


def register(client, meeting, answers: dict[str, object], **extra):
    data = {q(meeting, key): value for key, value in answers.items()}
    return post(client, f"/events/{meeting.id}/register", {**data, **extra})


def test_a_practitioner_sees_the_questions_for_their_role_on_the_event_page(
    client, auth, make_user, meeting
):
    make_user("aino@example.org", participant_role="practitioner", city="helsinki")
    auth.login("aino@example.org")
    page = client.get(f"/events/{meeting.id}").text
    assert f'name="{q(meeting, "diet")}"' in page
    assert "Workshops" in page and "Arrival day" in page
    # The hotel question is for mayors only.
    assert "Hotel preference" not in page


def test_answers_of_every_type_are_stored(client, auth, make_user, meeting):
    person = make_user("aino@example.org", participant_role="practitioner", city="helsinki")
    auth.login("aino@example.org")
    response = register(
        client,
        meeting,
        {
            "diet": "Vegan",
            "sessions": ["Schools", "Youth"],
            "photos": "no",
            "nights": "1,5",
            "arrival": "2099-03-28",
            "access": "Step-free entrance\nplease",
            "org": "City of Helsinki",
        },
        note="See you",
    )
    assert response.status_code == 302
    registration = active_registration(meeting.id, person.id)
    stored = answers_of(registration.id)
    by_key = {key: stored.get(question.id) for key, question in meeting.questions.items()}
    assert by_key == {
        "diet": "Vegan",
        "sessions": "Youth\nSchools",  # in the order offered
        "photos": "no",
        "nights": "1.5",
        "arrival": "2099-03-28",
        "access": "Step-free entrance\nplease",
        "org": "City of Helsinki",
        "hotel": None,
    }
    assert registration.note == "See you"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("nights", "two", "Enter a number"),
        ("nights", "1e400", "Enter a number"),
        ("nights", "NaN", "Enter a number"),
        ("arrival", "2099-02-30", "Enter a date"),
        ("arrival", "29.3.2099", "Enter a date"),
        ("arrival", "0001-01-01", "Enter a date between"),
        ("diet", "Pizza", "Choose one of the options offered."),
        ("sessions", ["Youth", "Golf"], "Choose only among the options offered."),
        ("photos", "maybe", "Answer yes or no."),
        ("org", "x" * 501, "Keep the answer under 500 characters."),
    ],
)
def test_a_wrong_answer_shows_the_form_again_with_everything_kept(
    client, auth, make_user, meeting, key, value, message
):
    person = make_user("aino@example.org", participant_role="practitioner", city="helsinki")
    auth.login("aino@example.org")
    answers = {"diet": "Vegetarian", "org": "Helsingin kaupunki", "access": "Lift", key: value}
    response = register(client, meeting, answers, note="Arriving late")
    assert response.status_code == 422
    page = response.text
    assert message in page
    assert 'aria-invalid="true"' in page or "has-error" in page
    # Nothing typed is lost: the other answers and the note are still in the form.
    if key != "org":
        assert 'value="Helsingin kaupunki"' in page
    assert "Arriving late" in page
    assert ">Lift</textarea>" in page
    if key != "diet":
        assert 'value="Vegetarian" checked' in page
    assert active_registration(meeting.id, person.id) is None


def test_a_required_question_unanswered_is_asked_again(client, auth, make_user, meeting):
    person = make_user("aino@example.org", participant_role="practitioner")
    auth.login("aino@example.org")
    response = register(client, meeting, {"nights": "2"})
    assert response.status_code == 422
    assert "This question needs an answer." in response.text
    assert 'value="2"' in response.text
    assert active_registration(meeting.id, person.id) is None
    # Answered, the same form registers.
    assert register(client, meeting, {"diet": "Vegan", "nights": "2"}).status_code == 302
    assert active_registration(meeting.id, person.id) is not None


def test_a_role_limited_question_is_asked_only_of_that_role(client, auth, make_user, meeting):
    practitioner = make_user("aino@example.org", participant_role="practitioner")
    mayor = make_user("mayor@example.org", participant_role="mayor")
    auth.login("aino@example.org")
    # A practitioner sending an answer to the mayors' question does not get it stored.
    register(client, meeting, {**GOOD, "hotel": "Near the station"})
    stored = answers_of(active_registration(meeting.id, practitioner.id).id)
    assert meeting.questions["hotel"].id not in stored
    auth.logout()
    auth.login("mayor@example.org")
    assert "Hotel preference" in client.get(f"/events/{meeting.id}").text
    register(client, meeting, {**GOOD, "hotel": "Near the station"})
    stored = answers_of(active_registration(meeting.id, mayor.id).id)
    assert stored[meeting.questions["hotel"].id] == "Near the station"


def test_answers_can_change_until_registration_closes(client, auth, make_user, meeting):
    person = make_user("aino@example.org", participant_role="practitioner")
    closes = meeting.starts_at - timedelta(days=7)
    db.session.add(RegistrationSettings(event_id=meeting.id, closes_at=closes))
    db.session.commit()
    auth.login("aino@example.org")
    register(client, meeting, GOOD)
    registration_id = active_registration(meeting.id, person.id).id
    path = f"/events/{meeting.id}/my-answers"

    assert "Change my answers" in client.get("/my/events").text
    page = client.get(path).text
    assert 'value="Vegetarian" checked' in page

    # A wrong answer while changing: shown again, nothing saved.
    response = post(
        client, path, {q(meeting, "diet"): "Vegan", q(meeting, "nights"): "lots"}, token_page=path
    )
    assert response.status_code == 422
    assert "Enter a number" in response.text
    assert 'value="Vegan" checked' in response.text
    assert answers_of(registration_id)[meeting.questions["diet"].id] == "Vegetarian"

    response = post(
        client,
        path,
        {q(meeting, "diet"): "Vegan", q(meeting, "nights"): "3"},
        token_page=path,
        follow_redirects=True,
    )
    assert "Your answers are saved." in response.text
    stored = answers_of(registration_id)
    assert stored[meeting.questions["diet"].id] == "Vegan"
    assert stored[meeting.questions["nights"].id] == "3"

    # After registration closes the answers stay as they are.
    token_page = path
    clock.advance(closes - clock.now() + timedelta(minutes=1))
    try:
        page = client.get(path).text
        assert "your answers can no longer be changed" in page
        assert f'name="{q(meeting, "diet")}"' not in page
        response = post(client, path, {q(meeting, "diet"): "Vegetarian"}, token_page=token_page)
        assert response.status_code == 422
        assert answers_of(registration_id)[meeting.questions["diet"].id] == "Vegan"
    finally:
        clock.reset()


def test_only_the_registered_person_opens_their_answers(client, auth, make_user, meeting):
    make_user("aino@example.org", participant_role="practitioner")
    make_user("other@example.org", participant_role="practitioner")
    auth.login("aino@example.org")
    register(client, meeting, GOOD)
    auth.logout()
    auth.login("other@example.org")
    assert client.get(f"/events/{meeting.id}/my-answers").status_code == 404
    auth.logout()
    assert client.get(f"/events/{meeting.id}/my-answers").status_code == 302  # to log in
