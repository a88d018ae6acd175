"""Security headers on every response, cookie flags, HSTS and the proxy setting."""

import re
from pathlib import Path

import pytest
from flask import request

from nscal import create_app
from nscal.config import ConfigError
from nscal.db import db
from tests.conftest import PASSWORD, csrf_token_from, test_config

TEMPLATES = Path(__file__).resolve().parents[2] / "nscal" / "templates"
EXPECTED = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
        "object-src 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/auth/login",
        "/calendar.ics",
        "/api/events",
        "/static/app.js",
        "/static/style.css",
        "/healthz",
        "/no/such/page",
    ],
)
def test_every_response_carries_the_security_headers(client, path):
    with client.get(path) as response:  # closes the static file it streams
        headers = response.headers
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, (path, name)
    assert "camera=()" in headers["Permissions-Policy"]


def test_templates_have_no_inline_scripts_styles_or_handlers():
    """The policy forbids them: a browser would drop them silently. (Mail templates are
    inline-styled on purpose: mail programs ignore style sheets and run no scripts.)"""
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        if template.parent.name == "mail":
            continue
        text = template.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=", r"\son[a-z]+="):
            offenders += [f"{template.name}: {m.group()}" for m in re.finditer(pattern, text)]
    assert offenders == []


def login(client, make_user):
    make_user("cookie@example.org")
    token = csrf_token_from(client.get("/auth/login"))
    response = client.post(
        "/auth/login",
        data={"email": "cookie@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    return response


def session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "no session cookie"
    return cookies[-1]


def test_https_base_url_makes_cookies_secure_and_turns_on_hsts(client, make_user):
    # The test configuration's BASE_URL is https://calendar.test.
    response = login(client, make_user)
    cookie = session_cookie(response)
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.fixture
def app_with(database_url):
    """Build the test app with some settings changed."""

    built = []

    def build(**settings):
        built.append(create_app(test_config(database_url) | settings))
        return built[-1]

    yield build
    for other in built:
        with other.app_context():
            db.engine.dispose()


def test_plain_http_base_url_keeps_cookies_usable_without_tls(app, app_with, make_user):
    client = app_with(BASE_URL="http://127.0.0.1:5000").test_client()
    response = login(client, make_user)
    cookie = session_cookie(response)
    assert "Secure" not in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize(
    ("base_url", "setting", "secure"),
    [
        ("http://127.0.0.1:5000", "true", True),  # TLS ends at a proxy nscal cannot see
        ("https://calendar.test", "false", False),
    ],
)
def test_the_secure_cookie_setting_overrides_the_base_url(
    app, app_with, make_user, monkeypatch, base_url, setting, secure
):
    monkeypatch.setenv("NSCAL_SECURE_COOKIES", setting)
    client = app_with(BASE_URL=base_url).test_client()
    response = login(client, make_user)
    assert ("Secure" in session_cookie(response)) is secure
    assert ("Strict-Transport-Security" in response.headers) is secure


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("NSCAL_SECURE_COOKIES", "maybe", "NSCAL_SECURE_COOKIES must be true or false"),
        ("NSCAL_TRUSTED_PROXIES", "two", "NSCAL_TRUSTED_PROXIES must be a whole number"),
        ("NSCAL_TRUSTED_PROXIES", "-1", "NSCAL_TRUSTED_PROXIES must be 0 or more"),
        ("NSCAL_MAX_REQUEST_BYTES", "1MB", "NSCAL_MAX_REQUEST_BYTES must be a whole number"),
        ("NSCAL_MAX_REQUEST_BYTES", "10", "NSCAL_MAX_REQUEST_BYTES must be at least 1024"),
        ("NSCAL_DB_BUSY_TIMEOUT", "soon", "NSCAL_DB_BUSY_TIMEOUT must be a number of seconds"),
        ("NSCAL_DB_STATEMENT_TIMEOUT", "0", "NSCAL_DB_STATEMENT_TIMEOUT must be a number"),
        ("NSCAL_DB_CONNECT_TIMEOUT", "-5", "NSCAL_DB_CONNECT_TIMEOUT must be a number"),
    ],
)
def test_a_bad_setting_stops_with_one_clear_line(app, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        create_app()
    assert message in caught.value.message
    assert "\n" not in caught.value.message


def test_database_waits_come_from_the_settings(app, monkeypatch):
    monkeypatch.setenv("NSCAL_DB_BUSY_TIMEOUT", "2.5")
    sqlite_app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///nscal.sqlite"})
    assert sqlite_app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"timeout": 2.5}

    monkeypatch.setenv("NSCAL_DATABASE_URL", "postgresql://u@db.example/nscal")
    monkeypatch.setenv("NSCAL_DB_STATEMENT_TIMEOUT", "20")
    options = create_app().config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"] == {
        "connect_timeout": 5,
        "options": "-c statement_timeout=20000",
    }

    # libpq options in the URL are kept, after ours, so the operator's win.
    monkeypatch.setenv("NSCAL_DATABASE_URL", "postgresql://u@db/nscal?options=-csearch_path%3Dcal")
    options = create_app().config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"]["options"] == "-c statement_timeout=20000 -csearch_path=cal"


def where_am_i(app):
    @app.get("/where-am-i")
    def where_am_i():
        return {"remote": request.remote_addr, "url": request.url}

    return app.test_client()


FORWARDED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "calendar.example.org",
}


def test_forwarded_headers_count_only_behind_trusted_proxies(app, app_with, monkeypatch):
    untrusted = where_am_i(app_with()).get("/where-am-i", headers=FORWARDED)
    assert untrusted.json == {"remote": "127.0.0.1", "url": "http://localhost/where-am-i"}

    monkeypatch.setenv("NSCAL_TRUSTED_PROXIES", "1")
    trusted = where_am_i(app_with()).get("/where-am-i", headers=FORWARDED)
    assert trusted.json == {
        "remote": "203.0.113.7",
        "url": "https://calendar.example.org/where-am-i",
    }
