"""Dates and times the local way (Babel's CLDR data), English exactly as before."""

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from nscal import timedisplay
from nscal.i18n import in_language

HELSINKI = ZoneInfo("Europe/Helsinki")
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def event(start, end, zone="Europe/Copenhagen", place="Copenhagen"):
    return SimpleNamespace(
        starts_at=start,
        ends_at=end,
        timezone=zone,
        all_day=False,
        start_date=None,
        end_date=None,
        host_city=SimpleNamespace(name=place, timezone=zone),
    )


MEETING = event(
    datetime(2027, 1, 13, 10, 0, tzinfo=COPENHAGEN),
    datetime(2027, 1, 13, 11, 30, tzinfo=COPENHAGEN),
)

# language: (long date and time, short date, short without year, with weekday, month alone)
EXPECTED = {
    "en": (
        "Wednesday 13 January 2027, 10:00–11:30 CET",
        "13 Jan 2027",
        "13 Jan",
        "Wed 13 Jan 2027",
        "January",
    ),
    "da": (
        "onsdag 13. januar 2027 kl. 10.00–11.30 CET",
        "13. jan. 2027",
        "13. jan.",
        "ons. 13. jan. 2027",
        "januar",
    ),
    "sv": (
        "onsdag 13 januari 2027 kl. 10:00–11:30 CET",
        "13 jan. 2027",
        "13 jan.",
        "ons 13 jan. 2027",
        "januari",
    ),
    # CLDR writes Norwegian clocks with a colon (HH:mm), Danish and Finnish with a dot.
    "nb": (
        "onsdag 13. januar 2027 kl. 10:00–11:30 CET",
        "13. jan. 2027",
        "13. jan.",
        "ons. 13. jan. 2027",
        "januar",
    ),
    # Finnish: the month in a date in its partitive ("tammikuuta"), alone "tammikuu".
    "fi": (
        "keskiviikko 13. tammikuuta 2027 klo 10.00–11.30 CET",
        "13.1.2027",
        "13.1.",
        "ke 13.1.2027",
        "tammikuu",
    ),
    "is": (
        "miðvikudagur, 13. janúar 2027 kl. 10:00–11:30 CET",
        "13. jan. 2027",
        "13. jan.",
        "mið., 13. jan. 2027",
        "janúar",
    ),
}


@pytest.mark.parametrize("language", EXPECTED)
def test_dates_and_times_in_each_language(app, language):
    long_text, short, short_no_year, with_weekday, month = EXPECTED[language]
    day = date(2027, 1, 13)
    with in_language(language):
        assert timedisplay.format_event_time(MEETING).text == long_text
        assert timedisplay.short_date(day) == short
        assert timedisplay.short_date(day, year=False) == short_no_year
        assert timedisplay.short_date(day, weekday=True) == with_weekday
        assert timedisplay.month_name(1) == month


def test_english_is_english_without_an_app():
    """Outside an application (and under "en") the output is what it always was."""
    assert timedisplay.format_event_time(MEETING).text == EXPECTED["en"][0]
    assert (
        timedisplay.format_instant(
            datetime(2026, 12, 1, 7, 13, tzinfo=ZoneInfo("UTC")), "Europe/Helsinki"
        )
        == "1 Dec 2026, 09:13 EET"
    )


@pytest.mark.parametrize(
    ("language", "moment", "days", "short_days", "all_day"),
    [
        (
            "en",
            "1 Dec 2026, 09:13 EET",
            "29–30 March 2027",
            "13–15 Jan 2027",
            "13–15 Jan 2027 (all day)",
        ),
        (
            "da",
            "1. dec. 2026 09.13 EET",
            "29.–30. marts 2027",
            "13.–15. jan. 2027",
            "13.–15. jan. 2027 (hele dagen)",
        ),
        (
            "sv",
            "1 dec. 2026 09:13 EET",
            "29–30 mars 2027",
            "13–15 jan. 2027",
            "13–15 jan. 2027 (hela dagen)",
        ),
        (
            "nb",
            "1. des. 2026, 09:13 EET",
            "29.–30. mars 2027",
            "13.–15. jan. 2027",
            "13.–15. jan. 2027 (hele dagen)",
        ),
        (
            "fi",
            "1.12.2026 9.13 EET",
            "29.–30. maaliskuuta 2027",
            "13.–15. tammikuuta 2027",
            "13.–15. tammikuuta 2027 (koko päivän)",
        ),
        (
            "is",
            "1. des. 2026, 09:13 EET",
            "29.–30. mars 2027",
            "13.–15. jan. 2027",
            "13.–15. jan. 2027 (allan daginn)",
        ),
    ],
)
def test_moments_and_ranges(app, language, moment, days, short_days, all_day):
    with in_language(language):
        assert (
            timedisplay.format_instant(
                datetime(2026, 12, 1, 7, 13, tzinfo=ZoneInfo("UTC")), "Europe/Helsinki"
            )
            == moment
        )
        assert timedisplay.format_date_range(date(2027, 3, 29), date(2027, 3, 31)) == days
        assert timedisplay.short_date_range(date(2027, 1, 13), date(2027, 1, 15)) == short_days
        assert timedisplay.format_all_day(date(2027, 1, 13), date(2027, 1, 15)) == all_day


