"""nscal without JavaScript, with the keyboard only, and every main page through axe-core."""

import re

import pytest

from tests.e2e.browser import (
    ADMIN,
    COORDINATOR,
    DEMO_PASSWORD,
    MAYOR,
    MEMBER,
    check_a11y,
    expect,
    log_in,
    visit,
)

pytestmark = pytest.mark.e2e

WEBINAR = "Webinar: Safer Arctic cities"
WORKSHOP = "Workshop: Young people are important stakeholders"


def test_logging_in_and_registering_works_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/auth/login")
    page.get_by_label("Email").fill(MAYOR)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".flash-success")).to_contain_text("Welcome, Mats Mayor.")

    page.goto("/events/?q=Arctic")
    page.get_by_role("link", name=WEBINAR, exact=True).click()
    # Malmö's clock, and the event's own (Nuuk) beside it.
    expect(page.locator(".event-when")).to_contain_text("in Nuuk")
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text(f"You are registered for {WEBINAR}")
    expect(page.get_by_role("link", name="https://meet.example.org/nsc-arctic")).to_be_visible()
    # No script ran: the copy buttons and zone suggestions of app.js are absent.
    page.goto("/account")
    expect(page.get_by_label("Calendar address")).to_be_visible()
    expect(page.get_by_role("button", name="Copy address")).to_have_count(0)


def test_the_keyboard_reaches_the_register_button_and_shows_focus(page):
    log_in(page, MEMBER)
    page.goto("/events/?q=Young+people")
    page.get_by_role("link", name=WORKSHOP, exact=True).click()
    check_a11y(page)
    register = page.get_by_role("button", name="Register", exact=True)
    expect(register).to_be_visible()

    # From the top of the page, Tab through links and fields until Register has focus.
    page.locator("body").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if register.evaluate("button => button === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the Register button")
    style = register.evaluate(
        """button => { const s = getComputedStyle(button);
            return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"""
    )
    assert style["outline"] != "none" and style["width"] >= 2, style
    assert register.evaluate("button => button.matches(':focus-visible')")

    # The first Tab on a page offers the skip link, which moves past the navigation.
    page.reload()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.url.endswith("#content")

    # Enter on the focused button registers; the flash says so.
    register.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text(f"You are registered for {WORKSHOP}")
    page.get_by_role("link", name="Cancel my registration").press("Enter")
    page.get_by_role("button", name="Cancel my registration").press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("is cancelled")


PAGES = {
    None: [
        "/",
        "/events/",
        "/events/?when=past",
        "/calendar/2027",
        "/calendar/2027/3",
        "/auth/login",
        "/auth/forgot-password",
        "/events/999999",
        "/zone?next=/events/",
    ],
    MEMBER: ["/", "/events/", "/calendar/2027", "/calendar/2027/1", "/account", "/my/events"],
    COORDINATOR: [
        "/manage/",
        "/manage/events/",
        "/manage/events/?year=2027",
        "/manage/calendar/2027",
        "/manage/events/new",
        "/manage/import/",
        "/manage/cities/2027",
        "/manage/people/invite",
        "/manage/mail/",
        "/manage/mail/registration_confirmed",
        "/events/1",
        "/manage/events/1/edit",
        "/manage/events/1/registrations",
        "/manage/events/1/cancel",
    ],
    ADMIN: ["/admin/users"],
}


def test_the_zone_picker_suggests_the_browsers_time_zone(new_context):
    page = new_context(timezone_id="Europe/Oslo").new_page()
    visit(page, "/events/")
    expect(page.locator(".zone-now")).to_contain_text("Times in each event's own zone")
    page.locator(".zone-now").get_by_role("link", name="Change time zone").click()
    suggestion = page.locator(".zone-suggestion")
    expect(suggestion).to_contain_text("Your device is set to Oslo (Norway) time.")
    suggestion.get_by_role("button", name="Show times in Oslo (Norway)").click()
    flash = page.locator(".flash-success")
    expect(flash).to_have_text("Times are now shown in Oslo (Norway) time.")
    expect(page.locator(".zone-now")).to_contain_text("Times in Oslo (CE")
    page.locator(".zone-now").get_by_role("link", name="Change time zone").click()
    expect(page.get_by_label("Show times in", exact=True)).to_have_value("Europe/Oslo")
    expect(page.locator(".zone-suggestion")).to_have_count(0)
    check_a11y(page)


@pytest.mark.parametrize("who", list(PAGES), ids=lambda who: who or "visitor")
def test_every_main_page_passes_axe(page, who):
    if who:
        log_in(page, who)
    for path in PAGES[who]:
        response = page.goto(path)
        assert response.status in (200, 404), (path, response.status)
        check_a11y(page)
    if who is not None:
        return
    # The phone width too: the month becomes a list, the navigation wraps.
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/", "/calendar/2027/3"):
        visit(page, path)
    expect(page.locator(".month-list")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("March 2027, day by day"))).to_be_visible()
