"""The languages nscal speaks, and which one a page or a mail is written in.

Flask-Babel reads the catalogs under ``nscal/translations/<lang>/LC_MESSAGES``.
Templates use ``_()``/``ngettext()`` (installed by Flask-Babel), Python code
``gettext``/``lazy_gettext``/``ngettext`` from ``flask_babel`` (lazy in module-level
constants and form definitions, which are built before any request).

A page is answered in, first to last:

1. ``?lang=xx`` (one of ``LANGUAGES``), which the session then remembers;
2. the language remembered in the session;
3. the signed-in person's own setting (``User.language``; None = not chosen);
4. the browser's ``Accept-Language``;
5. English.

The feeds are one text at one address for everyone (shared caches keep them): they
answer to ``?lang=`` alone, never to the session or the browser.

A mail is written in its recipient's language, whoever triggered it:
``language_of(user)`` (their setting, else the national language of their city's
country, else English), rendered under ``in_language(language)``. Links in mails carry
``?lang=`` (``nscal.urls.external_url`` adds it under a non-English locale), so they
open in the language the mail was written in.
"""

from contextlib import AbstractContextManager
from functools import cache

from babel import Locale
from flask import Flask, request, session
from flask.sessions import NullSession
from flask_babel import Babel, force_locale, get_locale, refresh
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from nscal.sessions import SESSIONLESS

# English is the source language; the others are the members' own.
LANGUAGES = ("en", "da", "sv", "nb", "fi", "is")
DEFAULT_LANGUAGE = "en"
# Each language named in itself, in the picker and the account's select.
LANGUAGE_NAMES = {
    "en": "English",
    "da": "Dansk",
    "sv": "Svenska",
    "nb": "Norsk bokmål",
    "fi": "Suomi",
    "is": "Íslenska",
}
# The session key of the language picked with ``?lang=``.
SESSION_LANGUAGE = "language"
# Browsers say "no" (or "nn") for Norwegian; nscal writes Bokmål.
_ACCEPT_ALIASES = {"no": "nb", "nn": "nb"}

# The national language of each country a member city may be in. Cities keep their
# country as free text (the demo's "Denmark"); the zone settles what the name does not.
_COUNTRY_LANGUAGES = {
    "da": ("denmark", "danmark", "dk", "greenland", "grønland", "kalaallit nunaat", "gl")
    + ("faroe islands", "faroes", "the faroe islands", "færøerne", "føroyar", "fo"),
    "sv": ("sweden", "sverige", "se"),
    "nb": ("norway", "norge", "noreg", "no"),
    "fi": ("finland", "suomi", "fi"),
    "is": ("iceland", "ísland", "island", "is"),
}
COUNTRY_LANGUAGE = {
    country: language for language, names in _COUNTRY_LANGUAGES.items() for country in names
}
ZONE_LANGUAGE = {
    "Europe/Copenhagen": "da",
    "America/Nuuk": "da",
    "America/Godthab": "da",
    "America/Danmarkshavn": "da",
    "America/Scoresbysund": "da",
    "America/Thule": "da",
    "Atlantic/Faroe": "da",
    "Atlantic/Faeroe": "da",
    "Europe/Stockholm": "sv",
    "Europe/Mariehamn": "sv",  # Åland speaks Swedish
    "Europe/Oslo": "nb",
    "Arctic/Longyearbyen": "nb",
    "Europe/Helsinki": "fi",
    "Atlantic/Reykjavik": "is",
}

babel = Babel()


def is_language(code: object) -> bool:
    return isinstance(code, str) and code in LANGUAGES


def _remembered() -> str | None:
    if isinstance(session, NullSession):  # no session on this request
        return None
    chosen = session.get(SESSION_LANGUAGE)
    return chosen if is_language(chosen) else None


def _account_language() -> str | None:
    try:
        if not current_user.is_authenticated:
            return None
        chosen = current_user.language
    except SQLAlchemyError:  # the database is away: the 503 page still needs a language
        return None
    return chosen if is_language(chosen) else None


