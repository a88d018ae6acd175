"""The statistics' charts, drawn on the server as SVG from the same tables the page shows.

Bars and lines come from pygal: pure Python (no native libraries, no browser, no
JavaScript engine), small, quick to draw, and its SVG keeps every value as text (a
``<desc class="value">`` per bar or point), so a chart can be read back and checked
against its table. Its scripts are switched off (``js=[]``): the charts are served as
their own ``image/svg+xml`` URLs and shown with ``<img>``, which never runs scripts,
and the ``<style>`` inside the SVG stays inside the image, so the page's Content
Security Policy is untouched. pygal has no heat map: ``heat_map`` draws one here with
the same palette, a grid of squares with their numbers in them.

Colours: the Okabe–Ito palette, told apart with every common colour-vision deficiency;
the heat map's steps are one blue, lighter to darker, with the number written in each
square so nothing depends on colour alone.
"""

import sys
from xml.etree import ElementTree as ET

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from nscal.statistics.tables import Table

# pygal appends a finder for its map plugins (which nscal does not use) to sys.meta_path,
# of the old kind without find_spec(): Python would warn on every later import.
sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, pygal.PluginImportFixer)]

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HEAT_STEPS = ("#f4f4f4", "#cfe3f3", "#8fc1e6", "#3a8cc9", "#0072B2", "#00446b")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
SVG = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG)

STYLE = Style(
    colors=OKABE_ITO,
    font_family=FONT,
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1a1a1a",
    foreground_strong="#000000",
    foreground_subtle="#555555",
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    value_font_size=13,
)


def _pygal(kind, title: str, *, labels: list[str], **config):
    chart = kind(
        js=[],
        style=STYLE,
        title=title,
        disable_xml_declaration=True,
        show_y_guides=True,
        print_values=False,
        legend_at_bottom=True,
        truncate_label=-1,
        **config,
    )
    chart.x_labels = labels
    return chart


def _accessible(root: ET.Element, title: str, name: str) -> bytes:
    """``role="img"`` with a ``<title>`` (its accessible name) first in the SVG."""
    # pygal's tree has plain tag names and an xmlns attribute; ours has namespaced tags.
    prefix = f"{{{SVG}}}" if root.tag.startswith("{") else ""
    root.set("role", "img")
    root.set("aria-label", title)
    root.set("data-chart", name)
    for old in root.findall(f"{prefix}title"):
        root.remove(old)
    # pygal writes its tooltips' settings in a <script> even without scripts to read them.
    for parent in list(root.iter()):
        for child in parent.findall(f"{prefix}script"):
            parent.remove(child)
    element = ET.Element(f"{prefix}title")
    element.text = title
    root.insert(0, element)
    return ET.tostring(root, encoding="utf-8")


def _render(chart, title: str, name: str) -> bytes:
    return _accessible(chart.render_tree(), title, name)


