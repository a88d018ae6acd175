"""Absolute URLs for links that leave the site (mail, feeds), built from NSCAL_BASE_URL."""

from flask import current_app, url_for

from nscal.i18n import DEFAULT_LANGUAGE, current_language


def external_url(endpoint: str, **values) -> str:
    """An absolute URL on ``BASE_URL``, usable inside and outside a request (CLI, workers).

    Written in a language other than English (a mail under ``in_language("fi")``, a
    Finnish page), the link carries ``?lang=`` so it opens in that language; pass
    ``lang=None`` for an address that must not (a feed's URL).
    """
    # Asked before the request context below: inside it the request is a made-up one.
    if "lang" not in values:
        language = current_language()
        if language != DEFAULT_LANGUAGE:
            values["lang"] = language
    elif values["lang"] is None:
        del values["lang"]
    # Not SERVER_NAME with url_for(_external=True): inside a request Flask builds from
    # the request's Host and scheme, and links in feeds and mail must name BASE_URL.
    base = current_app.config["BASE_URL"]
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)
