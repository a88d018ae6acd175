"""PDF documents (printable programmes, certificates) from our own HTML templates.

WeasyPrint lays out HTML and CSS, so a PDF comes from the same template and print
stylesheet as the page. It never fetches anything from the network: the only URLs it
may read are our own static files, resolved on disk.
"""

from pathlib import Path

from flask import current_app
from weasyprint import HTML
from weasyprint.urls import URLFetcher


class StaticFilesOnly(URLFetcher):
    """WeasyPrint's fetcher (its API since version 68), allowed only under ``static``."""

    def __init__(self, static: Path):
        super().__init__(allowed_protocols={"file"})
        self.prefix = "file://" + str(static) + "/"

    def fetch(self, url, headers=None):
        if not url.startswith(self.prefix):
            raise ValueError(f"PDFs read only nscal's own static files, not {url!r}")
        return super().fetch(url, headers)


def render_pdf(html: str) -> bytes:
    """The PDF of ``html`` (a rendered template); ``/static/…`` URLs are read from disk."""
    static = Path(current_app.static_folder).resolve()
    document = HTML(string=html, base_url=str(static) + "/", url_fetcher=StaticFilesOnly(static))
    return document.write_pdf()
