"""Large public feeds are kept as files by each server: the same bytes, new ones after
a change, never a partial file, never a private feed."""

import logging
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from nscal.db import db
from nscal.events.services import event_from_data, update_event
from nscal.feeds import files, services
from nscal.feeds.models import StoredVevent
from nscal.registrations.services import register_for_event
from tests.feeds.test_feed_views import counted_queries

# Every header a feed answers with, which a feed sent from its file must keep.
HEADERS = (
    "Content-Type",
    "Content-Length",
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "Content-Disposition",
    "X-Content-Type-Options",
)


@pytest.fixture
def client(app):
    """A client that reads each response whole and closes it, as a server does: a feed's
    file is written while its body is read, and a file sent is closed with the response."""

    class Buffered(FlaskClient):
        def open(self, *args, **kwargs):
            kwargs.setdefault("buffered", True)
            return super().open(*args, **kwargs)

    return Buffered(app, app.response_class, use_cookies=True)


@pytest.fixture
def meetings(network, make_event, monkeypatch):
    """Seven public events, in a feed "too large" for memory (more than two events)."""
    events = [make_event(f"Meeting {n}", host_city="oslo") for n in range(7)]
    monkeypatch.setattr(services, "IN_MEMORY_ROWS", 2)
    monkeypatch.setattr(services, "STREAM_ROWS", 2)
    monkeypatch.setattr(services, "STREAM_PIECE", 100)
    return events


@pytest.fixture
def folder(app) -> Path:
    return Path(app.instance_path) / "cache" / "feeds"


