"""A coordinator's plain text as the HTML part of a mail."""

import re

from markupsafe import Markup, escape

_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def message_html(text: str) -> Markup:
    """The coordinator's plain text as HTML: paragraphs kept, line breaks kept, links
    clickable; everything else escaped."""
    paragraphs = [part for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return Markup("").join(
        Markup('<p style="margin:0 0 16px;">{}</p>\n').format(
            Markup("<br>\n").join(_linked(line) for line in paragraph.split("\n"))
        )
        for paragraph in paragraphs
    )


def _linked(line: str) -> Markup:
    pieces, position = [], 0
    for match in _URL.finditer(line):
        url = match.group(0)
        trimmed = url.rstrip(_TRAILING)
        pieces.append(escape(line[position : match.start()]))
        pieces.append(Markup('<a href="{0}" style="color:#0b57a4;">{0}</a>').format(trimmed))
        pieces.append(escape(url[len(trimmed) :]))
        position = match.end()
    pieces.append(escape(line[position:]))
    return Markup("").join(pieces)
