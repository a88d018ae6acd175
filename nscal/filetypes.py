"""What an uploaded file is, read from its bytes: never from its name or the browser's word.

One detector for every room that takes files (materials of an event, attachments of
messages to participants). Only kinds people share around a meeting are known: PDF,
PNG, JPEG, GIF, WebP, Office Open XML and OpenDocument files, plain text and CSV.
Anything else — HTML and SVG above all, which a browser or a mail program would run —
is refused, whatever it is called. A room may take fewer kinds (``detect_type``'s
``allowed``), and says so with its own words (``allowed_text``).
"""

import csv
import io
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


class UnsupportedFile(ValueError):
    """The content is not one of the kinds nscal keeps; the message says so for people.
    ``reason``: "empty", "kind" (not a kind taken here), "zip", "encoding" or "markup"."""

    def __init__(self, message: str, reason: str = "kind"):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class FileType:
    content_type: str  # as served, with its charset for text
    extensions: tuple[str, ...]  # with the dot; the first is the one a name gets
    label: str  # a lazy string: in the reader's language where it is shown

    @property
    def extension(self) -> str:
        """The extension a file of this kind is saved under."""
        return self.extensions[0]

    @property
    def mime_type(self) -> str:
        """The content type without parameters (``text/plain``): a mail part's type."""
        return self.content_type.partition(";")[0].strip()

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


PDF = FileType("application/pdf", (".pdf",), "PDF")
PNG = FileType("image/png", (".png",), _l("PNG image"))
JPEG = FileType("image/jpeg", (".jpg", ".jpeg"), _l("JPEG image"))
GIF = FileType("image/gif", (".gif",), _l("GIF image"))
WEBP = FileType("image/webp", (".webp",), _l("WebP image"))
TEXT = FileType("text/plain; charset=utf-8", (".txt", ".text", ".md", ".csv"), _l("Text"))
CSV = FileType("text/csv; charset=utf-8", (".csv", ".txt"), "CSV")
_OOXML = "application/vnd.openxmlformats-officedocument."
DOCX = FileType(_OOXML + "wordprocessingml.document", (".docx",), _l("Word document"))
XLSX = FileType(_OOXML + "spreadsheetml.sheet", (".xlsx",), _l("Excel workbook"))
PPTX = FileType(_OOXML + "presentationml.presentation", (".pptx",), _l("PowerPoint presentation"))
_ODF = "application/vnd.oasis.opendocument."
ODF_TYPES = {
    _ODF + "text": FileType(_ODF + "text", (".odt",), _l("OpenDocument text")),
    _ODF + "spreadsheet": FileType(_ODF + "spreadsheet", (".ods",), _l("OpenDocument spreadsheet")),
    _ODF + "presentation": FileType(
        _ODF + "presentation", (".odp",), _l("OpenDocument presentation")
    ),
    _ODF + "graphics": FileType(_ODF + "graphics", (".odg",), _l("OpenDocument drawing")),
}
# The Office Open XML part that says which application a package belongs to.
OOXML_MAIN_PARTS = {
    "word/document.xml": DOCX,
    "xl/workbook.xml": XLSX,
    "ppt/presentation.xml": PPTX,
}

# Translators: completes "Upload …" in the refusals of a file.
ALLOWED_TEXT = _l(
    "PDF, PNG, JPEG, GIF or WebP images, Word, Excel or PowerPoint files (.docx, .xlsx, "
    ".pptx), OpenDocument files (.odt, .ods, .odp, .odg), plain text or CSV"
)
# Markup a browser would render as a page or a drawing with scripts, if it ever got the
# chance: refused even as text (a name ending in .txt changes nothing).
MARKUP_SIGNS = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<svg",
    b"<iframe",
    b"<?xml",
    b"<object",
    b"<embed",
    b"<meta",
    b"<a ",
    b"<img",
    b"<style",
    b"<div",
)
TEXT_SAMPLE = 64 * 1024
# Control characters plain text never has (tab, line feed, form feed and CR are fine).
_CONTROL = bytes(range(0, 9)) + b"\x0b" + bytes(range(14, 32)) + b"\x7f"


def detect_type(
    data: bytes,
    *,
    allowed: frozenset[FileType] | None = None,
    allowed_text: str | None = None,
) -> FileType:
    """The kind of ``data``; ``UnsupportedFile`` for anything nscal does not know, or
    not among ``allowed`` (every known kind when None); ``allowed_text`` names what is
    taken in the refusals ("Upload …"; by default every known kind)."""
    allowed_text = str(ALLOWED_TEXT) if allowed_text is None else str(allowed_text)
    file_type = _detect(data, allowed_text)
    if allowed is not None and file_type not in allowed:
        raise _refused(allowed_text)
    return file_type


def _detect(data: bytes, allowed_text: str) -> FileType:
    if not data:
        raise UnsupportedFile(_("The file is empty."), "empty")
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        return _office_package(data, allowed_text)
    return _text(data, allowed_text)


def _refused(allowed_text: str) -> UnsupportedFile:
    return UnsupportedFile(
        _("This kind of file cannot be shared here. Upload %(allowed)s.", allowed=allowed_text)
    )


def _office_package(data: bytes, allowed_text: str) -> FileType:
    """A zip is taken only as an OpenDocument or Office Open XML file, never as a zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            if "mimetype" in names:
                declared = package.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared in ODF_TYPES and "content.xml" in names:
                    return ODF_TYPES[declared]
            if "[Content_Types].xml" in names:
                for part, file_type in OOXML_MAIN_PARTS.items():
                    if part in names:
                        return file_type
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError):
        raise UnsupportedFile(
            _(
                "The file looks like a zip archive but cannot be read. Upload %(allowed)s.",
                allowed=allowed_text,
            ),
            "zip",
        ) from None
    raise _refused(allowed_text)


def _text(data: bytes, allowed_text: str) -> FileType:
    sample = data[:TEXT_SAMPLE]
    if any(byte in _CONTROL for byte in sample):
        raise _refused(allowed_text)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnsupportedFile(
            _(
                "The file is not UTF-8 text nor a kind nscal knows. Upload %(allowed)s.",
                allowed=allowed_text,
            ),
            "encoding",
        ) from None
    lowered = sample.lower()
    if lowered.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or any(
        sign in lowered for sign in MARKUP_SIGNS
    ):
        raise UnsupportedFile(
            _("Web pages and SVG drawings cannot be shared here: save the page as PDF instead."),
            "markup",
        )
    return CSV if _looks_like_csv(text[:TEXT_SAMPLE]) else TEXT


def _looks_like_csv(text: str) -> bool:
    """Two or more rows with the same number (more than one) of fields."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if len(lines) < 2:
        return False
    for delimiter in (",", ";", "\t"):
        try:
            counts = {len(row) for row in csv.reader(lines, delimiter=delimiter)}
        except csv.Error:
            continue
        if len(counts) == 1 and counts.pop() > 1:
            return True
    return False


ALL_TYPES = (PDF, PNG, JPEG, GIF, WEBP, TEXT, CSV, DOCX, XLSX, PPTX, *ODF_TYPES.values())
OFFICE_TYPES = frozenset({DOCX, XLSX, PPTX, *ODF_TYPES.values()})
_BY_CONTENT_TYPE = {file_type.content_type: file_type for file_type in ALL_TYPES}


def type_of(content_type: str) -> FileType | None:
    """The kind a stored content type names (None for one nscal never detects)."""
    return _BY_CONTENT_TYPE.get(content_type)
