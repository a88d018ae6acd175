"""Every page of nscal on a 390 px phone: no horizontal scrolling, nothing sticking out,
and axe-core passing, for a visitor, a member, a coordinator and an admin.

The list of pages is built from the application's own URL map (every GET rule, its
arguments filled from the data below), so a new page is covered as soon as it exists;
a rule with an argument this test cannot fill fails it, naming the argument. Pages that
are not HTML (calendar files, spreadsheets, PDFs, downloads, JSON) are left out by their
Content-Type. The demo is served on its own database, enriched with the people, answers,
programme, materials and messages that make coordinators' pages long and wide.
"""

import os
import re
from contextlib import contextmanager
from datetime import datetime
from unittest import mock

import pytest
import sqlalchemy as sa
from flask import url_for

from tests.e2e.browser import (
    ADMIN,
    COORDINATOR,
    DEMO_PASSWORD,
    MAYOR,
    MEMBER,
    axe_violations,
    expect,
    serve_demo,
)

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
YEAR, MONTH = 2027, 3
CITY = "helsinki"
# Rules whose URL names a file type are files by definition: not fetched at all (PDFs
# and zips take seconds to render). Everything else is fetched and kept only when the
# answer is text/html.
FILE_SUFFIX = re.compile(r"\.(ics|csv|xlsx|pdf|zip|json|png|svg)$")
SKIPPED_ENDPOINTS = {"static"}

# People whose names, addresses and notes do not fit a phone unless the pages let them wrap.
LONG_PEOPLE = [
    (
        "Maximiliana Kristiansdóttir-Gunnlaugsdóttir",
        "maximiliana.kristiansdottir-gunnlaugsdottir@reykjavikurborg.example.is",
        "reykjavik",
        "mayor",
    ),
    (
        "Hans-Christian Vestergaard-Rasmussen",
        "hans-christian.vestergaard-rasmussen@kommunikationsafdelingen.example.dk",
        "aalborg",
        "politician",
    ),
    ("Liisa Järvinen", "liisa.jarvinen@turku.example.fi", "turku", "leader"),
    ("Sigurd Bærum-Olsen", "sigurd@baerum.example.no", "baerum", "mayor"),
    ("Nivi Kleist", "nivi.kleist@nuuk.example.gl", "nuuk", "leader"),
]
LONG_NOTE = (
    "Vegetarian, arriving from Reykjavík the evening before; slides at "
    "https://sharepoint.example.is/sites/oryggi-borgarinnar/Shared%20Documents/2027/summit-final-v3.pptx"
)


@contextmanager
def _app_on(instance, base_url):
    """nscal in this process, on the served demo's database and secret (so links verify)."""
    env = {
        "NSCAL_INSTANCE_PATH": str(instance),
        "NSCAL_DATABASE_URL": f"sqlite:///{instance / 'e2e.sqlite'}",
        "NSCAL_MAIL_BACKEND": "file",
        "NSCAL_SECRET_KEY": "e2e-secret-key-not-for-production",
        "NSCAL_BASE_URL": base_url,
    }
    with mock.patch.dict(os.environ, env):
        from nscal import create_app

        app = create_app()
        with app.app_context():
            yield app


