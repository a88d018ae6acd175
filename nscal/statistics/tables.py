"""The statistics as tables: what the page shows beside each chart, and what the CSV and
.xlsx exports hold (the same rows, so a chart, its table and its export agree)."""

from dataclasses import dataclass, field

from babel.dates import get_month_names
from babel.numbers import format_percent
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nscal.i18n import country_name
from nscal.statistics.services import Counts, Statistics

# Translators: the column headings of the statistics' tables (on the page, in the PDF
# report and in the .xlsx files).
MEASURE_HEADERS = (
    _l("Registrations"),
    _l("Participants"),
    _l("Waiting list"),
    # Translators: registrations cancelled or rejected (a column of figures).
    _l("Cancelled"),
    _l("Attended"),
    _l("Absent"),
    _l("Excused"),
    _l("No-show rate"),
    _l("Waiting-list rate"),
)
# The measures that are shares (0..1), shown as percentages.
RATE_HEADERS = (MEASURE_HEADERS[-2], MEASURE_HEADERS[-1])


@dataclass
class Table:
    name: str  # the URL part: /manage/statistics/<name>.csv
    caption: str
    header: list[str]
    rows: list[list]  # int, float (a rate, 0..1), str or None (no figure)
    # The columns (counted from 1) that hold rates, for the .xlsx number format.
    rate_columns: set[int] = field(default_factory=set)

    def __post_init__(self):
        rates = {str(header) for header in RATE_HEADERS}
        self.header = [str(name) for name in self.header]
        self.rate_columns = self.rate_columns or {
            index for index, name in enumerate(self.header, 1) if name in rates
        }

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
    """ "Mar", or "Mar 2026", in the reader's language."""
    names = get_month_names("abbreviated", context="stand-alone", locale=get_locale() or "en")
    return f"{names[month]} {year}" if with_year else names[month]


def tables(stats: Statistics) -> dict[str, Table]:
    label = stats.filters.label
    several_years = stats.filters.year_from != stats.filters.year_to
    last = stats.filters.year_to
    idle = {city.id for city in stats.idle_cities()}
    result = [
        Table(
            "cities",
            _("Registrations and attendance per city, %(years)s", years=label),
            [_("City"), _("Country"), *MEASURE_HEADERS],
            [
                [
                    city.name,
                    country_name(city.country),
                    *_measures(stats.by_city.get(city.id, Counts())),
                ]
                for city in stats.cities
                if city.active or city.id in stats.by_city
            ]
            + (
                [[_("No city"), "", *_measures(stats.by_city[None])]]
                if None in stats.by_city
                else []
            ),
        ),
        Table(
            "roles",
            _("Registrations and attendance per participant role, %(years)s", years=label),
            [_("Participant role"), *MEASURE_HEADERS],
            [[role.label, *_measures(stats.by_role.get(role.id, Counts()))] for role in stats.roles]
            + (
                [[_("No role given"), *_measures(stats.by_role[None])]]
                if None in stats.by_role
                else []
            ),
        ),
        Table(
            "kinds",
            _("Registrations and attendance per kind of event, %(years)s", years=label),
            [_("Kind of event"), *MEASURE_HEADERS],
            [[str(kind.label), *_measures(counts)] for kind, counts in stats.by_kind.items()],
        ),
        Table(
            "formats",
            _("Registrations and attendance per format, %(years)s", years=label),
            [_("Format"), *MEASURE_HEADERS],
            [[str(fmt.label), *_measures(counts)] for fmt, counts in stats.by_format.items()],
        ),
        Table(
            "months",
            _("Registrations and attendance per month, %(years)s", years=label),
            [_("Month"), *MEASURE_HEADERS],
            [
                [month_label(year, month, with_year=several_years), *_measures(counts)]
                for (year, month), counts in stats.by_month.items()
            ],
        ),
        Table(
            "events",
            _("Cities represented per event, %(years)s", years=label),
            [
                _("Event"),
                _("Date"),
                _("Kind"),
                _("Format"),
                _("Registrations"),
                _("Participants"),
                _("Cities represented"),
                _("Attended"),
                _("No-show rate"),
            ],
            [
                [
                    event.title,
                    event.local_start.strftime("%Y-%m-%d"),
                    str(event.kind.label),
                    str(event.format.label),
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
            _("Participants per city and month, %(years)s", years=label),
            [_("City"), *(month_label(y, m, with_year=several_years) for y, m in stats.months)],
            [
                [city.name, *(stats.city_month.get((city.id, y, m), 0) for y, m in stats.months)]
                for city in stats.member_cities
            ],
        ),
        Table(
            "city-years",
            _("Participants per member city over the years"),
            [
                _("City"),
                *(str(year) for year in stats.filters.trend_years),
                _("Took part in %(year)s", year=last),
            ],
            [
                [
                    city.name,
                    *(
                        stats.city_year.get((city.id, year), 0)
                        for year in stats.filters.trend_years
                    ),
                    _("no") if city.id in idle else _("yes"),
                ]
                for city in stats.member_cities
            ],
        ),
        Table(
            "people",
            _("New and returning participants per year"),
            [_("Year"), _("People"), _("New"), _("Returning"), _("Anonymous registrations")],
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
        return format_percent(value, locale=get_locale() or "en")
    return str(value)
