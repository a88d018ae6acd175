"""A deleted draft's materials lose their stored bytes too, once the deletion is
committed (the database deletes their rows by itself)."""

from pathlib import Path

import sqlalchemy as sa

from nscal.db import db
from nscal.events.models import EventStatus
from nscal.events.services import delete_draft
from nscal.materials.models import Material
from tests.conftest import csrf_token_from
from tests.materials.conftest import PDF_BYTES, Coordinator, latest_material


def stored_files(app) -> list[Path]:
    return [path for path in (Path(app.instance_path) / "materials").rglob("*") if path.is_file()]


def test_deleting_a_draft_removes_its_files_from_the_storage(app, viewers, make_event, event):
    draft = make_event("Draft workshop", status=EventStatus.draft)
    for target in (draft, event):
        response = Coordinator(viewers.coordinator, target).upload(PDF_BYTES, "agenda.pdf")
        assert response.status_code == 302
    kept_key = latest_material().storage_key
    assert len(stored_files(app)) == 2
    page = viewers.coordinator.get(f"/manage/events/{draft.id}/edit")
    response = viewers.coordinator.post(
        f"/manage/events/{draft.id}/delete", data={"csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 302
    assert [path.name for path in stored_files(app)] == [kept_key]  # the other event's stays
    assert db.session.scalar(sa.select(sa.func.count(Material.id))) == 1


def test_a_rolled_back_deletion_keeps_the_files(app, viewers, make_event):
    draft = make_event("Draft workshop", status=EventStatus.draft)
    Coordinator(viewers.coordinator, draft).upload(PDF_BYTES, "agenda.pdf")
    delete_draft(db.session.get(type(draft), draft.id))
    db.session.rollback()
    db.session.commit()
    assert len(stored_files(app)) == 1
