"""Every HTML page and every kind of mail in every language, with no English left from
the catalogs.

The pages are every GET rule of the application's URL map, their arguments filled with
real ids (as tests/e2e/test_phone_layout.py does, on the same enriched demo), seen by a
visitor, a member, a coordinator and an admin, in-process with Flask's test client. For
each page and each language (``?lang=xx``): it answers below 500, ``<html lang>`` names
the language, and its visible text (tags, scripts and styles stripped; with the
``title``, ``aria-label``, ``placeholder`` and ``alt`` attributes and the texts of
buttons) holds no English msgid of that language's catalog whose translation differs
from it. The mails are every kind the coordinators' preview renders, for a recipient
writing in each language, checked the same way (subject, plain text and HTML).

A msgid counts when it has at least two words or twelve characters (so "PDF" or "Zoom"
do not), or is the label of a role, a kind or a status ("Mayor", "Draft"); one with
placeholders or tags counts by its literal fragments of twelve characters or more.
Matches are whole words and case-sensitive ("Log in" is not found in the Danish "Log
ind"). What people stored (names, titles, descriptions) and text quoted in “ ” are
left out: pages show them as written.
"""

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import flask_migrate
import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po

from nscal import create_app
from nscal.cities.models import City
from nscal.db import db
from nscal.demo import seed_demo
from nscal.i18n import DEFAULT_LANGUAGE, LANGUAGES, country_name, in_language
from tests.conftest import PASSWORD, csrf_token_from, test_config
from tests.e2e.browser import ADMIN, COORDINATOR, DEMO_PASSWORD, MEMBER
from tests.e2e.test_phone_layout import _enrich, _paths

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "nscal" / "translations"
TRANSLATED = [language for language in LANGUAGES if language != DEFAULT_LANGUAGE]
ROLES = (None, MEMBER, COORDINATOR, ADMIN)
HTML_LANG = re.compile(r'<html lang="([^"]*)"')
# Placeholders (%(name)s, %d, {name}) and markup split a msgid into literal fragments.
SPLIT = re.compile(
    r"%\([A-Za-z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|%[sdifr%]|\{\w*\}|<[^>]*>|&\w+;"
)
LONG_FRAGMENT = 12
# Quoted as each language quotes: “…” (en, da), ”…” (sv, fi), «…» (nb), „…“ (is), »…«.
QUOTED = re.compile(r"[“”„«»][^“”„«»\n]*[“”«»]")
REDIRECTS = (301, 302, 303, 307, 308)
# Each page is first asked for in this language (which tells HTML from files and
# redirects), then in the others; the flash messages a redirect leaves stay in it.
PROBE = "da"
# Pages that are a mail (a message's HTML part in the preview's frame): written in the
# recipient's language whatever the coordinator reads.
MAIL_PAGES = ("/preview.html",)
assert PASSWORD  # the suite's password; the demo's accounts use DEMO_PASSWORD


def _normal(text: str) -> str:
    return " ".join(text.split())


class _VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes outside <script>/<style>, and the
    attribute texts (title, aria-label, placeholder, alt, button values)."""

    HIDDEN = {"script", "style", "template"}
    ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        values = dict(attrs)
        self.parts += [values[name] for name in self.ATTRIBUTES if values.get(name)]
        kind = (values.get("type") or "").lower()
        if tag == "input" and kind in ("submit", "button", "reset") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    # Each part on its own, so a match never spans two elements' texts.
    return "\n".join(_normal(part) for part in parser.parts if part.strip())


def _catalog_messages(language: str):
    """The language's messages: its catalog, then the fragments not merged yet."""
    paths = [CATALOGS / language / "LC_MESSAGES" / "messages.po"]
    paths += sorted(CATALOGS.glob(f"_parts/*/{language}.po"))
    for path in paths:
        with path.open("rb") as po:
            yield from read_po(po, locale=language)


def english_needles(language: str) -> list[tuple[str, str]]:
    """(needle, its msgid): the English texts that must not be on a page in ``language``."""
    translations: dict[str, set[str]] = {}
    for message in _catalog_messages(language):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for msgid in ids:
            translations.setdefault(msgid, set()).update(filter(None, strings))
    labels = _short_labels()
    every_translation = "\n".join(_normal(s) for texts in translations.values() for s in texts)
    needles = {}
    for msgid, strings in translations.items():
        if _normal(msgid) in {_normal(s) for s in strings}:
            continue  # the same in both languages (a name, "Teams")
        fragments = [_normal(piece) for piece in SPLIT.split(msgid)]
        if len(fragments) == 1:
            text = fragments[0]
            long_enough = len(text.split()) >= 2 or len(text) >= LONG_FRAGMENT
            candidates = [text] if long_enough or text in labels else []
        else:
            candidates = [piece for piece in fragments if len(piece) >= LONG_FRAGMENT]
        for needle in candidates:
            needle = needle.strip(" .,:;")
            # Words a translation itself uses ("Nordic Safe Cities network") are no sign.
            if len(needle) < 4 or _contains(every_translation, needle):
                continue
            needles.setdefault(needle, msgid)
    return sorted(needles.items(), key=lambda item: -len(item[0]))


