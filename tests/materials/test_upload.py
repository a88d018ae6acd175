"""Uploads: the type comes from the content, active content is never taken or served,
sizes are limited, and files are kept under random keys in the instance folder."""

import hashlib
from pathlib import Path

import pytest

from nscal.db import db
from nscal.materials.models import Material
from tests.materials.conftest import (
    HTML_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    SVG_BYTES,
    latest_material,
    office_file,
)


def _count() -> int:
    return db.session.query(Material).count()


def test_a_pdf_named_exe_is_served_as_a_pdf(coordinator, viewers, event):
    answer = coordinator.upload(PDF_BYTES, "agenda.exe", title="Agenda")
    assert answer.status_code == 302
    material = latest_material()
    assert material.content_type == "application/pdf"
    served = viewers.visitor.get(f"/events/{event.id}/materials/{material.id}")
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Content-Disposition"] == "attachment; filename=agenda.pdf"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"].startswith("sandbox")
    assert "private" in served.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (HTML_BYTES, "minutes.pdf"),
        (HTML_BYTES, "page.html"),
        (SVG_BYTES, "logo.svg"),
        (SVG_BYTES, "logo.png"),
        (b"<p>Hello</p>", "notes.txt"),
        (b"Plain words, then <script>alert(1)</script>", "notes.txt"),
        (b"\x00\x01binary\x02", "data.bin"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "tool.pdf"),
        (office_file("other/thing.xml"), "archive.docx"),
        (b"PK\x03\x04 not really a zip", "slides.pptx"),
        (b"", "empty.pdf"),
    ],
)
def test_active_or_unknown_content_is_refused_whatever_its_name(coordinator, data, name):
    answer = coordinator.upload(data, name, title="Sneaky")
    assert answer.status_code == 400
    assert 'class="error"' in answer.text
    assert _count() == 0


def test_html_is_refused_with_a_message_for_people(coordinator):
    answer = coordinator.upload(HTML_BYTES, "minutes.pdf")
    assert "Web pages and SVG drawings cannot be shared here" in answer.text


def test_an_image_is_shown_inline_but_still_sandboxed(coordinator, viewers, event):
    coordinator.upload(PNG_BYTES, "group photo.jpeg", kind="photo", title="Group photo")
    material = latest_material()
    served = viewers.visitor.get(f"/events/{event.id}/materials/{material.id}")
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["Content-Disposition"].startswith("inline")
    assert "group photo.png" in served.headers["Content-Disposition"]
    assert served.headers["Content-Security-Policy"].startswith("sandbox")


def test_text_and_csv_are_served_as_text_never_as_a_page(coordinator, viewers, event):
    coordinator.upload("city;people\nMalmö;12\nOslo;9\n".encode(), "count.html", kind="report")
    material = latest_material()
    served = viewers.visitor.get(f"/events/{event.id}/materials/{material.id}")
    assert served.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert served.headers["Content-Disposition"] == "attachment; filename=count.csv"
    coordinator.upload(b"Notes from the breakout room.\n", "notes", kind="other")
    served = viewers.visitor.get(f"/events/{event.id}/materials/{latest_material().id}")
    assert served.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert served.headers["Content-Disposition"] == "attachment; filename=notes.txt"


def test_office_files_are_recognised(coordinator):
    coordinator.upload(office_file("ppt/presentation.xml"), "deck", title="Deck")
    assert latest_material().content_type.endswith("presentationml.presentation")


def test_the_file_is_kept_under_a_random_key_with_its_metadata(app, coordinator, viewers, event):
    coordinator.upload(PDF_BYTES, "../../etc/Minutes 2027.pdf", kind="minutes")
    material = latest_material()
    assert material.original_name == "Minutes 2027.pdf"
    assert material.title == "Minutes 2027"
    assert material.size == len(PDF_BYTES)
    assert material.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    stored = Path(app.instance_path) / "materials" / material.storage_key[:2] / material.storage_key
    assert stored.read_bytes() == PDF_BYTES
    assert "Minutes" not in material.storage_key
    names = [path.name for path in (Path(app.instance_path) / "materials").rglob("*")]
    assert not any("Minutes" in name or name.endswith(".pdf") for name in names)


