"""Small helpers shared by the views."""

from urllib.parse import urlsplit

from flask import flash


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
