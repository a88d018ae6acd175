"""The statistics page, its charts and exports, who may see them, the public figures."""

import csv
import io
import re
from xml.etree import ElementTree as ET

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from nscal.statistics.charts import CHARTS
from tests.conftest import PASSWORD

Q = "?year_from=2027&year_to=2027"
SVG = "{http://www.w3.org/2000/svg}"


def table_rows(html: str, name: str) -> list[list[str]]:
    """The body rows of the table ``name`` on the page, cell texts."""
    match = re.search(rf'<table class="figures" id="table-{name}">(.*?)</table>', html, re.S)
    assert match, name
    body = match.group(1).split("<tbody>")[1]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_members_are_refused_and_visitors_sent_to_log_in(client, auth, seed, make_user):
    assert client.get("/manage/statistics").status_code == 302
    assert "/auth/login" in client.get("/manage/statistics").headers["Location"]
    assert client.get("/manage/statistics/cities.csv").status_code == 302
    make_user("member@example.org")
    auth.login("member@example.org", PASSWORD)
    for path in (
        "/manage/statistics",
        "/manage/statistics/charts/cities.svg",
        "/manage/statistics/cities.csv",
        "/manage/statistics/cities.xlsx",
        "/manage/statistics/report.pdf",
    ):
        assert client.get(path).status_code == 403, path


def test_the_page_shows_the_figures(coordinator_client):
    response = coordinator_client.get("/manage/statistics" + Q)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Nordic Safe Cities — participation 2027" in html
    assert "<strong>7</strong> participants from <strong>10</strong> registrations" in html
    assert "No-show rate <strong>33%</strong>" in html
    assert "Waiting-list rate <strong>30%</strong>" in html
    cities = {row[0]: row for row in table_rows(html, "cities")}
    assert cities["Malmö"][2:4] == ["3", "2"]
    assert cities["Copenhagen"][3] == "1"  # the deleted account still counts
    people = table_rows(html, "people")
    assert people[-1] == ["2027", "3", "1", "2", "1"]
    assert "took part in nothing in 2027" in html
    idle = re.search(r'id="idle-cities">(.*?)</div>', html, re.S).group(1)
    assert "Stockholm" in idle and "Malmö" not in idle
    for name in CHARTS:
        assert f"/manage/statistics/charts/{name}.svg?" in html
    # No person's name anywhere on the page.
    for name in ("Aino", "Bo ", "Carl", "Dorte", "Eva"):
        assert name not in html


def test_the_default_is_this_year_and_filters_narrow_it(coordinator_client, seed):
    from nscal.db import utcnow

    html = coordinator_client.get("/manage/statistics").get_data(as_text=True)
    assert f"participation {utcnow().year}" in html
    html = coordinator_client.get("/manage/statistics" + Q + "&city=malmo").get_data(as_text=True)
    assert "<strong>2</strong> participants from <strong>3</strong> registrations" in html
    html = coordinator_client.get(
        "/manage/statistics" + Q + "&kind=webinar&format=online"
    ).get_data(as_text=True)
    assert [row[0] for row in table_rows(html, "events")] == ["Webinar on hate speech"]
    html = coordinator_client.get(
        "/manage/statistics?year_from=2026&year_to=2027&role=leader"
    ).get_data(as_text=True)
    assert "participation 2026–2027" in html
    assert "<strong>3</strong> participants" in html  # Carl: E0, E2, E3


@pytest.mark.parametrize(
    "query",
    [
        "year_from=2028&year_to=2027",
        "year_from=abc",
        "kind=party",
        "city=atlantis",
        "role=king",
        "format=paper",
        "year_to=99999999999999999999",
        "year_from=1900&year_to=2190",
    ],
)
def test_wrong_filters_are_explained_not_crashed_on(coordinator_client, query):
    response = coordinator_client.get("/manage/statistics?" + query)
    assert response.status_code == 400
    assert "Some filters were not understood" in response.get_data(as_text=True)
    assert (
        coordinator_client.get("/manage/statistics/charts/cities.svg?" + query).status_code == 400
    )
    assert coordinator_client.get("/manage/statistics/cities.csv?" + query).status_code == 400


def test_unknown_charts_and_tables_are_404(coordinator_client):
    assert coordinator_client.get("/manage/statistics/charts/nope.svg").status_code == 404
    assert coordinator_client.get("/manage/statistics/nope.csv").status_code == 404
    assert coordinator_client.get("/manage/statistics/nope.xlsx").status_code == 404


def series_values(svg: bytes) -> dict[int, list[float]]:
    """pygal's SVG: the values of each series (``serie-N``, N in the order added)."""
    series = {}
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        if "series" in classes:
            number = int(next(c for c in classes if c.startswith("serie-")).split("-")[1])
            values = [
                float(desc.text)
                for desc in group.iter(f"{SVG}desc")
                if desc.get("class") == "value"
            ]
            if values:  # the legend has groups of the same class, without values
                series[number] = values
    return series


