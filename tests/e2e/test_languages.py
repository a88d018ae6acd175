"""nscal in the members' languages, in a real browser: the main flows once in Finnish and
once in Danish (the picker, logging in, the year calendar, an event, registering and
cancelling, the coordinators' pages), axe-core on those pages in all six languages, and
the picker on a 390 px phone.

The expected words come from the compiled catalogs themselves (what the server reads),
so a reviewer's better wording does not break these tests; dates and times are
CLDR's (Babel), which the catalogs do not hold.
"""

from gettext import GNUTranslations

import pytest
from babel.dates import get_day_names, get_month_names

from nscal.i18n import LANGUAGE_NAMES, LANGUAGES
from tests.e2e.browser import (
    COORDINATOR,
    DEMO_PASSWORD,
    MEMBER,
    ROOT,
    check_a11y,
    expect,
    visit,
)

pytestmark = pytest.mark.e2e

KICKOFF = "Kick-off City Meeting (online)"  # Wednesday 13 January 2027, 10:00 in Copenhagen
SUMMIT = "Nordic Safe Cities Summit 2027"  # public
PHONE = {"width": 390, "height": 844}
# The kick-off as the member (Helsinki, EET) reads it: the weekday, the date, "kl."/"klo".
WHEN = {
    "fi": "keskiviikko 13. tammikuuta 2027 klo 11.00–12.30 EET",
    "da": "onsdag 13. januar 2027 kl. 11.00–12.30 EET",
}


def words(language: str):
    """``gettext`` of the catalog the server serves in ``language`` (English: the msgid)."""
    if language == "en":
        return lambda message: message
    path = ROOT / "nscal" / "translations" / language / "LC_MESSAGES" / "messages.mo"
    with path.open("rb") as compiled:
        translations = GNUTranslations(compiled)
    return translations.gettext


def _pick(page, language: str) -> None:
    """Choose the language with the picker's link (a plain link: no script needed)."""
    picker = page.locator(".language-picker")
    picker.get_by_role("link", name=LANGUAGE_NAMES[language], exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def _log_in(page, email: str, language: str) -> None:
    _ = words(language)
    visit(page, "/auth/login")
    expect(page.locator("html")).to_have_attribute("lang", language)  # the session kept it
    page.get_by_label(_("Email"), exact=True).fill(email)
    page.get_by_label(_("Password"), exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=_("Log in"), exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text(_("Welcome, %(name)s.").split("%")[0])
    check_a11y(page)


@pytest.mark.parametrize("language", ["fi", "da"])
def test_a_member_and_a_coordinator_in_their_language(new_context, language):
    _ = words(language)
    page = new_context(locale="en-GB").new_page()
    visit(page, "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _pick(page, language)
    check_a11y(page)
    _log_in(page, MEMBER, language)

    # The year: local month names as headings, short weekday names; the month: Monday first.
    visit(page, "/calendar/2027")
    months = get_month_names("wide", "stand-alone", locale=language)
    january = page.locator("#month-1")
    expect(january).to_have_text(months[1][:1].upper() + months[1][1:])
    short_wednesday = get_day_names("abbreviated", "stand-alone", locale=language)[2]
    expect(page.locator('time[datetime="2027-01-13"]')).to_have_text(f"{short_wednesday} 13")
    visit(page, "/calendar/2027/1")
    days = get_day_names("wide", "stand-alone", locale=language)
    headers = page.locator(".month-grid thead abbr")
    expect(headers.first).to_have_attribute("title", days[0])  # Monday
    expect(headers.last).to_have_attribute("title", days[6])  # Sunday

    # The event, in the local date and time; register, see it, cancel.
    visit(page, "/events/?q=Kick-off")
    page.get_by_role("link", name=KICKOFF, exact=True).click()
    check_a11y(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(KICKOFF)
    expect(page.locator(".event-when")).to_contain_text(WHEN[language])
    page.get_by_role("button", name=_("Register"), exact=True).click()
    registered = _("You are registered for %(title)s. A confirmation is on its way.")
    expect(page.locator(".flash-success")).to_have_text(registered % {"title": KICKOFF})
    check_a11y(page)
    status = _("You are <strong>registered</strong>.").replace("<strong>", "")
    expect(page.locator(".registration .status")).to_have_text(status.replace("</strong>", ""))
    page.get_by_role("link", name=_("Cancel my registration"), exact=True).click()
    check_a11y(page)
    page.get_by_role("button", name=_("Cancel my registration"), exact=True).click()
    cancelled = _("Your registration for %(title)s is cancelled.") % {"title": KICKOFF}
    expect(page.locator(".flash-success")).to_have_text(cancelled)
    check_a11y(page)
    expect(page.get_by_role("button", name=_("Register"), exact=True)).to_be_visible()

    # A coordinator: the coordinators' home and the event form.
    coordinator = new_context(locale="en-GB").new_page()
    visit(coordinator, f"/?lang={language}")
    _log_in(coordinator, COORDINATOR, language)
    visit(coordinator, "/manage/")
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(_("Coordinators' desk"))
    coordinator.get_by_role("link", name=_("New event"), exact=True).first.click()
    check_a11y(coordinator)
    expect(coordinator.get_by_label(_("Title"), exact=True)).to_be_visible()
    expect(coordinator.locator("html")).to_have_attribute("lang", language)


PAGES = ["/", "/events/", "/calendar/2027", "/calendar/2027/1", "/auth/login"]
COORDINATOR_PAGES = ["/manage/", "/manage/events/new", "/account"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_passes_in_every_language(new_context, language):
    visitor = new_context().new_page()
    for path in PAGES:
        visit(visitor, f"{path}?lang={language}")
        expect(visitor.locator("html")).to_have_attribute("lang", language)
    visit(visitor, f"/events/?q=Summit&lang={language}")
    visitor.get_by_role("link", name=SUMMIT, exact=True).click()
    check_a11y(visitor)
    coordinator = new_context().new_page()
    visit(coordinator, f"/?lang={language}")
    _log_in(coordinator, COORDINATOR, language)
    for path in COORDINATOR_PAGES:
        visit(coordinator, path)
        expect(coordinator.locator("html")).to_have_attribute("lang", language)


def test_the_picker_fits_a_phone_in_every_language(new_context):
    page = new_context(viewport=PHONE).new_page()
    for language in LANGUAGES:
        visit(page, f"/events/?lang={language}")
        picker = page.locator(".language-picker")
        expect(picker).to_be_visible()
        box = picker.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        for link in picker.get_by_role("link").all():
            link_box = link.bounding_box()
            assert link_box["x"] + link_box["width"] <= PHONE["width"], (language, link)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{language}: the page is {width} px wide"
