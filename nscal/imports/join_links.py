"""Join links found in an imported description or location move to the online link.

Outlook, Zoom and Google Calendar write the meeting's join link, with lines of
boilerplate around it (Teams' "Microsoft Teams meeting … Click here to join the
meeting … Meeting ID … Passcode", Zoom's "Join Zoom Meeting … Meeting ID …",
Meet's "Join with Google Meet …"), into the DESCRIPTION. In nscal the description is
public and the online link is shown only to confirmed participants and coordinators,
so the import takes the link out of the description and the venue, keeps it as the
online link, and says so in the preview.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask_babel import gettext as _

from nscal.events.privacy import HIDDEN_LINK

URL_IN_TEXT = re.compile(r"<?(https?://[^\s<>\"'\]]+)>?", re.IGNORECASE)

# (host, path prefix): a host matches itself and its subdomains (us02web.zoom.us).
JOIN_LINK_PATTERNS = (
    ("teams.microsoft.com", "/l/meetup-join"),
    ("teams.microsoft.com", "/meet/"),
    ("teams.live.com", "/meet"),
    ("zoom.us", "/j/"),
    ("zoom.us", "/w/"),
    ("zoom.us", "/my/"),
    ("meet.google.com", "/"),
    ("webex.com", "/"),
    ("whereby.com", "/"),
)

# What replaces a removed block, so readers know there is a way in.
# Written into the stored description, so in English like the rest of the file's text.
PLACEHOLDER_LINE = "Join online: the link is shown to confirmed participants."
# The note in English; ``moved_note()`` in the reader's language.
MOVED_NOTE = "Join link moved to the online link; removed from the description."


def moved_note() -> str:
    return _("Join link moved to the online link; removed from the description.")


_RULE = re.compile(r"^\s*_{20,}\s*$")
_GOOGLE_RULE = re.compile(r"^\s*-::~[:~]+::-\s*$")
_ZOOM_HEADER = re.compile(r"^\s*join\s+zoom\s+meeting\s*$", re.IGNORECASE)
_ZOOM_INTRO = re.compile(r"^.*\binviting\s+you\s+to\s+a\s+scheduled\s+zoom\s+meeting", re.I)
# The lines meeting invitations put around a join link; only removed next to one.
_BOILERPLATE = re.compile(
    r"""^\s*([•·*]\s*)?(
        meeting\s+id\b.*
      | (passcode|password|pin)\b.*
      | one\s+tap\s+mobile.*
      | dial\s+(in\s+)?by\b.*
      | join\s+by\s+(phone|sip|h\.323|skype|video\s+system|web).*
      | join\s+(with\s+google\s+meet|the\s+meeting\s+now|on\s+your\s+computer).*
      | find\s+your\s+local\s+number.*
      | more\s+phone\s+numbers.*
      | learn\s+more\s+about\s+meet.*
      | click\s+here\s+to\s+join.*
      | microsoft\s+teams(\s+meeting)?(\s+need\s+help\?.*)?
      | need\s+help\?.*
      | (for\s+organizers:\s*)?meeting\s+options.*
      | or\s+call\s+in.*
      | \(?[A-Z]{2}\)?\s*\+\d[\d\s\-()]*.*
      | \+?\d[\d\s,#*().\-]{6,}.*
      | -{3,}
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


@dataclass
class JoinLinkSplit:
    """An imported event's description, venue and online link once the join link moved."""

    description: str
    venue: str
    online_url: str
    notes: list[str] = field(default_factory=list)

    @property
    def moved(self) -> bool:
        return bool(self.notes)


def is_join_link(url: str) -> bool:
    """Whether ``url`` is a Teams, Zoom, Meet, Webex or Whereby meeting link."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        return False
    host = (parts.hostname or "").lower()
    path = parts.path or "/"
    return any(
        (host == known or host.endswith("." + known)) and path.lower().startswith(prefix)
        for known, prefix in JOIN_LINK_PATTERNS
    )


def join_links_in(text: str) -> list[str]:
    """The meeting links written in ``text``, in order."""
    found = []
    for match in URL_IN_TEXT.finditer(text):
        url = match.group(1).rstrip(".,;)>")
        if is_join_link(url) and url not in found:
            found.append(url)
    return found


def separate_join_link(description: str, venue: str, online_url: str) -> JoinLinkSplit:
    """Take every join link (and ``online_url``) out of ``description`` and ``venue``.

    The first join link found becomes the online link when there is none yet.
    """
    links = join_links_in(description) + join_links_in(venue)
    notes = []
    if not online_url and links:
        online_url = links[0]
    private = set(links) | ({online_url} if online_url else set())
    if not private:
        return JoinLinkSplit(description, venue, online_url)
    new_description = strip_links(description, private)
    new_venue = _strip_venue(venue, private)
    if new_description != description or new_venue != venue:
        notes.append(moved_note())
    others = [link for link in links if link != online_url]
    if others:
        hosts = ", ".join(sorted({urlsplit(link).hostname or "" for link in others}))
        notes.append(
            _(
                "Another join link (%(hosts)s) was removed too; the online link is %(url)s.",
                hosts=hosts,
                url=online_url,
            )
        )
    return JoinLinkSplit(new_description, new_venue, online_url, notes)


def _has_private(line: str, private: set[str]) -> bool:
    return any(url in line for url in private)


def strip_links(text: str, private: set[str]) -> str:
    """``text`` without the ``private`` links and the invitation boilerplate around them."""
    lines = text.replace("\r\n", "\n").split("\n")
    removed = [False] * len(lines)
    _drop_delimited(lines, removed, _RULE, private, "microsoft teams")
    _drop_delimited(lines, removed, _GOOGLE_RULE, private, "google meet")
    for index, line in enumerate(lines):
        if removed[index]:
            continue
        anchor = _ZOOM_HEADER.match(line)
        if _ZOOM_INTRO.match(line):
            removed[index] = True
            continue
        if not anchor and _has_private(line, private):
            rest = line
            for url in private:
                rest = re.sub(rf"<?{re.escape(url)}>?", "", rest)
            if _is_label(rest):
                anchor = True
            else:
                lines[index] = _replace_inline(line, private)
        if anchor:
            removed[index] = True
            _drop_boilerplate_after(lines, removed, index, private)
    kept: list[str] = []
    placed = False
    for index, line in enumerate(lines):
        if removed[index]:
            if not placed:
                kept.append(PLACEHOLDER_LINE)
                placed = True
            continue
        kept.append(line)
    result = "\n".join(kept)
    return text if result == text.replace("\r\n", "\n") else _tidy(result)


def _drop_delimited(lines, removed, rule: re.Pattern, private: set[str], brand: str) -> None:
    """The invitation between its rule lines (or from a rule to the end), when it holds a
    join link or names its service. Teams draws more rules inside, hence first to last."""
    rules = [index for index, line in enumerate(lines) if rule.match(line)]
    if not rules:
        return
    start = rules[0]
    end = rules[-1] if len(rules) > 1 else len(lines) - 1
    block = "\n".join(lines[start : end + 1])
    if _has_private(block, private) or brand in block.lower():
        for index in range(start, end + 1):
            removed[index] = True


def _drop_boilerplate_after(lines, removed, index: int, private: set[str]) -> None:
    for following in range(index + 1, len(lines)):
        line = lines[following]
        if not line.strip():
            continue
        if _BOILERPLATE.match(line) or _is_join_line(line, private):
            removed[following] = True
            continue
        break


def _is_join_line(line: str, private: set[str]) -> bool:
    """A line that is only a link of the meeting (a Zoom "local number" page included)."""
    stripped = line.strip().strip("<>")
    return _has_private(line, private) or (
        bool(URL_IN_TEXT.fullmatch(stripped)) and "zoom.us/" in stripped.lower()
    )


def _is_label(rest: str) -> bool:
    """What is left of a line without its link: nothing, or a "Join here:"-like label."""
    rest = rest.strip()
    return not rest or rest.endswith(":") or bool(_BOILERPLATE.match(rest)) or len(rest) <= 3


def _replace_inline(line: str, private: set[str]) -> str:
    for url in sorted(private, key=len, reverse=True):
        line = re.sub(rf"<?{re.escape(url)}>?", HIDDEN_LINK, line)
    return line


def _strip_venue(venue: str, private: set[str]) -> str:
    if not _has_private(venue, private):
        return venue
    for url in sorted(private, key=len, reverse=True):
        venue = venue.replace(url, "")
    parts = [part.strip() for part in re.split(r"[,;]", venue)]
    return ", ".join(part for part in parts if part and part not in {"<>", "()"})


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
