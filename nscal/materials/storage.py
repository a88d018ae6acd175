"""Where uploaded materials' bytes live: a folder, or an S3-compatible bucket.

One small interface (``put``, ``get``, ``delete`` by key) with two backends, chosen by
``NSCAL_STORAGE_URL`` (normalised by ``nscal.config``): ``file:///…/instance/materials``
by default, or ``s3://bucket/prefix`` for object storage that several app servers share
(AWS S3, MinIO, Ceph …; ``NSCAL_STORAGE_ENDPOINT_URL`` names a server other than AWS, and
the credentials come from boto3's usual sources: ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY``, a profile, an instance role).

Keys are random (``new_key``), never a name someone uploaded, so no upload can choose
where it is written or overwrite another; the database keeps the original name.
"""

import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from flask import current_app

_KEY = re.compile(r"[0-9a-f]{32}")
_EXTENSION_KEY = "nscal.materials.storage"


class StorageError(RuntimeError):
    """The storage could not keep or hand back a file (disk full, bucket unreachable …)."""


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


def new_key() -> str:
    """A fresh random key: 128 bits in hex, safe as a file name and an object name."""
    return secrets.token_hex(16)


def _checked(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class FolderStorage:
    """Files in one folder, spread over subfolders by the key's first two characters."""

    def __init__(self, root: Path):
        self.root = root

    def _path(self, key: str) -> Path:
        key = _checked(key)
        return self.root / key[:2] / key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written beside, then renamed: a reader never sees half a file.
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageError(f"cannot write {path}: {exc.strerror}") from exc

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise StorageError(f"cannot read {path}: {exc.strerror}") from exc

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot delete {self._path(key)}: {exc.strerror}") from exc


class S3Storage:
    """Objects ``<prefix>/<key>`` in one bucket of an S3-compatible server."""

    def __init__(self, bucket: str, prefix: str, client):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client

    def _name(self, key: str) -> str:
        key = _checked(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self._name(key), Body=data, ContentType=content_type
            )
        except Exception as exc:  # botocore's errors: connection, credentials, service
            raise StorageError(f"cannot store s3://{self.bucket}/{self._name(key)}: {exc}") from exc

    def get(self, key: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
            return answer["Body"].read()
        except Exception as exc:
            raise StorageError(f"cannot read s3://{self.bucket}/{self._name(key)}: {exc}") from exc

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except Exception as exc:
            raise StorageError(
                f"cannot delete s3://{self.bucket}/{self._name(key)}: {exc}"
            ) from exc


def storage_from_config(config) -> Storage:
    """The backend ``config["STORAGE_URL"]`` names (already checked by ``nscal.config``)."""
    url = urlsplit(config["STORAGE_URL"])
    if url.scheme == "s3":
        import boto3  # only installations that store in a bucket need it loaded
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=config.get("STORAGE_ENDPOINT_URL") or None,
            region_name=config.get("STORAGE_REGION") or None,
            # Path-style addressing: what MinIO and Ceph expect by default.
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}),
        )
        return S3Storage(url.netloc, unquote(url.path), client)
    return FolderStorage(Path(unquote(url.path)))


def storage() -> Storage:
    """The app's storage (made once per app: a boto3 client is costly to build)."""
    found = current_app.extensions.get(_EXTENSION_KEY)
    if found is None:
        found = current_app.extensions[_EXTENSION_KEY] = storage_from_config(current_app.config)
    return found
