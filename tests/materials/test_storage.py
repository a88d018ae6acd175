"""The two storage backends: the instance folder, and S3-compatible object storage,
tested against a real S3 server on loopback (moto's), through the app."""

import re
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from nscal import create_app
from nscal.config import ConfigError
from nscal.db import db
from nscal.materials.storage import FolderStorage, S3Storage, new_key, storage_from_config
from tests.conftest import test_config
from tests.materials.conftest import (
    PDF_BYTES,
    Coordinator,
    latest_material,
    logged_in,
    own_client,
)

BUCKET = "nscal-materials"


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server in a thread on a free loopback port."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, monkeypatch):
    """A fresh bucket, and the credentials boto3 reads from the usual variables."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-access-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret-key")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-north-1")
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
    )
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_files_go_to_the_bucket_and_back_through_the_app(
    app, s3, s3_endpoint, viewers, event, tmp_path
):
    app.config.update(STORAGE_URL=f"s3://{BUCKET}/event-files", STORAGE_ENDPOINT_URL=s3_endpoint)
    app.extensions.pop("nscal.materials.storage", None)
    coordinator = Coordinator(viewers.coordinator, event)

    assert coordinator.upload(PDF_BYTES, "report.pdf", title="Report").status_code == 302
    material = latest_material()
    assert _keys(s3) == [f"event-files/{material.storage_key}"]
    stored = s3.get_object(Bucket=BUCKET, Key=f"event-files/{material.storage_key}")
    assert stored["Body"].read() == PDF_BYTES
    assert stored["ContentType"] == "application/pdf"
    assert not (Path(app.instance_path) / "materials").exists()  # nothing on local disk

    # Another app server with the same settings serves the same file.
    second = create_app(
        {
            **test_config(app.config["SQLALCHEMY_DATABASE_URI"]),
            "STORAGE_URL": f"s3://{BUCKET}/event-files",
            "STORAGE_ENDPOINT_URL": s3_endpoint,
        }
    )
    # No app context around the request: it pushes its own and closes its session.
    served = own_client(second).get(f"/events/{event.id}/materials/{material.id}")
    assert served.status_code == 200 and served.data == PDF_BYTES
    assert served.headers["Content-Type"] == "application/pdf"
    with second.app_context():
        db.engine.dispose()  # the second server's connections close with it

    answer = viewers.coordinator.post(
        f"/manage/events/{event.id}/materials/{material.id}/delete",
        data={"csrf_token": coordinator.token()},
    )
    assert answer.status_code == 302
    assert _keys(s3) == []
    assert viewers.visitor.get(f"/events/{event.id}/materials/{material.id}").status_code == 404


def test_an_unreachable_bucket_refuses_the_upload_with_a_message(app, viewers, event):
    app.config.update(STORAGE_URL="s3://nowhere/x", STORAGE_ENDPOINT_URL="http://127.0.0.1:9")
    app.extensions.pop("nscal.materials.storage", None)
    answer = Coordinator(viewers.coordinator, event).upload(PDF_BYTES, "report.pdf")
    assert answer.status_code == 400
    assert "could not be stored just now" in answer.text


def test_the_folder_backend_keeps_deletes_and_refuses_foreign_keys(tmp_path):
    folder = FolderStorage(tmp_path / "files")
    key = new_key()
    folder.put(key, b"hello", "text/plain")
    assert folder.get(key) == b"hello"
    assert (tmp_path / "files" / key[:2] / key).read_bytes() == b"hello"
    folder.delete(key)
    assert not (tmp_path / "files" / key[:2] / key).exists()
    folder.delete(key)  # deleting twice is fine
    for bad in ("../../etc/passwd", "report.pdf", key.upper(), ""):
        with pytest.raises(ValueError):
            folder.put(bad, b"x", "text/plain")


@pytest.mark.parametrize(
    ("setting", "backend"),
    [
        (None, FolderStorage),
        ("/srv/nscal-files", FolderStorage),
        ("file:///srv/nscal-files", FolderStorage),
        ("s3://bucket/some/prefix", S3Storage),
    ],
)
def test_the_storage_setting_picks_the_backend(tmp_path, monkeypatch, setting, backend):
    if setting:
        monkeypatch.setenv("NSCAL_STORAGE_URL", setting)
    else:
        monkeypatch.delenv("NSCAL_STORAGE_URL", raising=False)
    monkeypatch.setenv("NSCAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    app = create_app(test_config(f"sqlite:///{tmp_path / 'x.sqlite'}"))
    chosen = storage_from_config(app.config)
    assert isinstance(chosen, backend)
    if setting is None:
        assert chosen.root == tmp_path / "materials"
    elif backend is S3Storage:
        assert (chosen.bucket, chosen.prefix) == ("bucket", "some/prefix")
    else:
        assert chosen.root == Path("/srv/nscal-files")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("NSCAL_STORAGE_URL", "s3://", "names no bucket"),
        ("NSCAL_STORAGE_URL", "ftp://files.example.org/x", "expected a folder"),
        ("NSCAL_STORAGE_ENDPOINT_URL", "minio:9000", "must be an http(s) URL"),
        ("NSCAL_MATERIAL_MAX_BYTES", "lots", "must be a whole number"),
    ],
)
def test_a_broken_storage_setting_stops_the_start(tmp_path, monkeypatch, variable, value, message):
    monkeypatch.setenv("NSCAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("NSCAL_STORAGE_URL", "s3://bucket/prefix")
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=re.escape(message)):
        create_app(test_config(f"sqlite:///{tmp_path / 'x.sqlite'}"))


def test_a_participant_downloads_from_the_bucket(app, s3, s3_endpoint, people, event):
    app.config.update(STORAGE_URL=f"s3://{BUCKET}", STORAGE_ENDPOINT_URL=s3_endpoint)
    app.extensions.pop("nscal.materials.storage", None)
    coordinator = Coordinator(logged_in(app, "coordinator@example.org"), event)
    coordinator.upload(PDF_BYTES, "notes.pdf", visibility="participants")
    material = latest_material()
    assert _keys(s3) == [material.storage_key]  # no prefix: keys at the top
    url = f"/events/{event.id}/materials/{material.id}"
    assert logged_in(app, "participant@example.org").get(url).data == PDF_BYTES
    assert logged_in(app, "member@example.org").get(url).status_code == 404
