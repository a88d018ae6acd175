"""Whole public feeds kept as files, one per version and address, by each app server.

A feed too large to be joined in memory is read from the database while it is sent
(``nscal.feeds.services.feed_body``). The first request of a server for a version of
a public feed writes the bytes it sends to a temporary file in the folder, and renames
it into place (``os.replace``) only once all of them are written: a crash, a client
that goes away or an error midway leaves no file under a feed's name. The next
requests for that version send the file (``send_file``: the server's
``wsgi.file_wrapper``, gunicorn's sendfile), after the validator's one statement.

The version is in the file's name, so a change makes a new file; writing it removes
the older files of the same address, then the oldest files beyond
``FEED_FILE_CACHE_BYTES`` or ``MAX_FILES``. Nothing needs the files to be shared: each
server writes its own, and the database stays the only shared state. Private feeds
(one reader each) are never written. A folder that cannot be made or written means
no files, logged once, never a failed request.
"""

import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

log = logging.getLogger(__name__)

MAX_FILES = 256
# A temporary file this old was left by a writer that died (a killed worker).
ABANDONED_AFTER = 3600  # seconds
SUFFIX = ".ics"

# The folders already reported as unusable, so each is logged once per process.
_reported: set[str] = set()


@dataclass(frozen=True)
class FeedFile:
    """The file of one version of one public feed, at one address in one language."""

    folder: Path
    address: str  # the hash of the feed's address and language: shared by its versions
    name: str  # the file's name: the address's hash, then the version's
    max_bytes: int

    @property
    def path(self) -> Path:
        return self.folder / self.name

    def open(self) -> BinaryIO | None:
        """The file opened for reading, or None when this server has not written it.

        Opened rather than checked: a writer that replaces it later removes only its
        name, and the open file is still read whole."""
        try:
            return self.path.open("rb")
        except FileNotFoundError:
            return None
        except OSError as exc:
            _report(self.folder, exc)
            return None

    def size(self) -> int | None:
        """The file's length (for HEAD), or None when there is no file."""
        try:
            return self.path.stat().st_size
        except OSError:
            return None

    def writing(self, pieces: Iterator[bytes], length: int) -> Iterator[bytes]:
        """``pieces`` as they come, written on the way to a temporary file that becomes
        this file when all ``length`` bytes were written; removed otherwise."""
        temp = self._temporary()
        if temp is None:
            yield from pieces
            return
        written, kept = 0, False
        try:
            for piece in pieces:
                if temp is not None:
                    try:
                        temp.write(piece)
                    except OSError as exc:  # a full disk: send the feed all the same
                        _report(self.folder, exc)
                        _discard(temp)
                        temp = None
                written += len(piece)
                yield piece
            if temp is not None and written == length:
                kept = self._keep(temp)
        finally:
            # An exception, or the server closing the iterator early (GeneratorExit)
            # when the client went away.
            if temp is not None and not kept:
                _discard(temp)

    def _temporary(self) -> BinaryIO | None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            return tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by _keep or _discard
                dir=self.folder, prefix=f".{self.address}-", suffix=".part", delete=False
            )
        except OSError as exc:
            _report(self.folder, exc)
            return None

    def _keep(self, temp) -> bool:
        try:
            temp.close()
            os.replace(temp.name, self.path)
        except OSError as exc:
            _report(self.folder, exc)
            return False
        with suppress(OSError):  # tidying is best effort: the next write tries again
            self._tidy()
        return True

    def _tidy(self) -> None:
        """Remove this address's older versions, then the oldest files over the limits,
        and temporary files their writers abandoned."""
        now = time.time()
        files = []
        for entry in os.scandir(self.folder):
            if entry.name.endswith(".part"):
                if now - _mtime(entry, now) > ABANDONED_AFTER:
                    _remove(entry.path)
            elif entry.name.endswith(SUFFIX) and entry.name != self.name:
                if entry.name.startswith(f"{self.address}-"):
                    _remove(entry.path)
                else:
                    files.append(entry)
        mine = self.path.stat().st_size
        files.sort(key=lambda entry: _mtime(entry, now))
        total = mine + sum(_size(entry) for entry in files)
        while files and (total > self.max_bytes or len(files) + 1 > MAX_FILES):
            oldest = files.pop(0)
            total -= _size(oldest)
            _remove(oldest.path)
        if mine > self.max_bytes:  # larger than the whole limit: not kept
            _remove(self.path)


def feed_file(etag: str, url: str, language: str) -> FeedFile | None:
    """The current app's file for this version of a public feed (``etag``) at ``url``
    in ``language``; None when the app keeps no feed files."""
    config = current_app.config
    folder = config.get("FEED_CACHE_DIR")
    max_bytes = config["FEED_FILE_CACHE_BYTES"]
    if folder == "" or not max_bytes:
        return None
    # A relative folder is in the instance folder, as the default is.
    folder = Path(current_app.instance_path) / (folder or Path("cache", "feeds"))
    address = hashlib.sha256(f"{url}\n{language}".encode()).hexdigest()[:24]
    version = hashlib.sha256(f"{etag}\n{url}\n{language}".encode()).hexdigest()[:32]
    return FeedFile(folder, address, f"{address}-{version}{SUFFIX}", max_bytes)


def _report(folder: Path, exc: OSError) -> None:
    if str(folder) not in _reported:
        _reported.add(str(folder))
        log.warning(
            "feed files cannot be kept in %s (%s): feeds are read from the database", folder, exc
        )


def _discard(temp) -> None:
    with suppress(OSError):
        temp.close()
    _remove(temp.name)


def _remove(path) -> None:
    with suppress(OSError):  # another worker's tidying may have removed it first
        os.remove(path)


def _mtime(entry: os.DirEntry, default: float) -> float:
    try:
        return entry.stat().st_mtime
    except OSError:
        return default


def _size(entry: os.DirEntry) -> int:
    try:
        return entry.stat().st_size
    except OSError:
        return 0