def _browser_language() -> str | None:
    best = request.accept_languages.best_match(LANGUAGES + tuple(_ACCEPT_ALIASES))
    return _ACCEPT_ALIASES.get(best, best) if best else None


def select_locale() -> str:
    """The language of this request (see the module docstring for the order)."""
    try:
        asked = request.args.get("lang", "")
    except RuntimeError:  # no request: CLI and mail workers speak the default
        return DEFAULT_LANGUAGE
    if request.blueprint == "api":
        # The JSON API is the same for every reader: originals plus the translations.
        return DEFAULT_LANGUAGE
    if is_language(asked):
        return asked
    if _is_sessionless():
        # A feed reads the same for everyone at one address (shared caches store it).
        return DEFAULT_LANGUAGE
    return _remembered() or _account_language() or _browser_language() or DEFAULT_LANGUAGE


def _is_sessionless() -> bool:
    """The feeds neither open nor read the session (nor the signed-in person)."""
    return request.endpoint in SESSIONLESS


def remember_language() -> None:
    """``?lang=xx`` on any page: this browser keeps the language from now on."""
    # Each request decides its own language (the test client shares one app context,
    # where Flask-Babel caches the locale, between requests).
    refresh()
    asked = request.args.get("lang", "")
    if not is_language(asked) or _is_sessionless() or isinstance(session, NullSession):
        return
    if session.get(SESSION_LANGUAGE) != asked:
        session[SESSION_LANGUAGE] = asked


def forget_chosen_language() -> None:
    """The account's setting was just saved: it speaks from now on, not the picker."""
    session.pop(SESSION_LANGUAGE, None)
    refresh()


def current_language() -> str:
    """The language being written now: the request's, or the one a mail is forced into."""
    locale = get_locale()
    if locale is None:
        return DEFAULT_LANGUAGE
    return locale.language if locale.language in LANGUAGES else DEFAULT_LANGUAGE


def in_language(language: str | None) -> AbstractContextManager:
    """Everything inside speaks ``language`` (e.g. one mail to one person)."""
    return force_locale(language if is_language(language) else DEFAULT_LANGUAGE)


def language_of(user) -> str:
    """The language to write to ``user`` in (mails): their own setting, else the national
    language of their city's country, else English."""
    if user is None:
        return DEFAULT_LANGUAGE
    chosen = getattr(user, "language", None)
    if is_language(chosen):
        return chosen
    city = getattr(user, "city", None)
    if city is not None:
        country = " ".join((getattr(city, "country", "") or "").split()).casefold()
        language = COUNTRY_LANGUAGE.get(country) or ZONE_LANGUAGE.get(
            getattr(city, "timezone", "") or ""
        )
        if language:
            return language
    return DEFAULT_LANGUAGE


@cache
def _territory_codes() -> dict[str, str]:
    """A country's English name (as cities store it, "Denmark") -> its CLDR code."""
    return {
        name.casefold(): code for code, name in Locale("en").territories.items() if code.isalpha()
    }


def country_name(country: str | None) -> str:
    """A country stored in English ("Denmark") in the reader's language ("Tanska");
    a name CLDR does not know, as stored."""
    country = country or ""
    language = current_language()
    if language == DEFAULT_LANGUAGE or not country:
        return country
    code = _territory_codes().get(" ".join(country.split()).casefold())
    if code is None:
        return country
    return Locale.parse(language).territories.get(code, country)


def language_choices() -> list[tuple[str, str]]:
    """The account's select: "not chosen", then each language named in itself."""
    # Translators: the first choice of the language select on the account page.
    return [("", _l("The browser's language"))] + [
        (code, LANGUAGE_NAMES[code]) for code in LANGUAGES
    ]


def init_i18n(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories="translations",
    )
    app.before_request(remember_language)
