"""Materials of a programme item (issue 15.2): chosen on the materials page, shown under
the item in the programme to those who may see them, and still the event's."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from nscal.db import db
from nscal.materials.models import Material
from nscal.programme.models import ItemKind, ProgrammeItem
from tests.materials.conftest import PDF_BYTES, latest_material


def item(event, title: str, hours: int = 0) -> ProgrammeItem:
    programme_item = ProgrammeItem(
        event_id=event.id,
        kind=ItemKind.talk,
        title=title,
        starts_at=event.starts_at + timedelta(minutes=30 * hours),
        ends_at=event.starts_at + timedelta(minutes=30 * hours + 30),
    )
    db.session.add(programme_item)
    db.session.commit()
    return programme_item


@pytest.fixture
def talks(event):
    return item(event, "Opening"), item(event, "Youth work", 1)


def test_the_page_offers_the_items_and_the_upload_keeps_the_choice(coordinator, event, talks):
    opening, youth = talks
    page = coordinator.client.get(coordinator.page).text
    assert '<option selected value="">The whole event</option>' in page
    assert f'<option value="{youth.id}">' in page and "· Youth work</option>" in page
    response = coordinator.upload(PDF_BYTES, "slides.pdf", title="Youth slides", item=youth.id)
    assert response.status_code == 302, response.text
    assert latest_material().programme_item_id == youth.id
    response = coordinator.add_link("https://video.example.org/1", title="Recording")
    assert response.status_code == 302
    assert latest_material().programme_item_id is None
    page = coordinator.client.get(coordinator.page).text
    assert "· Youth work</small>" in page  # the list says which item


def test_an_item_of_another_event_or_none_at_all_is_refused(coordinator, make_event, talks):
    other = make_event("Another meeting")
    stranger = item(other, "Elsewhere")
    response = coordinator.add_link("https://x.example.org", item=stranger.id)
    assert response.status_code == 400
    assert "Not a valid choice" in response.text
    response = coordinator.add_link("https://x.example.org", item="not-a-number")
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Material.id))) == 0


def test_the_programme_shows_an_items_materials_to_those_who_may_see_them(
    coordinator, viewers, event, talks
):
    opening, youth = talks
    coordinator.add_link("https://o.example.org", title="Opening notes", item=opening.id)
    coordinator.add_link(
        "https://y.example.org", title="Youth slides", item=youth.id, visibility="participants"
    )
    page = viewers.visitor.get(f"/events/{event.id}").text
    assert 'aria-label="Materials of Opening"' in page and "Opening notes" in page
    assert "Youth slides" not in page
    page = viewers.participant.get(f"/events/{event.id}").text
    assert 'aria-label="Materials of Youth work"' in page and "Youth slides" in page
    youth_id = db.session.execute(
        sa.select(Material.id).where(Material.title == "Youth slides")
    ).scalar_one()
    assert f"/events/{event.id}/materials/{youth_id}" in page


def test_deleting_the_item_keeps_the_material_with_the_event(coordinator, viewers, event, talks):
    opening, _ = talks
    coordinator.add_link("https://o.example.org", title="Opening notes", item=opening.id)
    material_id = latest_material().id
    db.session.delete(db.session.get(ProgrammeItem, opening.id))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Material, material_id).programme_item_id is None
    assert "Opening notes" in viewers.visitor.get(f"/events/{event.id}").text
