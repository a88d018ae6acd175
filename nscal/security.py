"""Web hardening: security headers, cookie flags, proxies, request sizes and file parts.

Every response carries a Content-Security-Policy that allows no inline script or style
(pages keep their JavaScript in ``static/app.js`` and their styles in ``static/style.css``),
and the browser is told not to frame, sniff or leak addresses. Over https (``BASE_URL``,
or ``NSCAL_SECURE_COOKIES``) the cookies are ``Secure`` and HSTS is on.
"""

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        # Only our own pages in frames: the mail preview (which alone allows being framed).
        "frame-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    )
)
# Features nscal never uses, switched off for every page (and anything it might embed).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
}
HSTS = "max-age=31536000"  # a year; no includeSubDomains: other hosts are not ours to pin
# Blueprints that take uploads, and the form fields that may carry a file there. Any
# other file part is refused: forms read text fields as strings, and a file in one
# would reach code that cannot handle it.
FILE_FIELDS = {"imports": {"file"}, "messaging": {"attachment"}, "materials": {"file"}}


def init_security(app: Flask) -> None:
    """Wire the headers, cookie flags, proxy handling and upload rules into ``app``."""
    secure = app.config["SECURE_COOKIES"]
    app.config.update(
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SAMESITE="Lax",
        # Werkzeug refuses a larger body with 413 before reading it; the import
        # blueprint raises the limit for its own requests.
        MAX_CONTENT_LENGTH=app.config["MAX_REQUEST_BYTES"],
    )
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.before_request(refuse_unexpected_files)
    app.before_request(refuse_nul_in_query)

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response


def refuse_unexpected_files() -> None:
    """400 for a file part where the endpoint expects text (e.g. a password sent as a file)."""
    if request.method not in {"POST", "PUT", "PATCH"} or not request.files:
        return
    allowed = FILE_FIELDS.get(request.blueprint or "", set())
    if any(name not in allowed for name in request.files):
        abort(400, _("This form takes no files. Please send it again from the page."))


def refuse_nul_in_query() -> None:
    """400 for a NUL character in the query string: no search or filter contains one, and
    PostgreSQL refuses it in text with an error. (The API checks its own parameters and
    answers in its own error format.)"""
    if request.blueprint == "api":
        return
    if any("\x00" in value for value in request.args.values()):
        abort(400, _("The address contains a character that is not allowed."))