def _short_labels() -> set[str]:
    """The words pages show for roles, kinds, formats and statuses ("Mayor", "Draft"):
    short, but never English on a translated page (outside a request they read English)."""
    from nscal.accounts.models import AccountRole
    from nscal.attendance.models import AttendanceStatus
    from nscal.cities.models import ROLE_LABELS
    from nscal.events.models import EventFormat, EventKind, EventStatus, Visibility
    from nscal.materials.models import MaterialKind, MaterialVisibility
    from nscal.questions.models import QuestionKind
    from nscal.registrations.models import RegistrationStatus

    labels = {str(label) for label in ROLE_LABELS.values()}
    for kind in (
        AccountRole,
        AttendanceStatus,
        EventFormat,
        EventKind,
        EventStatus,
        Visibility,
        MaterialKind,
        MaterialVisibility,
        QuestionKind,
        RegistrationStatus,
    ):
        for member in kind:
            label = getattr(member, "label", None)
            if label is not None:
                labels.add(str(label))
    return labels


def _contains(text: str, needle: str) -> bool:
    if needle not in text:
        return False
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", text) is not None


def english_in(text: str, needles: list[tuple[str, str]], stored: list[str] = ()) -> list[str]:
    """The msgids whose English is in ``text``, leaving out the ``stored`` texts."""
    for line in stored:
        if line in text:
            text = text.replace(line, " ")
    text = QUOTED.sub(" ", text)  # “Draft”: a word quoted from what someone wrote
    found = []
    for needle, msgid in needles:
        if _contains(text, needle):
            found.append(msgid if needle == msgid else f"{needle!r} (of {msgid!r})")
            text = text.replace(needle, " ")  # a shorter needle inside it is the same find
    return found


@pytest.fixture(scope="module")
def needles() -> dict[str, list[tuple[str, str]]]:
    return {language: english_needles(language) for language in TRANSLATED}


@pytest.fixture(scope="module")
def stored(site, needles) -> dict[str, list[str]]:
    """Per language, the stored lines that would read as English from the catalog."""
    app, _paths, texts = site
    stored = {}
    for language in TRANSLATED:
        with app.test_request_context(f"/?lang={language}"):
            # A city as the pickers name it: its own name, its country in the language
            # ("Helsinki (Finland)" in Swedish, where the msgid's city is "Helsingfors").
            cities = [
                f"{city.name} ({country_name(city.country)})"
                for city in db.session.scalars(sa.select(City))
            ]
        lines = sorted({*texts, *cities}, key=len, reverse=True)
        stored[language] = [line for line in lines if english_in(line, needles[language])]
    return stored


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One enriched demo for every language: (app, every GET page's path)."""
    folder = tmp_path_factory.mktemp("every-page")
    url = f"sqlite:///{folder / 'pages.sqlite'}"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("NSCAL_")}
    environment["NSCAL_INSTANCE_PATH"] = str(folder / "instance")
    with mock.patch.dict(os.environ, environment, clear=True):
        app = create_app(test_config(url))
        with app.app_context():
            flask_migrate.upgrade()
            seed_demo()
            db.session.commit()
            paths = _paths(app, _enrich(app))
            data = _stored_texts()
            db.session.remove()
        # No application context is kept open: each request has its own, as in
        # production (Flask-Babel, Flask-Login and Flask-WTF keep things on ``g``).
        yield app, paths, data
        with app.app_context():
            db.engine.dispose()


def _stored_texts() -> list[str]:
    """The lines of text people stored (names, titles, descriptions, notes): pages show
    them as written, in whatever language that was ("Aino Practitioner", a description
    in English). Only lines of two words or more: a single word may be a stored enum
    value or a role's name, whose label a page must translate."""
    texts: set[str] = set()
    for table in db.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, sa.String)]
        if not columns:
            continue
        for row in db.session.execute(sa.select(*columns)):
            for value in row:
                for line in (value or "").splitlines():
                    line = _normal(line)
                    if len(line.split()) >= 2:
                        texts.add(line)
    return sorted(texts, key=len, reverse=True)


