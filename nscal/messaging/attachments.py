"""Attachments of participant messages: what a file is (read from its first bytes, not
its name), and the file kept once however many mails carry it.

Each outbox mail holds a short reference part in place of the file (a base64 body that
decodes to ``nscal-stored-attachment:<key>``); ``put_back_attachments`` swaps the file
in just before the mail worker sends it. A 10 MB agenda sent to 300 people is stored
once, not 300 times.
"""

import base64
import io
import re
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import sqlalchemy as sa
from sqlalchemy.orm import Session

from nscal.inputs import single_line
from nscal.messaging.models import ParticipantMessage

MARKER_PREFIX = b"nscal-stored-attachment:"  # 24 bytes: its base64 ends on a boundary
_ENCODED_PREFIX = base64.b64encode(MARKER_PREFIX)
_REFERENCE = re.compile(re.escape(_ENCODED_PREFIX) + rb"([A-Za-z0-9+/]{32})")
KEY_LENGTH = 24  # hex digits: a 48-byte marker, one 64-character base64 line


class AttachmentError(ValueError):
    """The file cannot be sent; the message says why, for the person who chose it."""


@dataclass(frozen=True)
class FileType:
    content_type: str
    extensions: tuple[str, ...]  # the first is the one a name gets when it has none of them
    label: str


PDF = FileType("application/pdf", (".pdf",), "PDF")
PNG = FileType("image/png", (".png",), "PNG image")
JPEG = FileType("image/jpeg", (".jpg", ".jpeg"), "JPEG image")
TEXT = FileType("text/plain", (".txt", ".text", ".md", ".csv"), "plain text")
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
    "Word document",
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
    "Excel workbook",
)
PPTX = FileType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
    "PowerPoint presentation",
)
ODF_EXTENSIONS = {
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
    "application/vnd.oasis.opendocument.graphics": ".odg",
}
OOXML_FOLDERS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
ALLOWED_TEXT = "PDF, PNG, JPEG, Word, Excel, PowerPoint, OpenDocument or plain text"


def file_type_of(data: bytes) -> FileType:
    """What ``data`` is, from its content; ``AttachmentError`` for anything not allowed."""
    if not data:
        raise AttachmentError("The file is empty.")
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _zip_document(data)
    if _is_plain_text(data):
        return TEXT
    raise AttachmentError(f"This kind of file cannot be attached. Attach a {ALLOWED_TEXT} file.")


def _zip_document(data: bytes) -> FileType:
    refusal = AttachmentError(
        "This ZIP file is not an office document. Attach a Word, Excel, PowerPoint or "
        "OpenDocument file, or a PDF."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if names and names[0] == "mimetype":
                kind = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if kind in ODF_EXTENSIONS:
                    return FileType(kind, (ODF_EXTENSIONS[kind],), "OpenDocument file")
                raise refusal
            if "[Content_Types].xml" in names:
                for folder, file_type in OOXML_FOLDERS.items():
                    if any(name.startswith(folder) for name in names):
                        return file_type
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
        raise refusal from None
    raise refusal


def _is_plain_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return all(char.isprintable() or char in "\t\r\n\f" for char in text)


def attachment_name(filename: str | None, file_type: FileType) -> str:
    """A safe name to send the file under: no folders, no control characters, and an
    extension that says what the content is."""
    raw = (filename or "").replace("\\", "/")
    name = single_line(PurePosixPath(raw).name).strip(" .")[:150] or "attachment"
    stem, dot, extension = name.rpartition(".")
    if dot and f".{extension.lower()}" in file_type.extensions:
        return name
    return f"{name}{file_type.extensions[0]}"


def new_key() -> str:
    return secrets.token_hex(KEY_LENGTH // 2)


def reference(key: str) -> bytes:
    """The stand-in body a mail carries in place of the file with ``key``."""
    return MARKER_PREFIX + key.encode("ascii")


def put_back_attachments(session: Session, raw: bytes) -> bytes:
    """``raw`` with every stored-attachment reference replaced by the file itself."""
    if _ENCODED_PREFIX not in raw:
        return raw
    linesep = b"\r\n" if b"\r\n" in raw else b"\n"

    def file_for(match: re.Match) -> bytes:
        key = base64.b64decode(match.group(1)).decode("ascii")
        data = _cached.get(key)
        if data is None:
            data = session.execute(
                sa.select(ParticipantMessage.attachment_data).where(
                    ParticipantMessage.attachment_key == key
                )
            ).scalar_one()
            _cached.clear()  # one file at a time: a batch usually carries the same one
            _cached[key] = data
        return base64.encodebytes(data).rstrip(b"\n").replace(b"\n", linesep)

    return _REFERENCE.sub(file_for, raw)


_cached: dict[str, bytes] = {}