def bar_chart(table: Table, columns: list[str], *, horizontal: bool = False) -> bytes:
    """One bar per row of ``table`` for each of ``columns`` (a series each)."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    labels = [str(row[0]) for row in table.rows]
    height = max(400, 34 * len(labels) * len(columns) + 160) if horizontal else 460
    chart = _pygal(kind, table.caption, labels=labels, height=height, width=820)
    for column in columns:
        index = table.header.index(column)
        chart.add(column, [row[index] or 0 for row in table.rows])
    return _render(chart, table.caption, table.name)


def line_chart(table: Table, columns: list[str]) -> bytes:
    labels = [str(row[0]) for row in table.rows]
    chart = _pygal(
        pygal.Line,
        table.caption,
        labels=labels,
        height=420,
        width=820,
        x_label_rotation=-40 if len(labels) > 12 else 0,
        show_minor_x_labels=len(labels) <= 24,
        x_labels_major_every=12 if len(labels) > 24 else None,
    )
    for column in columns:
        index = table.header.index(column)
        chart.add(column, [row[index] or 0 for row in table.rows])
    return _render(chart, table.caption, table.name)


def stacked_bar_chart(table: Table, columns: list[str]) -> bytes:
    labels = [str(row[0]) for row in table.rows]
    chart = _pygal(pygal.StackedBar, table.caption, labels=labels, height=420, width=820)
    for column in columns:
        index = table.header.index(column)
        chart.add(column, [row[index] or 0 for row in table.rows])
    return _render(chart, table.caption, table.name)


def _step(value: int, top: int) -> int:
    if not value or not top:
        return 0
    return 1 + min(len(HEAT_STEPS) - 2, (value * (len(HEAT_STEPS) - 1) - 1) // top)


def heat_map(table: Table, *, columns: list[str] | None = None) -> bytes:
    """Rows × columns of ``table`` (the first column names the row) as shaded squares,
    each with its number; ``data-row``/``data-column``/``data-value`` on every square."""
    columns = columns or table.header[1:]
    indexes = [table.header.index(column) for column in columns]
    cell, label_width, top_margin = 34, 130, 78
    width = label_width + cell * len(columns) + 10
    height = top_margin + cell * len(table.rows) + 10
    top = max((row[i] for row in table.rows for i in indexes), default=0)
    root = ET.Element(
        f"{{{SVG}}}svg",
        {
            "viewBox": f"0 0 {width} {height}",
            "width": str(width),
            "height": str(height),
            "font-family": FONT,
            "font-size": "12",
        },
    )
    ET.SubElement(root, f"{{{SVG}}}rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    caption = ET.SubElement(
        root,
        f"{{{SVG}}}text",
        {"x": "4", "y": "18", "font-size": "15", "font-weight": "bold", "fill": "#000000"},
    )
    caption.text = table.caption
    for x, column in enumerate(columns):
        cx = label_width + x * cell + cell / 2
        text = ET.SubElement(
            root,
            f"{{{SVG}}}text",
            {
                "x": f"{cx:.0f}",
                "y": str(top_margin - 8),
                "text-anchor": "start",
                "fill": "#1a1a1a",
                "transform": f"rotate(-45 {cx:.0f} {top_margin - 8})",
            },
        )
        text.text = column
    for y, row in enumerate(table.rows):
        cy = top_margin + y * cell
        name = ET.SubElement(
            root,
            f"{{{SVG}}}text",
            {"x": str(label_width - 6), "y": str(cy + 21), "text-anchor": "end", "fill": "#1a1a1a"},
        )
        name.text = str(row[0])
        for x, (column, index) in enumerate(zip(columns, indexes, strict=True)):
            value = row[index] or 0
            step = _step(value, top)
            group = ET.SubElement(root, f"{{{SVG}}}g")
            rect = ET.SubElement(
                group,
                f"{{{SVG}}}rect",
                {
                    "x": str(label_width + x * cell),
                    "y": str(cy),
                    "width": str(cell - 2),
                    "height": str(cell - 2),
                    "fill": HEAT_STEPS[step],
                    "data-row": str(row[0]),
                    "data-column": column,
                    "data-value": str(value),
                },
            )
            tip = ET.SubElement(rect, f"{{{SVG}}}title")
            tip.text = f"{row[0]}, {column}: {value}"
            if value:
                number = ET.SubElement(
                    group,
                    f"{{{SVG}}}text",
                    {
                        "x": str(label_width + x * cell + (cell - 2) // 2),
                        "y": str(cy + 21),
                        "text-anchor": "middle",
                        "fill": "#ffffff" if step >= 3 else "#000000",
                    },
                )
                number.text = str(value)
    return _accessible(root, table.caption, table.name)


def chart(name: str, tables: dict[str, Table]) -> bytes | None:
    """The SVG of the chart ``name`` (None: no such chart)."""
    table = tables.get(name)
    if table is None:
        return None
    # The series are columns of the table, named by its (translated) headings.
    if name == "cities":
        return bar_chart(table, [_("Participants"), _("Registrations")], horizontal=True)
    if name in ("roles", "kinds", "formats"):
        return bar_chart(table, [_("Participants"), _("Attended"), _("Absent")])
    if name == "months":
        return line_chart(table, [_("Registrations"), _("Participants"), _("Attended")])
    if name == "people":
        return stacked_bar_chart(table, [_("New"), _("Returning"), _("Anonymous registrations")])
    if name == "city-months":
        return heat_map(table)
    if name == "city-years":
        return heat_map(table, columns=table.header[1:-1])
    return None


CHARTS = ("cities", "roles", "kinds", "formats", "months", "people", "city-months", "city-years")