@pytest.mark.parametrize(
    ("language", "across_months", "across_years"),
    [
        ("en", "29 March – 2 April 2027", "29 December 2027 – 2 January 2028"),
        ("da", "29. marts–2. april 2027", "29. december 2027–2. januar 2028"),
        # CLDR puts thin spaces around the Finnish dash.
        (
            "fi",
            "29. maaliskuuta\u2009–\u20092. huhtikuuta 2027",
            "29. joulukuuta 2027\u2009–\u20092. tammikuuta 2028",
        ),
    ],
)
def test_date_ranges_across_months_and_years(app, language, across_months, across_years):
    with in_language(language):
        assert timedisplay.format_date_range(date(2027, 3, 29), date(2027, 4, 3)) == across_months
        assert timedisplay.format_date_range(date(2027, 12, 29), date(2028, 1, 3)) == across_years


@pytest.mark.parametrize(
    ("language", "secondary", "evening", "night"),
    [
        ("en", "09:00–10:30 CET in Copenhagen", "from 22:00", "until 02:00"),
        ("da", "09.00–10.30 CET i Copenhagen", "fra 22.00", "til 02.00"),
        ("sv", "09:00–10:30 CET i Copenhagen", "från 22:00", "till 02:00"),
        ("nb", "09:00–10:30 CET i Copenhagen", "fra 22:00", "til 02:00"),
        ("fi", "9.00–10.30 CET (Copenhagen)", "22.00 alkaen", "2.00 asti"),
        ("is", "09:00–10:30 CET í Copenhagen", "frá 22:00", "til 02:00"),
    ],
)
def test_the_event_own_clock_and_times_within_a_day(app, language, secondary, evening, night):
    """The zone abbreviation and the event's own time beside the viewer's, as in English."""
    early = event(
        datetime(2027, 1, 13, 9, 0, tzinfo=COPENHAGEN),
        datetime(2027, 1, 13, 10, 30, tzinfo=COPENHAGEN),
    )
    late = event(
        datetime(2027, 1, 13, 22, 0, tzinfo=COPENHAGEN),
        datetime(2027, 1, 14, 2, 0, tzinfo=COPENHAGEN),
    )
    with in_language(language):
        assert timedisplay.format_event_time(early, "Europe/Helsinki").secondary_text == secondary
        assert timedisplay.format_day_time(late, date(2027, 1, 13), "Europe/Copenhagen") == evening
        assert timedisplay.format_day_time(late, date(2027, 1, 14), "Europe/Copenhagen") == night


@pytest.mark.parametrize(
    ("language", "monday", "short_names"),
    [
        ("en", "Monday", ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
        ("da", "mandag", ["man.", "tirs.", "ons.", "tors.", "fre.", "lør.", "søn."]),
        ("fi", "maanantai", ["ma", "ti", "ke", "to", "pe", "la", "su"]),
        ("is", "mánudagur", ["mán.", "þri.", "mið.", "fim.", "fös.", "lau.", "sun."]),
    ],
)
def test_weekday_names_are_read_in_the_reader_language_monday_first(
    app, language, monday, short_names
):
    with in_language(language):
        names = timedisplay.weekday_names
        assert names[0] == monday
        assert len(list(names)) == 7
        assert list(names("abbreviated")) == short_names


def test_the_month_view_has_local_names(client):
    page = client.get("/calendar/2027/1?lang=fi").get_data(as_text=True)
    # A heading starts with a capital, as Finnish writes it; the weekdays are CLDR's own
    # short names ("ma", not "maa" cut from "maanantai").
    assert "<h1>Tammikuu 2027</h1>" in page
    assert '<abbr title="maanantai">ma</abbr>' in page
    assert "tammikuuta" not in page.split("<h1>")[1].split("</h1>")[0]
    english = client.get("/calendar/2027/1?lang=en").get_data(as_text=True)
    assert "<h1>January 2027</h1>" in english
    assert '<abbr title="Monday">Mon</abbr>' in english


def test_the_year_view_has_local_month_names(client):
    page = client.get("/calendar/2027?lang=sv").get_data(as_text=True)
    assert ">Januari</a></h2>" in page
    assert ">December</a></h2>" in page
