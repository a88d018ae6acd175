"""The type of a file is read from its bytes alone."""

import io

import pytest
from openpyxl import Workbook

from nscal.filetypes import UnsupportedFile, detect_type
from tests.materials.conftest import (
    HTML_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    SVG_BYTES,
    odf_file,
    office_file,
)


def _real_workbook() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "Attendees"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (PDF_BYTES, "application/pdf"),
        (PNG_BYTES, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b"GIF89a\x01\x00\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (_real_workbook(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            office_file("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            odf_file("application/vnd.oasis.opendocument.text"),
            "application/vnd.oasis.opendocument.text",
        ),
        (
            odf_file("application/vnd.oasis.opendocument.presentation"),
            "application/vnd.oasis.opendocument.presentation",
        ),
        ("Pöytäkirja: kokous\nRad två\n".encode(), "text/plain; charset=utf-8"),
        (b"\xef\xbb\xbfname,city\nAino,Helsinki\nMats,Malm\xc3\xb6\n", "text/csv; charset=utf-8"),
        (b"a 3 < 4 comparison\n", "text/plain; charset=utf-8"),
    ],
)
def test_known_kinds_are_recognised(data, content_type):
    assert detect_type(data).content_type == content_type


@pytest.mark.parametrize(
    "data",
    [
        HTML_BYTES,
        SVG_BYTES,
        b"  \n<html><body>hi</body></html>",
        b"\xef\xbb\xbf<svg onload=alert(1)>",
        b"Dear all,\n<SCRIPT>fetch('/account')</SCRIPT>",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old Word",  # not on the list
        odf_file("application/x-unknown"),
        b"\xff\xfe\x00\x00",  # not UTF-8
        b"",
    ],
)
def test_markup_and_unknown_kinds_are_refused(data):
    with pytest.raises(UnsupportedFile):
        detect_type(data)


def test_a_message_attachment_takes_fewer_kinds_with_the_same_detector():
    from nscal.messaging.attachments import AttachmentError, file_type_of

    gif = b"GIF89a\x01\x00\x01\x00" + bytes(32)
    assert detect_type(gif).content_type == "image/gif"  # a material may be a GIF
    with pytest.raises(AttachmentError, match="cannot be attached"):
        file_type_of(gif)
    # A web page called agenda.txt is no more plain text in a mail than on a page.
    with pytest.raises(AttachmentError, match="Web pages and SVG drawings"):
        file_type_of(HTML_BYTES)
    assert file_type_of(PDF_BYTES).mime_type == "application/pdf"
    assert file_type_of(b"Hei!\n").mime_type == "text/plain"
