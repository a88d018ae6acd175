"""Attachments of participant messages: which kinds of file a message may carry (read
from their content by ``nscal.filetypes``, never from the name), and the file kept
once however many mails carry it.

Each outbox mail holds a short reference part in place of the file (a base64 body that
decodes to ``nscal-stored-attachment:<key>``); ``put_back_attachments`` swaps the file
in just before the mail worker sends it. A 10 MB agenda sent to 300 people is stored
once, not 300 times.
"""

import base64
import re
import secrets
from pathlib import PurePosixPath

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from nscal.filetypes import (
    CSV,
    JPEG,
    OFFICE_TYPES,
    PDF,
    PNG,
    TEXT,
    FileType,
    UnsupportedFile,
    detect_type,
)
from nscal.inputs import single_line
from nscal.messaging.models import ParticipantMessage

MARKER_PREFIX = b"nscal-stored-attachment:"  # 24 bytes: its base64 ends on a boundary
_ENCODED_PREFIX = base64.b64encode(MARKER_PREFIX)
_REFERENCE = re.compile(re.escape(_ENCODED_PREFIX) + rb"([A-Za-z0-9+/]{32})")
KEY_LENGTH = 24  # hex digits: a 48-byte marker, one 64-character base64 line


class AttachmentError(ValueError):
    """The file cannot be sent; the message says why, for the person who chose it."""


# What a message may carry: documents and pictures people open from a mail.
MESSAGE_TYPES = frozenset({PDF, PNG, JPEG, TEXT, CSV} | OFFICE_TYPES)
# Translators: the kinds of file a message may carry ("Attach a %(kinds)s file.").
ALLOWED_TEXT = _l("PDF, PNG, JPEG, Word, Excel, PowerPoint, OpenDocument or plain text")


def file_type_of(data: bytes) -> FileType:
    """What ``data`` is, from its content (``nscal.filetypes``); ``AttachmentError`` for
    anything a message may not carry."""
    try:
        return detect_type(
            data,
            allowed=MESSAGE_TYPES,
            # Translators: completes "Upload …": "Upload a PDF, PNG, … or plain text file."
            allowed_text=_("a %(kinds)s file", kinds=str(ALLOWED_TEXT)),
        )
    except UnsupportedFile as exc:
        if exc.reason == "kind":
            raise AttachmentError(
                _(
                    "This kind of file cannot be attached. Attach a %(kinds)s file.",
                    kinds=str(ALLOWED_TEXT),
                )
            ) from None
        raise AttachmentError(str(exc)) from None


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