def test_a_file_over_the_limit_is_refused_with_a_message(app, coordinator):
    app.config["MATERIAL_MAX_BYTES"] = 2000
    answer = coordinator.upload(PDF_BYTES + b" " * 2500, "big.pdf")
    assert answer.status_code == 400
    assert "The file is larger than 2 kB." in answer.text
    assert _count() == 0
    assert coordinator.upload(PDF_BYTES, "small.pdf").status_code == 302


def test_a_request_far_over_the_limit_is_stopped_before_it_is_read(app, coordinator):
    app.config["MATERIAL_MAX_BYTES"] = 2000
    answer = coordinator.upload(PDF_BYTES + b" " * 200_000, "huge.pdf")
    assert answer.status_code == 413
    assert "Upload files of up to 2 kB" in answer.text
    assert _count() == 0


def test_uploads_larger_than_other_requests_are_taken(app, coordinator):
    # The app's usual 1 MiB body limit does not apply to this form: 3 MB is fine.
    big = PDF_BYTES + b"%" + b"x" * 3_000_000
    assert coordinator.upload(big, "scan.pdf").status_code == 302
    assert latest_material().size == len(big)


def test_other_forms_still_refuse_files(viewers, coordinator, event):
    import io

    answer = viewers.coordinator.post(
        f"/manage/events/{event.id}/materials/link",
        data={"csrf_token": coordinator.token(), "link-url": (io.BytesIO(b"x"), "x.txt")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    assert _count() == 0


def test_deleting_asks_first_then_removes_the_file(app, coordinator, viewers, event):
    coordinator.upload(PDF_BYTES, "old.pdf", title="Old slides")
    material = latest_material()
    stored = Path(app.instance_path) / "materials" / material.storage_key[:2] / material.storage_key
    confirm = viewers.coordinator.get(f"/manage/events/{event.id}/materials/{material.id}/delete")
    assert confirm.status_code == 200 and "Delete “Old slides”?" in confirm.text
    assert stored.exists() and _count() == 1  # asking deleted nothing
    answer = viewers.coordinator.post(
        f"/manage/events/{event.id}/materials/{material.id}/delete",
        data={"csrf_token": coordinator.token()},
    )
    assert answer.status_code == 302
    assert _count() == 0 and not stored.exists()
    assert viewers.visitor.get(f"/events/{event.id}/materials/{material.id}").status_code == 404


def test_changing_visibility_hides_a_file_from_those_outside(coordinator, viewers, event):
    coordinator.upload(PDF_BYTES, "slides.pdf", title="Slides")
    material = latest_material()
    url = f"/events/{event.id}/materials/{material.id}"
    assert viewers.member.get(url).status_code == 200
    answer = viewers.coordinator.post(
        f"/manage/events/{event.id}/materials/{material.id}/visibility",
        data={"csrf_token": coordinator.token(), "visibility": "participants"},
    )
    assert answer.status_code == 302
    assert viewers.member.get(url).status_code == 404
    assert viewers.participant.get(url).status_code == 200
    page = viewers.coordinator.get(f"/manage/events/{event.id}/materials").text
    assert '<option selected value="participants">' in page


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.org/x", "example.org", "https://", "https://a b"]
)
def test_a_link_must_be_a_web_address(coordinator, url):
    answer = coordinator.add_link(url, title="Bad")
    assert answer.status_code == 400
    assert _count() == 0


def test_the_event_edit_page_links_to_its_materials(viewers, event):
    page = viewers.coordinator.get(f"/manage/events/{event.id}/edit").text
    assert f'href="/manage/events/{event.id}/materials"' in page
