"""PDF documents (printable programmes, certificates) from our own HTML templates.

WeasyPrint lays out HTML and CSS, so a PDF comes from the same template and print
stylesheet as the page. It never fetches anything from the network: the only URLs it
may read are our own static files, resolved on disk.
"""

from pathlib import Path

from flask import current_app
from weasyprint import HTML, default_url_fetcher


def render_pdf(html: str) -> bytes:
    """The PDF of ``html`` (a rendered template); ``/static/…`` URLs are read from disk."""
    static = Path(current_app.static_folder).resolve()

    def fetch_static_only(url: str, *args, **kwargs):
        prefix = "file://" + str(static) + "/"
        if not url.startswith(prefix):
            raise ValueError(f"PDFs read only nscal's own static files, not {url!r}")
        return default_url_fetcher(url, *args, **kwargs)

    document = HTML(string=html, base_url=str(static) + "/", url_fetcher=fetch_static_only)
    return document.write_pdf()
