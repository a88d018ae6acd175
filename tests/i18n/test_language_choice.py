"""Which language a page speaks: ?lang=, then the session, then the account, then the
browser, else English; the picker on every page; <html lang>; the account's setting."""

import re

import pytest

from nscal.accounts.models import AccountRole, User
from nscal.db import db
from nscal.i18n import language_of
from tests.conftest import csrf_token_from

HTML_LANG = re.compile(r'<html lang="([^"]+)">')


def html_lang(response) -> str:
    match = HTML_LANG.search(response.get_data(as_text=True))
    assert match, "no <html lang>"
    return match.group(1)


def picker(response) -> list[tuple[str, str, bool]]:
    """The picker's links: (lang, href, current)."""
    page = response.get_data(as_text=True)
    nav = page[
        page.index('<nav class="language-picker"') : page.index(
            "</nav>", page.index('<nav class="language-picker"')
        )
    ]
    return [
        (lang, href.replace("&amp;", "&"), bool(current))
        for href, lang, current in re.findall(
            r'<a href="([^"]+)" lang="(\w+)" hreflang="\w+"( aria-current="true")?>', nav
        )
    ]


def test_english_by_default(client):
    response = client.get("/")
    assert html_lang(response) == "en"
    assert [lang for lang, _href, current in picker(response) if current] == ["en"]


def test_the_browser_language_when_nothing_was_chosen(client):
    assert (
        html_lang(client.get("/", headers={"Accept-Language": "fi-FI,fi;q=0.9,en;q=0.5"})) == "fi"
    )
    # Browsers say "no" for Norwegian; nscal writes Bokmål.
    assert html_lang(client.get("/", headers={"Accept-Language": "no,en;q=0.5"})) == "nb"
    assert html_lang(client.get("/", headers={"Accept-Language": "de-DE,de"})) == "en"


def test_lang_in_the_url_wins_and_is_remembered(client):
    response = client.get("/?lang=da", headers={"Accept-Language": "sv"})
    assert html_lang(response) == "da"
    # The next page, without ?lang=, stays Danish: the session remembers it.
    assert html_lang(client.get("/events/", headers={"Accept-Language": "sv"})) == "da"
    assert html_lang(client.get("/events/?lang=en")) == "en"
    assert html_lang(client.get("/")) == "en"


@pytest.mark.parametrize("value", ["xx", "", "fi-FI", "../en", "DA"])
def test_an_unknown_lang_is_ignored(client, value):
    response = client.get(f"/?lang={value}")
    assert response.status_code == 200
    assert html_lang(response) == "en"


def test_the_picker_links_to_this_page_in_each_language_keeping_its_query(client):
    response = client.get("/events/?city=oslo&lang=sv")
    links = picker(response)
    assert [lang for lang, _href, _current in links] == ["en", "da", "sv", "nb", "fi", "is"]
    assert {lang: href for lang, href, _current in links}["fi"] == "/events/?city=oslo&lang=fi"
    assert [lang for lang, _href, current in links if current] == ["sv"]
    page = response.get_data(as_text=True)
    for name in ("English", "Dansk", "Svenska", "Norsk bokmål", "Suomi", "Íslenska"):
        assert f">{name}</a>" in page


def test_error_pages_speak_the_language_too(client):
    response = client.get("/no-such-page?lang=is")
    assert response.status_code == 404
    assert html_lang(response) == "is"
    assert [lang for lang, _href, current in picker(response) if current] == ["is"]