def _enrich(app) -> dict:
    """Add realistic coordinators' data to the demo; the values for the URL arguments."""
    from nscal.accounts.models import User
    from nscal.accounts.services import create_user, invitation_token, password_reset_token
    from nscal.cities.models import City, ParticipantRole
    from nscal.db import db
    from nscal.events.models import Event, EventSeries
    from nscal.materials.models import MaterialKind, MaterialVisibility
    from nscal.materials.services import add_link
    from nscal.messaging.services import Selection, save_draft
    from nscal.programme.services import ItemData, OtherSpeaker, add_item
    from nscal.questions.models import QuestionKind
    from nscal.questions.services import Owner, QuestionData, add_question
    from nscal.registrations.models import RegistrationStatus
    from nscal.registrations.services import register_for_event, set_registration_status

    cities = {city.slug: city for city in db.session.scalars(sa.select(City))}
    roles = {role.slug: role for role in db.session.scalars(sa.select(ParticipantRole))}
    summit = db.session.scalar(sa.select(Event).where(Event.uid == "demo-summit-2027@nscal"))
    coordinator = db.session.scalar(sa.select(User).where(User.email == COORDINATOR))
    mayor = db.session.scalar(sa.select(User).where(User.email == MAYOR))

    question = add_question(
        Owner("event", summit.id),
        QuestionData(
            QuestionKind.one_choice,
            "Which study visit on the afternoon of the summit would you like to join?",
            help_text="We arrange buses from Copenhagen City Hall to each of the sites.",
            choices=[
                "Nørrebro's community safety partnership with local housing associations",
                "Copenhagen Police's youth crime prevention unit",
            ],
        ),
    )
    people = [mayor]
    for name, email, city, role in LONG_PEOPLE:
        people.append(
            create_user(
                email=email,
                name=name,
                city=cities[city],
                participant_role=roles[role],
                password=DEMO_PASSWORD,
            )
        )
    for number, person in enumerate(people):
        registration = register_for_event(summit.id, person.id, note=LONG_NOTE)
        if number % 2 == 0:  # the summit asks for approval: confirm every other one
            set_registration_status(
                registration.id, RegistrationStatus.confirmed, changed_by_id=coordinator.id
            )
    add_item(
        summit,
        ItemData(
            title="Opening: what the member cities learnt from a year of safer-streets pilots",
            start=datetime(2027, 12, 2, 9, 30),  # noqa: DTZ001 - wall-clock in the event's zone
            end=datetime(2027, 12, 2, 10, 15),  # noqa: DTZ001
            room="Festival Hall (Festsalen), first floor",
            online_url="https://meet.example.org/nordic-safe-cities-summit-2027-opening-plenary",
            other_speakers=[OtherSpeaker(LONG_PEOPLE[0][0], "Reykjavíkurborg")],
        ),
    )
    material = add_link(
        summit,
        url="https://sharepoint.example.dk/sites/nordicsafecities/Delte%20dokumenter/Summit2027/programme-final.pdf",
        title=None,
        kind=MaterialKind.report,
        visibility=MaterialVisibility.members,
        created_by=coordinator,
    )
    message = save_draft(
        sender=coordinator,
        subject="Practical information for the Nordic Safe Cities Summit 2027 in Copenhagen",
        text="Dear all,\n\nthe venue map: https://www.kk.dk/borger/kultur-og-fritid/kobenhavns-"
        "raadhus/besog-raadhuset/praktisk-information-om-besoget\n\nSee you there.",
        selection=Selection(),
        event_id=summit.id,
    )
    invited = create_user(
        email="invited.person.with.a.long.address@vantaa.example.fi",
        name="Invited Person",
        city=cities["vantaa"],
        participant_role=roles["practitioner"],
    )
    series = db.session.scalar(sa.select(EventSeries).order_by(EventSeries.id))
    values = {
        "event_id": summit.id,
        "series_id": series.id,
        "user_id": people[1].id,
        "question_id": question.id,
        "material_id": material.id,
        "message_id": message.id,
        "registration_id": None,  # only certificates (PDF) take one
        "year": YEAR,
        "month": MONTH,
        "slug": CITY,
        "name": "example",  # a single sign-on provider that is not configured: its 404
        "tokens": {
            "auth.accept_invitation": invitation_token(invited),
            "auth.reset_password": password_reset_token(people[2]),
        },
    }
    db.session.commit()
    return values


