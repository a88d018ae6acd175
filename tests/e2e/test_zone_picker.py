"""The time-zone picker in the browser: one compact line in the header, the /zone page
grouped and searchable, the choice remembered; at desktop and phone widths, with
axe-core on every page visited."""

import pytest

from tests.e2e.browser import MEMBER, check_a11y, expect, log_in, visit

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def _fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_visitor_types_a_city_and_times_follow_on_every_page(new_context, viewport):
    page = new_context(viewport=viewport).new_page()
    visit(page, "/events/")
    header = page.locator(".zone-now")
    expect(header).to_have_text("Times in each event's own zone · Change time zone")
    expect(page.locator("main select[name='tz']")).to_have_count(0)  # no box on the page

    header.get_by_role("link", name="Change time zone").click()
    expect(page).to_have_url(page.url.split("/zone")[0] + "/zone?next=/events/")
    expect(page.get_by_role("heading", name="Show times in")).to_be_visible()
    check_a11y(page)
    assert _fits_the_width(page)
    # The list: the Nordic zones first, then the world by region.
    groups = page.locator("select#tz optgroup").evaluate_all("gs => gs.map(g => g.label)")
    assert groups[:3] == ["Nordic zones", "Europe", "America"]
    nordic = page.locator("select#tz optgroup").first.locator("option").all_inner_texts()
    assert [name.split(" (")[0] for name in nordic] == [
        "Copenhagen",
        "Stockholm",
        "Oslo",
        "Helsinki",
        "Reykjavík",
        "Nuuk",
        "Tórshavn",
    ]

    page.get_by_label("Or type a city").fill("Nuuk")
    page.get_by_role("button", name="Show times in this zone").click()
    expect(page).to_have_url(page.url.split("/events")[0] + "/events/")
    expect(page.locator(".flash-success")).to_have_text(
        "Times are now shown in Nuuk (Greenland) time."
    )
    expect(header).to_contain_text("Times in Nuuk (UTC−")
    expect(page.locator(".event-when").first).to_contain_text("(Nuuk)")
    check_a11y(page)

    # Remembered on the next pages of the visit.
    visit(page, "/calendar/2027/3")
    expect(page.locator(".zone-now")).to_contain_text("Times in Nuuk")


@pytest.mark.parametrize("who", [None, MEMBER], ids=["visitor", "member"])
def test_on_a_phone_the_header_is_small_and_the_first_event_shows_at_once(new_context, who):
    page = new_context(viewport=PHONE).new_page()
    if who:
        log_in(page, who)
    visit(page, "/")
    header = _box(page, ".site-header")
    assert header["height"] <= 150, header
    zone_line = _box(page, ".zone-now")
    assert zone_line["height"] <= 40, zone_line  # one line
    first = _box(page, ".event-card")
    assert first["y"] + 60 <= PHONE["height"], first  # its title is on screen unscrolled
    expect(page.locator(".event-card").first.locator(".event-title")).to_be_in_viewport()
    assert _fits_the_width(page)


def test_a_members_choice_stays_with_the_account(new_context):
    page = new_context(viewport=DESKTOP).new_page()
    log_in(page, MEMBER)
    expect(page.locator(".zone-now")).to_contain_text("Times in Helsinki (EE")
    page.locator(".zone-now").get_by_role("link", name="Change time zone").click()
    check_a11y(page)
    page.get_by_label("Show times in", exact=True).select_option("Atlantic/Faroe")
    page.get_by_role("button", name="Show times in this zone").click()
    expect(page.locator(".zone-now")).to_contain_text("Times in Tórshavn (WE")

    # Another browser, the same person.
    other = new_context(viewport=PHONE).new_page()
    log_in(other, MEMBER)
    expect(other.locator(".zone-now")).to_contain_text("Times in Tórshavn")
    # Back to the city's zone for the other tests of the session.
    visit(other, "/zone")
    other.get_by_label("Show times in", exact=True).select_option("")
    other.get_by_role("button", name="Show times in this zone").click()
    expect(other.locator(".zone-now")).to_contain_text("Times in Helsinki")
