"""Who a message goes to: by registration status, participant role and city."""

import pytest

from nscal.cities.models import City, ParticipantRole
from nscal.messaging.services import Selection, count_text, find_recipients
from nscal.registrations.models import RegistrationStatus as S
from tests.messaging.conftest import one


def names(selection, meeting):
    return [person.user.name for person in find_recipients(selection, event_id=meeting.id)]


def test_by_default_only_the_confirmed_get_it(meeting, people):
    assert names(Selection(), meeting) == ["Aino Virtanen", "Björn Larsson"]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((S.waitlisted,), ["Kari Nordmann"]),
        ((S.pending,), ["Nivi Olsen"]),
        ((S.confirmed, S.waitlisted), ["Aino Virtanen", "Björn Larsson", "Kari Nordmann"]),
        (
            (S.confirmed, S.waitlisted, S.pending),
            ["Aino Virtanen", "Björn Larsson", "Kari Nordmann", "Nivi Olsen"],
        ),
    ],
)
def test_by_status_and_never_the_cancelled(meeting, people, statuses, expected):
    assert names(Selection(statuses=statuses), meeting) == expected


def test_by_participant_role(meeting, people):
    practitioner = one(ParticipantRole, "practitioner").id
    every_status = (S.confirmed, S.waitlisted, S.pending)
    selection = Selection(statuses=every_status, role_ids=(practitioner,))
    assert names(selection, meeting) == ["Aino Virtanen", "Kari Nordmann"]


def test_by_city(meeting, people):
    cities = (one(City, "malmo").id, one(City, "nuuk").id)
    selection = Selection(statuses=(S.confirmed, S.pending), city_ids=cities)
    assert names(selection, meeting) == ["Björn Larsson", "Nivi Olsen"]


def test_role_and_city_together(meeting, people):
    selection = Selection(
        statuses=(S.confirmed, S.waitlisted),
        role_ids=(one(ParticipantRole, "practitioner").id,),
        city_ids=(one(City, "oslo").id,),
    )
    assert names(selection, meeting) == ["Kari Nordmann"]


def test_the_count_says_how_many_in_each_status(meeting, people):
    people_found = find_recipients(
        Selection(statuses=(S.confirmed, S.waitlisted)), event_id=meeting.id
    )
    assert count_text(people_found) == "This goes to 3 people: 2 confirmed, 1 on the waiting list."
    assert count_text([]) == "Nobody matches this selection."


def test_deactivated_accounts_get_nothing(meeting, people):
    from nscal.db import db

    people["aino"].active = False
    db.session.commit()
    assert names(Selection(), meeting) == ["Björn Larsson"]


def test_the_selection_in_words(meeting, people):
    selection = Selection(statuses=(S.confirmed, S.waitlisted), city_ids=(one(City, "oslo").id,))
    assert selection.describe() == "Confirmed, on the waiting list · every participant role · Oslo"