def _paths(app, values: dict) -> list[str]:
    """Every GET page of the app, its arguments filled from ``values``."""
    from nscal.mail.previews import MAIL_KINDS

    paths, unfilled = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in rule.methods or rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        if FILE_SUFFIX.search(rule.rule):
            continue
        choices: list[dict] = [{}]
        for argument in sorted(rule.arguments):
            if argument == "kind":
                options = list(MAIL_KINDS)
            elif argument == "token":
                options = [values["tokens"].get(rule.endpoint, "no-such-token")]
            elif argument in values and values[argument] is not None:
                options = [values[argument]]
            else:
                unfilled.append(f"{rule.rule} ({argument})")
                options = []
            choices = [
                dict(choice, **{argument: option}) for choice in choices for option in options
            ]
        with app.test_request_context():
            paths.extend(url_for(rule.endpoint, **choice) for choice in choices)
    assert not unfilled, (
        "tests/e2e/test_phone_layout.py cannot fill these URL arguments; add a value: "
        + ", ".join(unfilled)
    )
    return paths


@pytest.fixture(scope="module")
def phone_site(e2e_tools, tmp_path_factory):
    """The demo served on its own database, enriched; (base URL, every GET page's path)."""
    instance = tmp_path_factory.mktemp("phone-instance")
    with serve_demo(instance) as base_url:
        with _app_on(instance, base_url) as app:
            paths = _paths(app, _enrich(app))
        yield base_url, paths


# The widest thing on the page, and whether the page scrolls sideways. What is inside a
# region that scrolls sideways on its own (a wide data grid in a .table-wrap) counts as
# that region, which must fit; except absolutely placed things whose containing block is
# outside the region (a visually hidden label): they widen the page itself.
MEASURE = """() => {
    const screen = window.innerWidth;
    let widest = null, right = 0;
    const describe = (el) => {
        let name = el.tagName.toLowerCase();
        if (el.id) name += '#' + el.id;
        if (el.classList.length) name += '.' + [...el.classList].join('.');
        const text = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
        return text ? `${name} "${text}"` : name;
    };
    const measure = (box_of, el) => {
        const box = box_of.getBoundingClientRect();
        if ((box.width > 0 || box.height > 0) && box.right + window.scrollX > right + 0.5) {
            right = box.right + window.scrollX;
            widest = el || box_of;
        }
    };
    const walk = (el) => {
        const style = getComputedStyle(el);
        if (style.display === 'none') return;
        const own = style.overflowX !== 'visible' && el !== document.body;
        if (style.visibility !== 'hidden') {
            measure(el);
            for (const node of own ? [] : el.childNodes) {  // a long word sticks out of its box
                if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue;
                const range = document.createRange();
                range.selectNodeContents(node);
                measure(range, el);
            }
        }
        if (!own) {
            for (const child of el.children) walk(child);
        } else if (style.position === 'static') {
            for (const inner of el.querySelectorAll('*')) {
                const position = getComputedStyle(inner).position;
                const escapes = ['absolute', 'fixed'].includes(position)
                    && !(inner.offsetParent && el.contains(inner.offsetParent));
                if (escapes) measure(inner);
            }
        }
    };
    walk(document.body);
    return {
        scrollWidth: document.documentElement.scrollWidth,
        screen,
        right: Math.round(right),
        widest: widest ? describe(widest) : null,
    };
}"""


def _log_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def _problems(page, label: str) -> list[str]:
    problems = []
    size = page.evaluate(MEASURE)
    if size["scrollWidth"] > size["screen"] or size["right"] > size["screen"]:
        problems.append(
            f"{label}: {size['scrollWidth']} px wide on a {size['screen']} px screen; "
            f"the widest element ends at {size['right']} px: {size['widest']}"
        )
    for violation in axe_violations(page):
        targets = ", ".join(node["target"] for node in violation["nodes"][:3])
        problems.append(
            f"{label}: axe-core [{violation['impact']}] {violation['id']}: "
            f"{violation['help']} at {targets}"
        )
    return problems


