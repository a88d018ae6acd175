"""The statistics as tables: what the page shows beside each chart, and what the CSV and
.xlsx exports hold (the same rows, so a chart, its table and its export agree)."""

from dataclasses import dataclass

from nscal.statistics.services import MONTHS, Counts, Statistics

MEASURE_HEADERS = (
    "Registrations",
    "Participants",
    "Waiting list",
    "Cancelled",
    "Attended",
    "Absent",
    "Excused",
    "No-show rate",
    "Waiting-list rate",
)


@dataclass
class Table:
    name: str  # the URL part: /manage/statistics/<name>.csv
    caption: str
    header: list[str]
    rows: list[list]  # int, float (a rate, 0..1), str or None (no figure)

    @property
    def is_empty(self) -> bool:
        return not self.rows


def _measures(counts: Counts) -> list:
    return [
        counts.registrations,
        counts.participants,
        counts.waitlisted,
        counts.cancelled,
        counts.attended,
        counts.absent,
        counts.excused,
        counts.no_show_rate,
        counts.waitlist_rate,
    ]


def month_label(year: int, month: int, *, with_year: bool) -> str:
    return f"{MONTHS[month - 1]} {year}" if with_year else MONTHS[month - 1]


def tables(stats: Statistics) -> dict[str, Table]:
    label = stats.filters.label
    several_years = stats.filters.year_from != stats.filters.year_to
    last = stats.filters.year_to
    idle = {city.id for city in stats.idle_cities()}
    result = [
        Table(
            "cities",
            f"Registrations and attendance per city, {label}",
            ["City", "Country", *MEASURE_HEADERS],
            [
                [city.name, city.country, *_measures(stats.by_city.get(city.id, Counts()))]
                for city in stats.cities
                if city.active or city.id in stats.by_city
            ]
            + ([["No city", "", *_measures(stats.by_city[None])]] if None in stats.by_city else []),
        ),
        Table(
            "roles",
            f"Registrations and attendance per participant role, {label}",
            ["Participant role", *MEASURE_HEADERS],
            [[role.name, *_measures(stats.by_role.get(role.id, Counts()))] for role in stats.roles]
            + (
                [["No role given", *_measures(stats.by_role[None])]]
                if None in stats.by_role
                else []
            ),
        ),
        Table(
            "kinds",
            f"Registrations and attendance per kind of event, {label}",
            ["Kind of event", *MEASURE_HEADERS],
            [[kind.label, *_measures(counts)] for kind, counts in stats.by_kind.items()],
        ),
        Table(
            "formats",
            f"Registrations and attendance per format, {label}",
            ["Format", *MEASURE_HEADERS],
            [[fmt.label, *_measures(counts)] for fmt, counts in stats.by_format.items()],
        ),
        Table(
            "months",
            f"Registrations and attendance per month, {label}",
            ["Month", *MEASURE_HEADERS],
            [
                [month_label(year, month, with_year=several_years), *_measures(counts)]
                for (year, month), counts in stats.by_month.items()
            ],
        ),
        Table(
            "events",
            f"Cities represented per event, {label}",
            [
                "Event",
                "Date",
                "Kind",
                "Format",
                "Registrations",
                "Participants",
                "Cities represented",
                "Attended",
                "No-show rate",
            ],
            [
                [
                    event.title,
                    event.local_start.strftime("%Y-%m-%d"),
                    event.kind.label,
                    event.format.label,
                    event.counts.registrations,
                    event.counts.participants,
                    event.cities,
                    event.counts.attended,
                    event.counts.no_show_rate,
                ]
                for event in stats.events
            ],
        ),
        Table(
            "city-months",
            f"Participants per city and month, {label}",
            ["City", *(month_label(y, m, with_year=several_years) for y, m in stats.months)],
            [
                [city.name, *(stats.city_month.get((city.id, y, m), 0) for y, m in stats.months)]
                for city in stats.member_cities
            ],
        ),
        Table(
            "city-years",
            "Participants per member city over the years",
            [
                "City",
                *(str(year) for year in stats.filters.trend_years),
                f"Took part in {last}",
            ],
            [
                [
                    city.name,
                    *(
                        stats.city_year.get((city.id, year), 0)
                        for year in stats.filters.trend_years
                    ),
                    "no" if city.id in idle else "yes",
                ]
                for city in stats.member_cities
            ],
        ),
        Table(
            "people",
            "New and returning participants per year",
            ["Year", "People", "New", "Returning", "Anonymous registrations"],
            [
                [str(p.year), p.people, p.new, p.returning, p.anonymous]
                for p in stats.people.values()
            ],
        ),
    ]
    return {table.name: table for table in result}


def format_cell(value) -> str:
    """A cell as the page shows it: rates as percentages, no figure as a dash."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.0%}"
    return str(value)
