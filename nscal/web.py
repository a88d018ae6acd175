"""Small helpers shared by the views."""

import io
from urllib.parse import urlsplit

from flask import Response, flash, send_file

# A stored file opened in the browser runs nothing, loads nothing, and is framed nowhere.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; frame-ancestors 'none'"


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default`` (no open redirects)."""
    # Ours: werkzeug and Flask have no "is this a local URL" check (Django's
    # url_has_allowed_host_and_scheme has no counterpart in our dependencies).
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    # Browsers read "\" as "/", so "/\evil.example" would leave the site. (Tabs and
    # newlines, which browsers drop, urlsplit drops too: "/\t/x" has a netloc.)
    if "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def flash_form_errors(form) -> None:
    for field_errors in form.errors.values():
        for error in field_errors:
            flash(error, "error")


def file_download(
    data: bytes,
    *,
    mime_type: str | None,
    download_name: str,
    inline: bool = False,
    etag: str | bool = False,
) -> Response:
    """A stored file (a material, a message's attachment) as the type its content has,
    saved under ``download_name`` unless ``inline`` (images); never run as a page
    (``nosniff``, a sandboxing Content-Security-Policy), kept out of shared caches."""
    response = send_file(
        io.BytesIO(data),
        # Without the charset: send_file adds "; charset=utf-8" to text types itself.
        mimetype=(mime_type or "application/octet-stream").split(";")[0],
        as_attachment=not inline,
        download_name=download_name,
        etag=etag,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.cache_control.private = True
    response.cache_control.public = False
    return response
