"""Each material is seen by exactly its circle: on the event page, at its download
address, and nowhere else. A hidden material answers like an unknown one."""

import re

import pytest

from nscal.events.models import Visibility
from tests.materials.conftest import PDF_BYTES, latest_material

VIEWERS = ("visitor", "member", "participant", "coordinator")
# Who sees a material of each visibility.
SEES = {
    "public": {"visitor", "member", "participant", "coordinator"},
    "members": {"member", "participant", "coordinator"},
    "participants": {"participant", "coordinator"},
    "coordinators": {"coordinator"},
}


@pytest.mark.parametrize("visibility", list(SEES))
@pytest.mark.parametrize("who", VIEWERS)
def test_a_file_is_listed_and_downloadable_only_for_its_circle(
    viewers, coordinator, event, visibility, who
):
    title = f"Slides for the {visibility}"
    answer = coordinator.upload(PDF_BYTES, "slides.pdf", title=title, visibility=visibility)
    assert answer.status_code == 302, answer.text
    material = latest_material()
    url = f"/events/{event.id}/materials/{material.id}"

    page = viewers[who].get(f"/events/{event.id}")
    download = viewers[who].get(url)
    if who in SEES[visibility]:
        assert title in page.text and f'href="{url}"' in page.text
        assert download.status_code == 200
        assert download.data == PDF_BYTES
    else:
        assert title not in page.text and url not in page.text
        missing = material.id + 1000
        unknown = viewers[who].get(f"/events/{event.id}/materials/{missing}")
        assert download.status_code == unknown.status_code == 404
        # Nothing tells hidden from missing (but the address in the login link).
        # The forms' CSRF tokens carry the second they were made in: not a difference.
        token = re.compile(r'name="csrf_token"[^>]*value="[^"]*"')
        assert token.sub("", download.text) == token.sub(
            "", unknown.text.replace(f"/{missing}", f"/{material.id}")
        )


@pytest.mark.parametrize("visibility", list(SEES))
@pytest.mark.parametrize("who", VIEWERS)
def test_a_link_is_followed_only_by_its_circle(viewers, coordinator, event, visibility, who):
    answer = coordinator.add_link(
        "https://video.example.org/recording-42", title="Recording", visibility=visibility
    )
    assert answer.status_code == 302, answer.text
    url = f"/events/{event.id}/materials/{latest_material().id}"
    page = viewers[who].get(f"/events/{event.id}")
    followed = viewers[who].get(url)
    if who in SEES[visibility]:
        assert "Recording" in page.text
        assert followed.status_code == 302
        assert followed.headers["Location"] == "https://video.example.org/recording-42"
    else:
        assert "Recording" not in page.text
        assert followed.status_code == 404
    # The address itself is never on a page: only our checked link is.
    assert "recording-42" not in page.text


def test_waitlisted_and_cancelled_people_are_members_not_participants(
    app, people, coordinator, event
):
    from tests.materials.conftest import logged_in

    coordinator.upload(
        PDF_BYTES, "notes.pdf", title="Participants' notes", visibility="participants"
    )
    url = f"/events/{event.id}/materials/{latest_material().id}"
    for email in ("waiting@example.org", "cancelled@example.org"):
        client = logged_in(app, email)
        assert client.get(url).status_code == 404
        assert "Participants&#39; notes" not in client.get(f"/events/{event.id}").text


def test_a_public_material_of_a_members_only_event_is_not_for_visitors(viewers, coordinator, event):
    coordinator.upload(PDF_BYTES, "open.pdf", title="Open slides", visibility="public")
    url = f"/events/{event.id}/materials/{latest_material().id}"
    assert viewers.visitor.get(url).status_code == 200
    event.visibility = Visibility.members
    from nscal.db import db

    db.session.commit()
    assert viewers.visitor.get(url).status_code == 404
    assert viewers.member.get(url).status_code == 200


def test_a_material_is_only_found_under_its_own_event(viewers, coordinator, event, make_event):
    coordinator.upload(PDF_BYTES, "open.pdf", title="Open slides", visibility="public")
    material = latest_material()
    other = make_event("Another meeting")
    assert viewers.coordinator.get(f"/events/{other.id}/materials/{material.id}").status_code == 404


def test_the_not_found_page_offers_visitors_a_login(viewers, coordinator, event):
    coordinator.upload(PDF_BYTES, "notes.pdf", title="Notes", visibility="participants")
    url = f"/events/{event.id}/materials/{latest_material().id}"
    answer = viewers.visitor.get(url)
    assert answer.status_code == 404
    assert f'href="/auth/login?next=/events/{event.id}/materials/' in answer.text


def test_only_coordinators_reach_the_materials_page(viewers, event):
    page = f"/manage/events/{event.id}/materials"
    assert viewers.visitor.get(page).status_code == 302  # to log in
    assert viewers.member.get(page).status_code == 403
    assert viewers.participant.get(page).status_code == 403
    assert viewers.coordinator.get(page).status_code == 200
