"""The people rooms in another language: what a Finnish reader sees and types is
Finnish, and what machines read (the API's errors) stays English.

The catalogs here are small and built by the test, so the behaviour is tested
whether or not the real catalogs are compiled.
"""

import io

import pytest
import sqlalchemy as sa
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations
from flask_babel import get_domain
from zxcvbn import zxcvbn

from nscal.accounts.models import AccountRole
from nscal.accounts.password_feedback import ZXCVBN_TEXTS
from nscal.accounts.services import PasswordPolicyError, check_password_strength
from nscal.cities.models import ParticipantRole
from nscal.db import db
from nscal.reminders.services import parse_offset, reminders_for
from tests.conftest import csrf_token_from

FINNISH = {
    ("%(num)d day", "%(num)d days"): ("%(num)d päivä", "%(num)d päivää"),
    ("%(num)d hour", "%(num)d hours"): ("%(num)d tunti", "%(num)d tuntia"),
    ("%(num)d minute", "%(num)d minutes"): ("%(num)d minuutti", "%(num)d minuuttia"),
    ("in %(num)d day", "in %(num)d days"): ("%(num)d päivän päästä", "%(num)d päivän päästä"),
    "Page not found": "Sivua ei löytynyt",
    "Mayor": "Pormestari",
    "This password is too easy to guess.": "Tämä salasana on liian helppo arvata.",
    "This is a top-100 common password.": "Tämä on yksi 100 yleisimmästä salasanasta.",
    "Add another word or two. Uncommon words are better.": "Lisää sana tai kaksi.",
    "The reminders of “%(title)s” are saved.": (
        "Tapahtuman ”%(title)s” muistutukset on tallennettu."
    ),
}


def speak_finnish(monkeypatch) -> None:
    """From now on every request and mail speaks Finnish, from the catalog above."""
    catalog = Catalog(locale="fi")
    for msgid, msgstr in FINNISH.items():
        catalog.add(msgid, msgstr)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    translations = Translations(buffer)
    monkeypatch.setattr(get_domain(), "get_translations", lambda: translations)


@pytest.fixture
def finnish(app, monkeypatch):
    speak_finnish(monkeypatch)


@pytest.fixture
def coordinator(client, auth, make_user):
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    return client


def _save_reminders(client, event, typed: str):
    path = f"/manage/events/{event.id}/reminders"
    token = csrf_token_from(client.get(path))
    return client.post(
        path,
        data={"follow": "own", "reminders": typed, "csrf_token": token},
        follow_redirects=True,
    )


def test_reminders_typed_in_finnish_are_read_back_in_finnish(finnish, coordinator, make_event):
    event = make_event("Kaupunkikokous")
    answer = _save_reminders(coordinator, event, "7 päivää, 1 päivä, 2 tuntia, 15 minuuttia")
    text = answer.get_data(as_text=True)
    assert "Tapahtuman ”Kaupunkikokous” muistutukset on tallennettu." in text
    assert [offset.key for offset in reminders_for(event).offsets] == ["7d", "1d", "2h", "15m"]
    # The field shows them again in the reader's words, and they save unchanged.
    assert 'value="7 päivää, 1 päivä, 2 tuntia, 15 minuuttia"' in text


def test_reminders_in_english_words_work_in_every_language(finnish, coordinator, make_event):
    event = make_event()
    _save_reminders(coordinator, event, "3 days, 1h")
    assert [offset.key for offset in reminders_for(event).offsets] == ["3d", "1h"]


def test_the_reminder_mail_words_its_time_when_it_is_rendered(app, monkeypatch):
    ahead = parse_offset("3 days").ahead  # found by the worker, before any mail is drawn
    speak_finnish(monkeypatch)  # the recipient's language, when the mail is rendered
    assert str(ahead) == "3 päivän päästä"


def test_the_networks_own_roles_are_shown_in_the_readers_language(
    finnish, client, auth, network, make_user
):
    make_user("mayor@example.org", participant_role="mayor")
    auth.login("mayor@example.org")
    assert "<dd>Pormestari</dd>" in client.get("/account").get_data(as_text=True)

    role = db.session.execute(
        sa.select(ParticipantRole).where(ParticipantRole.slug == "mayor")
    ).scalar_one()
    role.name = "Mayor or deputy"  # renamed by an admin: shown as named
    db.session.commit()
    assert "<dd>Mayor or deputy</dd>" in client.get("/account").get_data(as_text=True)


def test_an_error_page_speaks_the_readers_language_and_the_api_stays_english(finnish, client):
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "Sivua ei löytynyt" in page.get_data(as_text=True)

    api = client.get("/api/no-such-thing")
    assert api.status_code == 404
    assert api.get_json()["error"] == "Page not found"


def test_zxcvbns_advice_on_a_weak_password_is_translated(app, finnish):
    with app.test_request_context("/"), pytest.raises(PasswordPolicyError) as refused:
        check_password_strength("qwertyuiop")
    assert str(refused.value) == (
        "Tämä salasana on liian helppo arvata. "
        "Tämä on yksi 100 yleisimmästä salasanasta. Lisää sana tai kaksi."
    )


@pytest.mark.parametrize(
    "password",
    [
        "qwertyuiop",
        "password123",
        "iloveyou12",
        "aaaaaaaaaa",
        "abcabcabcabc",
        "abcdefghij",
        "13.05.1987",
        "Sunshine12",
        "SUNSHINE",
        "drowssap",
        "p@ssw0rd",
        "johnsmith",
        "zxcvbnm,./",
        "2019201920",
    ],
)
def test_every_advice_zxcvbn_gives_is_in_the_catalogs(password):
    """A zxcvbn upgrade that words its advice anew fails here, not on a reader's page."""
    feedback = zxcvbn(password)["feedback"]
    for text in [feedback["warning"], *feedback["suggestions"]]:
        assert not text or text in ZXCVBN_TEXTS, text
