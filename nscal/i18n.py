"""The languages nscal speaks, and which one a request is answered in.

Flask-Babel reads the catalogs under ``nscal/translations/<lang>/LC_MESSAGES``.
Templates use ``_()``/``ngettext()`` (installed by Flask-Babel), Python code
``gettext``/``lazy_gettext``/``ngettext`` from ``flask_babel`` (lazy in module-level
constants and form definitions, which are built before any request).
"""

from flask import Flask, request
from flask_babel import Babel

# English is the source language; the others are the members' own.
LANGUAGES = ("en", "da", "sv", "nb", "fi", "is")
DEFAULT_LANGUAGE = "en"

babel = Babel()


def select_locale() -> str:
    """``?lang=`` first, then the browser's ``Accept-Language``, else English."""
    try:
        asked = request.args.get("lang", "")
    except RuntimeError:  # no request: CLI and mail workers speak the default
        return DEFAULT_LANGUAGE
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def init_i18n(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories="translations",
    )
