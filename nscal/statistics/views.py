"""/manage/statistics (coordinators): figures, charts, exports and the printable report;
/statistics/<year> (everyone, when NSCAL_PUBLIC_STATISTICS is on): the yearly figures."""

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nscal.accounts.permissions import coordinator_required
from nscal.config import NETWORK_NAME
from nscal.db import utcnow
from nscal.pdf import render_pdf
from nscal.statistics.charts import CHARTS, chart
from nscal.statistics.exports import table_csv, tables_xlsx
from nscal.statistics.forms import LAST_YEAR, StatisticsFilterForm
from nscal.statistics.services import all_cities, all_roles, public_figures, statistics
from nscal.statistics.tables import format_cell, tables

statistics_views = Blueprint("statistics", __name__)

NOT_A_FILTER = _l("Those filters cannot be read: go back to the statistics page and choose again.")


def _figures():
    """The form, the figures and their tables for the filters in the query string;
    (form, None, None) when the filters are wrong."""
    cities, roles = all_cities(), all_roles()
    form = StatisticsFilterForm(request.args, this_year=utcnow().year, cities=cities, roles=roles)
    if not form.validate():
        return form, None, None
    stats = statistics(form.filters, cities=cities, roles=roles)
    return form, stats, tables(stats)


def report_title(stats) -> str:
    return _(
        "%(network)s — participation %(years)s", network=NETWORK_NAME, years=stats.filters.label
    )


def _filename(stats, name: str, extension: str) -> str:
    label = stats.filters.label.replace("–", "-")
    return f"statistics-{label}-{name}.{extension}"


def _attachment(body, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@statistics_views.get("/manage/statistics")
@coordinator_required
def page():
    form, stats, all_tables = _figures()
    if stats is None:
        return render_template("statistics/page.html", form=form, stats=None), 400
    return render_template(
        "statistics/page.html",
        form=form,
        stats=stats,
        tables=all_tables,
        title=report_title(stats),
        query=form.query(),
        charts=CHARTS,
        cell=format_cell,
    )


@statistics_views.get("/manage/statistics/charts/<name>.svg")
@coordinator_required
def chart_svg(name: str):
    if name not in CHARTS:
        abort(404)
    _form, stats, all_tables = _figures()
    if stats is None:
        abort(400, str(NOT_A_FILTER))
    response = Response(chart(name, all_tables), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@statistics_views.get("/manage/statistics/<name>.csv")
@coordinator_required
def table_as_csv(name: str):
    _form, stats, all_tables = _figures()
    if stats is None:
        abort(400, str(NOT_A_FILTER))
    if name not in all_tables:
        abort(404)
    # CSV is for other programs: its headings and words stay English in every language.
    with force_locale("en"):
        table = tables(stats)[name]
    return _attachment(table_csv(table), "text/csv", _filename(stats, name, "csv"))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@statistics_views.get("/manage/statistics/<name>.xlsx")
@coordinator_required
def table_as_xlsx(name: str):
    _form, stats, all_tables = _figures()
    if stats is None:
        abort(400, str(NOT_A_FILTER))
    if name == "report":
        return _attachment(
            tables_xlsx(list(all_tables.values())), XLSX, _filename(stats, "all", "xlsx")
        )
    if name not in all_tables:
        abort(404)
    return _attachment(tables_xlsx([all_tables[name]]), XLSX, _filename(stats, name, "xlsx"))


@statistics_views.get("/manage/statistics/report.pdf")
@coordinator_required
def report_pdf():
    _form, stats, all_tables = _figures()
    if stats is None:
        abort(400, str(NOT_A_FILTER))
    svgs = {name: chart(name, all_tables).decode("utf-8") for name in CHARTS}
    html = render_template(
        "statistics/report.html",
        stats=stats,
        tables=all_tables,
        title=report_title(stats),
        svgs=svgs,
        cell=format_cell,
        made=utcnow(),
    )
    return _attachment(render_pdf(html), "application/pdf", _filename(stats, "report", "pdf"))


@statistics_views.get("/statistics")
def public_latest():
    if not current_app.config["PUBLIC_STATISTICS"]:
        abort(404)
    return public_year(utcnow().year)


@statistics_views.get("/statistics/<int:year>")
def public_year(year: int):
    if not current_app.config["PUBLIC_STATISTICS"] or not 2000 <= year <= LAST_YEAR:
        abort(404)
    figures = public_figures(year)
    return render_template(
        "statistics/public.html",
        figures=figures,
        network=NETWORK_NAME,
        previous=url_for("statistics.public_year", year=year - 1),
        following=url_for("statistics.public_year", year=year + 1),
    )