def kept_files(folder: Path) -> list[str]:
    """The names in the feed files' folder, temporary files included."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def in_memory(client, path: str, monkeypatch) -> bytes:
    """The feed as a worker joins it in memory, for comparison."""
    with monkeypatch.context() as patch:
        patch.setattr(services, "IN_MEMORY_ROWS", 10_000)
        services.clear_feed_cache()
        data = client.get(path).data
        services.clear_feed_cache()
    return data


@pytest.mark.parametrize("path", ["/calendar.ics", "/cities/oslo/calendar.ics?lang=da"])
def test_a_large_public_feed_is_sent_from_its_file_with_the_same_bytes_and_headers(
    client, meetings, folder, path, monkeypatch
):
    streamed = client.get(path)
    assert streamed.status_code == 200
    assert len(kept_files(folder)) == 1 and kept_files(folder)[0].endswith(".ics")
    assert (folder / kept_files(folder)[0]).read_bytes() == streamed.data

    from_file = client.get(path)
    assert from_file.status_code == 200
    assert from_file.data == streamed.data == in_memory(client, path, monkeypatch)
    for name in HEADERS:
        assert from_file.headers[name] == streamed.headers[name], name
    assert "Expires" not in from_file.headers
    assert int(from_file.headers["Content-Length"]) == len(from_file.data)

    head = client.head(path)
    assert head.data == b""
    for name in HEADERS:
        assert head.headers[name] == streamed.headers[name], name
    again = client.get(path, headers={"If-None-Match": streamed.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_feed_sent_from_its_file_costs_only_the_validator(client, meetings):
    client.get("/calendar.ics")  # writes the file
    with counted_queries() as get:
        assert client.get("/calendar.ics").status_code == 200
    with counted_queries() as head:
        assert client.head("/calendar.ics").status_code == 200
    assert len(get) == 1 and len(head) == 1
    assert "feed_change" in get[0]


def test_a_change_makes_a_new_file_and_removes_the_old_one(client, meetings, folder):
    first = client.get("/calendar.ics")
    (old,) = kept_files(folder)
    event = meetings[3]
    update_event(event, replace(event_from_data(event), title="Moved to Tórshavn"))
    db.session.commit()

    changed = client.get("/calendar.ics")
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert b"Moved to T" in changed.data and changed.data != first.data
    (new,) = kept_files(folder)
    assert new != old
    again = client.get("/calendar.ics")
    assert again.data == changed.data
    assert again.headers["ETag"] == changed.headers["ETag"]


def test_each_address_and_language_has_its_own_file(client, meetings, folder):
    english = client.get("/calendar.ics")
    danish = client.get("/calendar.ics?lang=da")
    city = client.get("/cities/oslo/calendar.ics")
    assert len(kept_files(folder)) == 3
    assert client.get("/calendar.ics").data == english.data
    assert client.get("/calendar.ics?lang=da").data == danish.data
    assert client.get("/cities/oslo/calendar.ics").data == city.data


def test_an_interrupted_feed_leaves_no_file(client, meetings, folder, monkeypatch):
    real = services.feed_body

    def failing_midway(*args, **kwargs):
        body = real(*args, **kwargs)

        def pieces():
            source = body.pieces()
            yield next(source)
            source.close()
            raise RuntimeError("the database went away")

        return replace(body, pieces=pieces)

    monkeypatch.setattr(services, "feed_body", failing_midway)
    with pytest.raises(RuntimeError, match="went away"):
        client.get("/calendar.ics")
    assert kept_files(folder) == []

    # A client that goes away after the first piece: the server closes the body.
    monkeypatch.setattr(services, "feed_body", real)
    response = client.get("/calendar.ics", buffered=False)
    assert next(iter(response.response)).startswith(b"BEGIN:VCALENDAR")
    response.close()
    assert kept_files(folder) == []

    whole = client.get("/calendar.ics")
    assert [name for name in kept_files(folder) if not name.endswith(".ics")] == []
    assert client.get("/calendar.ics").data == whole.data


def test_a_file_shorter_than_the_feed_is_not_kept(client, meetings, folder, monkeypatch):
    # A VEVENT removed between the length and the pieces: the bytes sent differ from
    # the Content-Length promised, so they are not kept.
    real = services.feed_body
    monkeypatch.setattr(services, "feed_body", lambda *a, **k: replace(real(*a, **k), length=10**6))
    client.get("/calendar.ics").get_data()
    assert kept_files(folder) == []


def test_private_feeds_are_never_written_to_disk(client, meetings, make_user, folder):
    person = make_user()
    register_for_event(meetings[2].id, person.id)
    db.session.commit()
    private = f"/feeds/{person.feed_token}.ics"
    first = client.get(private)
    assert first.status_code == 200 and b"Meeting 2" in first.data
    assert client.get(private).data == first.data
    assert kept_files(folder) == []


def test_a_folder_that_cannot_be_written_means_no_files(
    app, client, meetings, tmp_path, monkeypatch, caplog
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    app.config["FEED_CACHE_DIR"] = str(blocker / "feeds")
    monkeypatch.setattr(files, "_reported", set())
    expected = in_memory(client, "/calendar.ics", monkeypatch)
    with caplog.at_level(logging.WARNING, logger="nscal.feeds.files"):
        for _ in range(3):
            response = client.get("/calendar.ics")
            assert response.status_code == 200 and response.data == expected
            assert client.head("/calendar.ics").status_code == 200
    assert len([r for r in caplog.records if "feed files cannot be kept" in r.message]) == 1


@pytest.mark.parametrize("setting", [("FEED_CACHE_DIR", ""), ("FEED_FILE_CACHE_BYTES", 0)])
def test_the_files_can_be_turned_off(app, client, meetings, folder, setting):
    app.config[setting[0]] = setting[1]
    first = client.get("/calendar.ics")
    assert client.get("/calendar.ics").data == first.data
    assert kept_files(folder) == []


def test_the_oldest_files_go_beyond_the_limits(app, client, meetings, folder, monkeypatch):
    monkeypatch.setattr(files, "MAX_FILES", 2)
    client.get("/calendar.ics")
    first = set(kept_files(folder))
    client.get("/calendar.ics?lang=da")
    client.get("/calendar.ics?lang=sv")
    assert len(kept_files(folder)) == 2 and not first & set(kept_files(folder))

    size = (folder / kept_files(folder)[0]).stat().st_size
    app.config["FEED_FILE_CACHE_BYTES"] = size - 1  # no feed fits
    client.get("/calendar.ics?lang=fi")
    assert kept_files(folder) == []


def test_stored_vevents_missing_are_rendered_before_the_file_is_written(
    client, meetings, folder, monkeypatch
):
    expected = in_memory(client, "/calendar.ics", monkeypatch)
    db.session.execute(sa.delete(StoredVevent).where(StoredVevent.event_id % 2 == 0))
    db.session.commit()
    assert client.get("/calendar.ics").data == expected
    (name,) = kept_files(folder)
    assert (folder / name).read_bytes() == expected


def test_a_relative_folder_is_in_the_instance_folder(app, client, meetings, tmp_path):
    app.config["FEED_CACHE_DIR"] = "feed-files"
    first = client.get("/calendar.ics")
    (name,) = kept_files(Path(app.instance_path) / "feed-files")
    assert (Path(app.instance_path) / "feed-files" / name).read_bytes() == first.data
    elsewhere = tmp_path / "elsewhere"
    app.config["FEED_CACHE_DIR"] = str(elsewhere)
    client.get("/calendar.ics?lang=da")
    assert len(kept_files(elsewhere)) == 1