# An import whose preview has every table: imported as is, with a note, and refused.
IMPORT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
    "BEGIN:VEVENT\r\nUID:phone-as-is@google.com\r\nDTSTAMP:20281201T120000Z\r\n"
    "DTSTART;TZID=Europe/Oslo:20290115T100000\r\nDTEND;TZID=Europe/Oslo:20290115T113000\r\n"
    "SUMMARY:Byomfattende nettverksmøte om trygge skoleveier og forebygging (Kristiansand)\r\n"
    "LOCATION:Kristiansand rådhus\\, Rådhusgata 18\\, 4611 Kristiansand\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:phone-note@google.com\r\nDTSTAMP:20281201T120000Z\r\n"
    "DTSTART:20290116T100000\r\n"
    "SUMMARY:Webinar https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ1ZGY0\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:phone-broken@google.com\r\nDTSTAMP:20281201T120000Z\r\n"
    "DTSTART;TZID=Europe/Oslo:20290117T100000\r\nDTEND;TZID=Europe/Oslo:20290117T090000\r\n"
    "SUMMARY:Ends before it starts\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _pages_after_a_form(page, tmp_path):
    """Coordinators' pages that are the answer to a form; yields a label for each."""
    page.goto("/manage/import/")
    upload = tmp_path / "phone-import.ics"
    upload.write_text(IMPORT, encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Preview the import").click()
    expect(
        page.get_by_role("heading", name="Nothing can be imported yet: 1 problem")
    ).to_be_visible()
    yield "coordinator the import preview"
    page.goto("/manage/events/new")
    page.get_by_label("Title", exact=True).fill("")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".form-errors")).to_contain_text("The event was not saved.")
    yield "coordinator the new-event form with its errors"


def test_every_page_fits_a_phone_and_passes_axe(browser, phone_site, tmp_path):
    base_url, paths = phone_site
    problems: list[str] = []
    checked: dict[str, list[str]] = {}
    coordinator_opened: set[str] = set()
    for who in (None, MEMBER, COORDINATOR, ADMIN):
        context = browser.new_context(base_url=base_url, viewport=PHONE)
        context.set_default_timeout(10_000)
        page = context.new_page()
        if who:
            _log_in(page, who)
        seen: set[str] = set()
        for path in paths:
            if who == ADMIN and path in coordinator_opened:
                continue  # the admin sees the coordinators' pages as they do
            answer = context.request.get(path, max_redirects=0)
            kind = answer.headers.get("content-type", "")
            if not kind.startswith("text/html"):
                continue
            if answer.status in (301, 302, 303, 307, 308):
                # Sent elsewhere (the login page, mostly): that page is checked once.
                target = answer.headers.get("location", "")
                if target.startswith(("http:", "https:")) and not target.startswith(base_url):
                    continue  # a material's link: another site
                key = target.removeprefix(base_url).split("?")[0]
            elif answer.status != 200:
                key = f"status {answer.status}"  # one 403 page, one 404 page
            else:
                key = path
                if who == COORDINATOR:
                    coordinator_opened.add(path)
            if key in seen:
                continue
            seen.add(key)
            page.goto(path)
            label = f"{who or 'visitor'} {path}" + (f" ({key})" if key != path else "")
            problems.extend(_problems(page, label))
            checked.setdefault(who or "visitor", []).append(key)
        if who == COORDINATOR:
            for label in _pages_after_a_form(page, tmp_path):
                problems.extend(_problems(page, label))
        context.close()
    # The pages really were reached: the public ones, a member's own, the coordinators'.
    assert {"/", "/events/", "/auth/login"} <= set(checked["visitor"]), checked["visitor"]
    assert {"/account", "/my/events"} <= set(checked[MEMBER]), checked[MEMBER]
    assert len(checked[COORDINATOR]) > 30, checked[COORDINATOR]
    assert "/admin/users" in checked[ADMIN], checked[ADMIN]
    assert not problems, f"{len(problems)} problem(s) at 390 px:\n" + "\n".join(problems)