def test_the_charts_show_the_tables_figures(coordinator_client):
    html = coordinator_client.get("/manage/statistics" + Q).get_data(as_text=True)
    response = coordinator_client.get("/manage/statistics/charts/cities.svg" + Q)
    assert response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert root.get("role") == "img"
    assert root[0].tag == f"{SVG}title"
    assert root[0].text == "Registrations and attendance per city, 2027"
    assert not list(root.iter(f"{SVG}script"))
    series = series_values(response.data)
    rows = table_rows(html, "cities")
    assert series[0] == [float(row[3]) for row in rows]  # participants
    assert series[1] == [float(row[2]) for row in rows]  # registrations
    labels = [t.text for t in root.iter(f"{SVG}text") if t.text in {row[0] for row in rows}]
    assert {row[0] for row in rows} <= set(labels)

    months = ET.fromstring(coordinator_client.get("/manage/statistics/charts/months.svg" + Q).data)
    month_rows = table_rows(html, "months")
    series = series_values(ET.tostring(months))
    assert series[0] == [float(row[1]) for row in month_rows]  # registrations per month
    assert series[1] == [float(row[2]) for row in month_rows]  # participants per month

    heat = ET.fromstring(
        coordinator_client.get("/manage/statistics/charts/city-months.svg" + Q).data
    )
    cells = {
        (r.get("data-row"), r.get("data-column")): r.get("data-value")
        for r in heat.iter(f"{SVG}rect")
        if r.get("data-row")
    }
    table = table_rows(html, "city-months")
    assert len(cells) == len(table) * 12
    for row in table:
        for month, value in zip(
            ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
            row[1:],
            strict=True,
        ):
            assert cells[(row[0], month)] == value
    assert cells[("Malmö", "Jan")] == "1"


def test_each_table_as_csv_and_xlsx(coordinator_client):
    response = coordinator_client.get("/manage/statistics/cities.csv" + Q)
    assert response.mimetype == "text/csv"
    assert 'filename="statistics-2027-cities.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["City", "Country", "Registrations", "Participants"]
    malmo = next(row for row in rows if row[0] == "Malmö")
    assert malmo[2:4] == ["3", "2"]
    response = coordinator_client.get("/manage/statistics/people.xlsx" + Q)
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Year", "People", "New", "Returning", "Anonymous registrations"]
    assert values[-1] == ["2027", 3, 1, 2, 1]
    workbook = load_workbook(
        io.BytesIO(coordinator_client.get("/manage/statistics/report.xlsx" + Q).data)
    )
    assert workbook.sheetnames[:3] == ["cities", "roles", "kinds"]
    kinds = [[c.value for c in row] for row in workbook["kinds"].iter_rows()]
    assert kinds[0][-1] == "Waiting-list rate"
    webinar = next(row for row in kinds if row[0] == "Webinar")
    assert webinar[-1] == 0.75  # 3 of 4 registrations were waitlisted
    assert (
        workbook["kinds"].cell(row=kinds.index(webinar) + 1, column=len(webinar)).number_format
        == "0%"
    )


def test_exported_names_cannot_become_formulas(coordinator_client, seed):
    from nscal.db import db

    seed.events["E1"].title = '=HYPERLINK("http://evil.example")'
    db.session.commit()
    text = coordinator_client.get("/manage/statistics/events.csv" + Q).get_data(as_text=True)
    assert "\"'=HYPERLINK" in text
    sheet = load_workbook(
        io.BytesIO(coordinator_client.get("/manage/statistics/events.xlsx" + Q).data)
    ).active
    titles = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://evil.example")' in titles


def test_the_report_as_pdf(coordinator_client):
    response = coordinator_client.get("/manage/statistics/report.pdf" + Q)
    assert response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Nordic Safe Cities — participation 2027" in text
    assert "7 participants from 10 registrations" in text
    assert "Registrations and attendance per city, 2027" in text
    assert "Stockholm" in text


def test_the_query_count_does_not_grow_with_the_data(app, client, auth, seed):
    from nscal.db import db
    from nscal.statistics.services import Filters, statistics
    from tests.conftest import count_statements
    from tests.statistics.conftest import S, add_event, register

    auth.login("coordinator@example.org", PASSWORD)
    db.session.commit()  # each count starts from an empty session, as a request does
    small = count_statements(client, "/manage/statistics?year_from=2023&year_to=2027")
    from nscal.events.models import EventFormat, EventKind

    for year in (2023, 2024, 2025):
        for month in (2, 5, 9):
            event = add_event(
                f"Meeting {year}-{month}",
                EventKind.city_meeting,
                EventFormat.hybrid,
                "Europe/Stockholm",
                (year, month, 3, 10),
            )
            for name in ("aino", "bo", "carl", "eva"):
                register(event, seed.people[name], S.waitlisted, S.confirmed)
    db.session.commit()
    assert statistics(Filters(2023, 2027)).total.participants == 9 + 12 * 3
    large = count_statements(client, "/manage/statistics?year_from=2023&year_to=2027")
    assert small == large
    assert large <= 20


def test_the_public_page_is_off_by_default(client, seed):
    assert client.get("/statistics").status_code == 404
    assert client.get("/statistics/2027").status_code == 404


def test_the_public_page_shows_numbers_only(app, client, seed):
    app.config["PUBLIC_STATISTICS"] = True
    response = client.get("/statistics/2027")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Nordic Safe Cities in 2027" in html
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert "20 member cities, 2 public meetings, 5 participants from 4 cities." in text
    for secret in ("Aino", "Carl", "Dorte", "Eva", "Webinar on hate speech", "@example.org"):
        assert secret not in html
    assert client.get("/statistics/1999").status_code == 404
    assert client.get("/statistics").status_code == 200
