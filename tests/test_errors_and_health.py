"""Friendly error pages and the health check."""

import sqlalchemy as sa

from nscal.db import db


def test_unknown_page_gets_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Traceback" not in response.text


def test_unexpected_error_gets_a_friendly_500(app, client):
    app.testing = False  # let the error handler answer instead of re-raising

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "a bug" not in response.text


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_says_503_when_the_database_is_gone(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_forbidden_page_is_friendly(client, auth, make_user):
    make_user("m@example.org")
    auth.login("m@example.org")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Not for you" in response.text


def test_an_id_too_large_for_the_database_is_a_404(client):
    huge = "9" * 25
    for path in (f"/events/{huge}", f"/events/{huge}.ics", f"/api/events/{huge}"):
        assert client.get(path).status_code == 404, path


def test_a_method_a_page_does_not_take_is_a_405_that_says_which_it_does(client):
    for method in ("TRACE", "DELETE"):
        response = client.open("/healthz", method=method)
        assert response.status_code == 405
        assert "Not allowed" in response.text
        assert response.mimetype == "text/html"
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