def _with_language(path: str, language: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={language}"


def _log_in(client, email: str) -> None:
    token = csrf_token_from(client.get("/auth/login?lang=en"))
    answer = client.post(
        "/auth/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert answer.status_code in REDIRECTS, f"{email} could not log in"


def _pages_for(client, paths: list[str], skip: set[str]):
    """(path, its answer in ``PROBE`` or None, path asked for) of each distinct HTML page
    ``client`` reaches; pages it is sent to (the login page, mostly) and refusals (one
    403, one 404) count once each."""
    seen: set[str] = set()
    for path in paths:
        if path in skip:
            continue
        answer = client.get(_with_language(path, PROBE))
        if not answer.content_type.startswith("text/html"):
            continue
        key = path
        if answer.status_code in REDIRECTS:
            location = answer.headers.get("Location", "")
            if location.startswith(("http:", "https:")) and "://localhost" not in location:
                continue  # a material's link: another site
            key = re.sub(r"^https?://localhost", "", location).split("?")[0]
            if key not in seen:
                seen.add(key)
                yield key, None, path
            continue
        if answer.status_code in (403, 404):
            key = f"status {answer.status_code}"
        if key not in seen:
            seen.add(key)
            yield path, answer, path


def _problems(page: str, answer, language: str, needles, stored) -> list[str]:
    if answer.status_code >= 500:
        return [f"status {answer.status_code}"]
    html = answer.get_data(as_text=True)
    match = HTML_LANG.search(html)
    found = []
    if page.endswith(MAIL_PAGES) and match and match.group(1) in LANGUAGES:
        language = match.group(1)  # a mail, as written to its recipient: in their language
    elif not match or match.group(1) != language:
        found.append(f"<html lang={match and match.group(1)!r}>")
    if language != DEFAULT_LANGUAGE:
        found += english_in(visible_text(html), needles[language], stored[language])
    return found


def test_every_page_in_every_language_has_no_english_left(site, needles, stored):
    app, paths, data = site
    problems: list[str] = []
    checked: dict[str, list[str]] = {}
    coordinator_pages: set[str] = set()
    for who in ROLES:
        client = app.test_client()
        if who:
            _log_in(client, who)
        skip = coordinator_pages if who == ADMIN else set()
        for page, probed, path in _pages_for(client, paths, skip):
            checked.setdefault(who or "visitor", []).append(page)
            if who == COORDINATOR and probed is not None and probed.status_code == 200:
                coordinator_pages.add(path)  # the admin sees it as the coordinator does
            for language in (PROBE, *(code for code in LANGUAGES if code != PROBE)):
                if language == PROBE and probed is not None:
                    answer = probed
                else:
                    answer = client.get(_with_language(page, language))
                if answer.status_code in REDIRECTS:
                    continue  # sent on, as in the other languages; the target is checked
                where = f"{who or 'visitor'} {page} ({language})"
                problems += [
                    f"{where}: {found}"
                    for found in _problems(page, answer, language, needles, stored)
                ]
    assert {"/", "/events/", "/auth/login"} <= set(checked["visitor"]), checked["visitor"]
    assert {"/account", "/my/events"} <= set(checked[MEMBER]), checked[MEMBER]
    assert len(checked[COORDINATOR]) > 30, checked[COORDINATOR]
    assert "/admin/users" in checked[ADMIN], checked[ADMIN]
    assert not problems, f"{len(problems)} English text(s) left:\n" + "\n".join(problems)


def _mail_texts(message) -> tuple[str, str]:
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    return (plain.get_content() if plain else ""), (html.get_content() if html else "")


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_mail_in_every_language_has_no_english_left(site, needles, stored, language):
    from nscal.mail.previews import MAIL_KINDS, render_preview

    app, _paths, data = site
    problems = []
    for name, kind in MAIL_KINDS.items():
        with app.test_request_context(f"/?lang={language}"), in_language(language):
            message = render_preview(kind)
        plain, html = _mail_texts(message)
        assert plain, f"{name}: no plain-text part"
        if html:
            match = HTML_LANG.search(html)
            if not match or match.group(1) != language:
                problems.append(f"{name} (html): <html lang={match and match.group(1)!r}>")
        for part, text in (
            ("subject", str(message["Subject"])),
            ("text", _normal(plain)),
            ("html", visible_text(html)),
        ):
            problems += [
                f"{name} ({part}): {english}"
                for english in english_in(text, needles[language], stored[language])
            ]
    assert not problems, f"{len(problems)} English text(s) left:\n" + "\n".join(problems)


def test_the_check_finds_english_and_spares_translations(needles):
    """The check above would pass on anything if it found nothing: it must find these."""
    danish = needles["da"]
    assert english_in("Log ind\nTilmeld dig", danish) == []
    page = visible_text(
        '<h1>Arrangementer</h1><button title="Log in">x</button><script>var t = "Log out";</script>'
        '<input type="submit" value="Save as draft">'
    )
    found = english_in(page, danish)
    assert "Log in" in found and "Save as draft" in found
    assert not any("Log out" in text for text in found)
