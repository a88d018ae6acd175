"""The catalogs against the code: every string marked in the code and the templates is
in every catalog, translated (not empty, not fuzzy), with the placeholders and the
markup of its msgid and the plural forms of its language; and every catalog compiles.

The strings come from a fresh extraction with Babel's own API, the mapping of
``babel.cfg`` and the keywords of ``make translations``, so a string added to a
template fails here until it is translated, whether or not ``make translations`` ran.
"""

import io
import re
from collections import Counter
from gettext import GNUTranslations
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from nscal.i18n import DEFAULT_LANGUAGE, LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "nscal" / "translations"
TRANSLATED = [language for language in LANGUAGES if language != DEFAULT_LANGUAGE]
# As the Makefile's EXTRACT_KEYWORDS: -k _l -k lazy_gettext -k lazy_ngettext:1,2.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}

# %(name)s, %d, %s (not %%); {name} and {} as str.format writes them; tags and entities.
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|%[sdifr]|\{\w*\}")
TAG = re.compile(r"</?[A-Za-z][^>]*>|&\w+;")


def _skip_directory(dirpath: str) -> bool:
    name = Path(dirpath).name
    return not (name.startswith((".", "_")) or name == "node_modules")


def extract() -> Catalog:
    """Every message marked in the code and the templates, as ``make translations``."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
        directory_filter=_skip_directory,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def load(language: str) -> Catalog:
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def markers(text: str) -> Counter:
    """What a translation must carry over: placeholders, HTML tags and entities."""
    return Counter(PLACEHOLDER.findall(text)) + Counter(TAG.findall(text))


def problems(source: Catalog, catalog: Catalog, language: str) -> list[str]:
    """Everything wrong with ``catalog`` (of ``language``) for the messages of ``source``."""
    found = []
    expected_plurals = get_plural(language).num_plurals
    if catalog.num_plurals != expected_plurals:
        found.append(
            f"Plural-Forms says {catalog.num_plurals} forms, {language} has {expected_plurals}"
        )
    for message in source:
        if not message.id:
            continue
        where = f"{language}: {message.id!r}" + (
            f" (context {message.context!r})" if message.context else ""
        )
        translated = catalog.get(message.id, message.context)
        if translated is None:
            found.append(f"{where} is missing")
            continue
        if translated.fuzzy:
            found.append(f"{where} is fuzzy")
        if message.pluralizable:
            forms = translated.string if isinstance(translated.string, tuple | list) else ()
            if not isinstance(translated.id, tuple | list):
                found.append(f"{where} is translated without its plural")
                continue
            if len(forms) != expected_plurals:
                found.append(
                    f"{where} has {len(forms)} plural forms, {language} needs {expected_plurals}"
                )
            singular, plural = markers(message.id[0]), markers(message.id[1])
            for index, form in enumerate(forms):
                if not form:
                    found.append(f"{where} has an empty form {index}")
                elif markers(form) not in (singular, plural) or (
                    index == len(forms) - 1 and markers(form) != plural
                ):
                    found.append(
                        f"{where} form {index} {form!r} changes the placeholders or markup"
                    )
        else:
            text = translated.string
            if not isinstance(text, str) or not text:
                found.append(f"{where} is not translated")
            elif markers(text) != markers(message.id):
                found.append(f"{where}: {text!r} changes the placeholders or markup")
    for message, errors in catalog.check():
        found += [f"{language}: {message.id!r}: {error}" for error in errors]
    return found


@pytest.fixture(scope="module")
def source() -> Catalog:
    return extract()


def test_the_extraction_finds_the_marked_strings(source):
    """Python (lazy and plain), templates (text, HTML, the picker) and WTForms' own."""
    for msgid in (
        "The browser's language",  # nscal/i18n.py, _l
        "all day",  # nscal/timedisplay.py, gettext
        "Language",  # the picker
        "Hello %(name)s,",  # templates/mail/_layout.*
        "This field is required.",  # nscal/form_messages.py
        "Please log in to see that page.",  # flask-login's message
    ):
        assert source.get(msgid) is not None, msgid
    assert any(
        message.pluralizable and message.id[0] == "Field must be at least %(min)d character long."
        for message in source
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalog_translates_every_message(source, language):
    found = problems(source, load(language), language)
    assert not found, f"{len(found)} problems in the {language} catalog:\n" + "\n".join(found)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalog_compiles(language):
    catalog = load(language)
    # `pybabel compile` (the install, `make run`) skips a catalog whose header is marked
    # fuzzy: the pages would stay English on a fresh machine.
    assert not catalog.fuzzy, f"{language}: the catalog's header is marked fuzzy"
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    translations = GNUTranslations(compiled)
    assert translations.gettext("This field is required.") != "This field is required."
    assert translations.ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        3,
    ) % {"min": 3}


def test_every_language_has_a_catalog():
    assert sorted(path.name for path in CATALOGS.iterdir() if path.is_dir()) == sorted(TRANSLATED)


def _catalog(language: str, entries: list[tuple]) -> Catalog:
    catalog = Catalog(locale=language)
    for msgid, msgstr, *flags in entries:
        catalog.add(msgid, msgstr, flags=flags)
    return catalog


def test_the_checks_catch_what_they_promise_to():
    """The checks above would pass on empty catalogs; these broken ones must fail."""
    source = _catalog(
        "en",
        [
            ("Hello %(name)s,", None),
            ("in {place}", None),
            ('Read the <a href="%(url)s">notice</a>.', None),
            (("%(num)d place left", "%(num)d places left"), None),
            ("Missing", None),
            ("Untranslated", None),
            ("Unsure", None),
        ],
    )
    broken = _catalog(
        "fi",
        [
            ("Hello %(name)s,", "Hei,"),  # dropped
            ("in {place}", "{place} {place}"),  # doubled
            ('Read the <a href="%(url)s">notice</a>.', "Lue tiedote."),  # markup gone
            (("%(num)d place left", "%(num)d places left"), ("%(num)d paikka", "paikkoja")),
            ("Untranslated", ""),
            ("Unsure", "Epävarma", "fuzzy"),
        ],
    )
    found = "\n".join(problems(source, broken, "fi"))
    for expected in (
        "'Hello %(name)s,': 'Hei,' changes",
        "'in {place}': '{place} {place}' changes",
        "notice</a>.': 'Lue tiedote.' changes",
        "form 1 'paikkoja' changes",
        "'Missing' is missing",
        "'Untranslated' is not translated",
        "'Unsure' is fuzzy",
    ):
        assert expected in found, expected
    wrong_plurals = _catalog("is", [])
    wrong_plurals._num_plurals = 3
    assert "Plural-Forms says 3 forms" in "\n".join(problems(source, wrong_plurals, "is"))
