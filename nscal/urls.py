"""Absolute URLs for links that leave the site (mail, feeds), built from NSCAL_BASE_URL."""

from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    """An absolute URL on ``BASE_URL``, usable inside and outside a request (CLI, workers)."""
    # Not SERVER_NAME with url_for(_external=True): inside a request Flask builds from
    # the request's Host and scheme, and links in feeds and mail must name BASE_URL.
    base = current_app.config["BASE_URL"]
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)
