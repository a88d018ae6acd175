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

# The pages of the rooms that came with issues 14-16: reminders, messages, questions and
# feedback, the programme, materials, attendance and check-in, people's data, privacy.
ROOM_PAGES = {
    None: ["/privacy"],
    MEMBER: ["/account/delete", "/events/1/my-answers"],
    COORDINATOR: [
        "/manage/reminders",
        "/manage/events/1/reminders",
        "/manage/events/1/messages/new",
        "/manage/events/1/messages",
        "/manage/events/1/questions",
        "/manage/events/1/feedback",
        "/manage/events/1/programme",
        "/manage/events/1/materials",
        "/manage/events/1/attendance",
        "/manage/events/1/attendance/mark-all",
        "/manage/events/1/check-in",
        "/manage/people/requests?email=member%40nscal.example",
        "/manage/mail/reminder",
        "/manage/mail/participant_message",
        "/manage/mail/feedback_request",
        "/manage/mail/minutes_published",
        "/manage/mail/account_deleted",
    ],
    ADMIN: ["/admin/users?q=member", "/admin/users?state=deleted"],
}
for _who, _paths in ROOM_PAGES.items():
    PAGES[_who] = PAGES[_who] + _paths


def _person_pages(page) -> list[str]:
    """The admin's edit page and the coordinators' delete page of the demo member, found
    from the people page as an admin would."""
    page.goto("/admin/users?q=member%40nscal.example")
    edit = page.locator("a[href$='/edit']").first.get_attribute("href")
    user_id = edit.rstrip("/").split("/")[-2]
    return [edit, f"/manage/people/{user_id}/delete"]


def test_the_rooms_pages_pass_axe_on_a_phone(new_context):
    """Each new page for its role through axe-core at a 390 px phone (PAGES has them at
    1280 px); a person's edit and delete pages at both widths."""
    for who, paths in ROOM_PAGES.items():
        page = new_context(viewport={"width": 390, "height": 844}).new_page()
        if who:
            log_in(page, who)
        if who == ADMIN:
            person_pages = _person_pages(page)
            paths = paths + person_pages
            desk = new_context().new_page()
            log_in(desk, ADMIN)
            for path in person_pages:
                visit(desk, path)
        for path in paths:
            response = page.goto(path)
            assert response.status in (200, 404), (path, response.status)
            check_a11y(page)


def test_the_single_sign_on_refusal_pages_pass_axe(new_context):
    """The pages that say why a single sign-on did not work: cancelled at the provider,
    and the provider not answering; both lead back to the login page."""
    for width in (1280, 390):
        page = new_context(viewport={"width": width, "height": 900}).new_page()
        response = page.goto("/auth/sso/demo/callback?error=access_denied")
        assert response.status == 403
        expect(page.locator("main")).to_contain_text("Nothing has changed")
        check_a11y(page)
        visit(page, "/auth/login")
        page.get_by_role("button", name="Sign in with the demo city").click()
        expect(page.locator("main")).to_contain_text("could not reach the sign-in service")
        check_a11y(page)
        expect(page.get_by_role("link", name="Back to the login page")).to_be_visible()


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