def test_the_account_setting_applies_and_saving_it_forgets_the_picked_language(
    client, auth, make_user
):
    user = make_user("sanna@example.org")
    auth.login("sanna@example.org")
    assert html_lang(client.get("/account", headers={"Accept-Language": "da"})) == "da"

    client.get("/?lang=sv")  # picked on the page: wins over the account and the browser
    page = client.get("/account")
    assert html_lang(page) == "sv"
    form = page.get_data(as_text=True)
    assert '<option lang="fi" value="fi">Suomi</option>' in form
    response = client.post(
        "/account",
        data={
            "csrf_token": csrf_token_from(page),
            "name": "Sanna",
            "timezone": "",
            "language": "fi",
        },
        follow_redirects=True,
    )
    assert html_lang(response) == "fi"  # the account's choice, no longer the picked one
    assert db.session.get(User, user.id).language == "fi"
    assert html_lang(client.get("/events/", headers={"Accept-Language": "da"})) == "fi"
    assert 'value="fi" selected' in client.get("/account").get_data(as_text=True) or (
        'selected value="fi"' in client.get("/account").get_data(as_text=True)
    )

    # Back to "not chosen": the browser decides again.
    page = client.get("/account")
    client.post(
        "/account",
        data={"csrf_token": csrf_token_from(page), "name": "Sanna", "timezone": "", "language": ""},
    )
    assert db.session.get(User, user.id).language is None
    assert html_lang(client.get("/events/", headers={"Accept-Language": "da"})) == "da"


def test_the_account_refuses_an_unknown_language(client, auth, make_user):
    user = make_user("sanna@example.org")
    auth.login("sanna@example.org")
    page = client.get("/account")
    response = client.post(
        "/account",
        data={
            "csrf_token": csrf_token_from(page),
            "name": "Sanna",
            "timezone": "",
            "language": "de",
        },
    )
    assert response.status_code == 200
    assert "Not a valid choice." in response.get_data(as_text=True)
    assert db.session.get(User, user.id).language is None


def test_wtforms_own_messages_speak_the_page_language(client, auth, make_user):
    make_user("sanna@example.org")
    auth.login("sanna@example.org")
    page = client.get("/account?lang=da")
    response = client.post(
        "/account",
        data={"csrf_token": csrf_token_from(page), "name": "", "timezone": "", "language": "da"},
    )
    text = response.get_data(as_text=True)
    assert "Dette felt skal udfyldes." in text
    assert "This field is required." not in text


def test_the_login_message_is_flashed_in_the_page_language(client):
    response = client.get("/account?lang=fi", follow_redirects=True)
    assert "Kirjaudu sisään nähdäksesi sivun." in response.get_data(as_text=True)
    response = client.get("/account?lang=en", follow_redirects=True)
    assert "Please log in to see that page." in response.get_data(as_text=True)


def test_feeds_stay_the_same_for_every_browser(client):
    """A feed is one text at one address for everyone (shared caches keep it): the
    browser's language does not change it, and it neither reads nor sets the session."""
    english = client.get("/calendar.ics")
    danish_browser = client.get("/calendar.ics", headers={"Accept-Language": "da"})
    assert english.status_code == danish_browser.status_code == 200
    assert danish_browser.data == english.data
    picked = client.get("/calendar.ics?lang=da")
    assert "Set-Cookie" not in picked.headers
    assert "Cookie" not in picked.headers.get("Vary", "")


@pytest.mark.parametrize(
    ("country", "zone", "expected"),
    [
        ("Denmark", "Europe/Copenhagen", "da"),
        ("Greenland", "America/Nuuk", "da"),
        ("Faroe Islands", "Atlantic/Faroe", "da"),
        ("Sweden", "Europe/Stockholm", "sv"),
        ("Norway", "Europe/Oslo", "nb"),
        ("Finland", "Europe/Helsinki", "fi"),
        ("Iceland", "Atlantic/Reykjavik", "is"),
        ("Suomi", "Europe/Helsinki", "fi"),
        ("  finland ", "Europe/Helsinki", "fi"),
        ("Elsewhere", "Europe/Stockholm", "sv"),  # the zone settles an unknown name
        ("Germany", "Europe/Berlin", "en"),
    ],
)
def test_language_of_a_person_follows_their_city(country, zone, expected):
    from nscal.cities.models import City

    person = User(
        email="x@example.org",
        name="X",
        city=City(name="C", slug="c", country=country, timezone=zone),
    )
    assert language_of(person) == expected
    person.language = "is"  # their own choice wins
    assert language_of(person) == "is"


def test_language_of_nobody_or_no_city_is_english():
    assert language_of(None) == "en"
    assert (
        language_of(User(email="x@example.org", name="X", account_role=AccountRole.member)) == "en"
    )
