"""Where backups go: folders (``file:///path``) and S3-compatible storage (``s3://bucket/p``).

Every destination writes a backup so that it is complete or absent: a folder copy is
built in ``.partial-<id>-<pid>/`` and renamed into place (one atomic rename); an S3 copy
uploads the payload and manifest first and the signature last, and only ids with a
signature are listed. A killed run therefore never leaves a backup that looks complete.
Every failure is one ``DestinationError`` naming the destination (never a credential).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import time
from pathlib import Path
from typing import Protocol

from strongroom.protection.backups.errors import DestinationError
from strongroom.protection.backups.internal.archive import SIGNATURE

BACKUP_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")
PARTIAL_MAX_AGE = 24 * 3600  # stale ``.partial`` folders older than this are removed


class Destination(Protocol):
    url: str

    def put(self, backup_id: str, files: dict[str, Path]) -> None: ...
    def ids(self) -> list[str]: ...
    def fetch(self, backup_id: str, name: str, dest: Path) -> None: ...
    def read(self, backup_id: str, name: str) -> bytes: ...
    def delete(self, backup_id: str) -> None: ...
    def clean_partial(self) -> int: ...
    def local_path(self) -> Path | None: ...


def _os_message(exc: OSError) -> str:
    if exc.errno == errno.EROFS:
        return "the destination is on a read-only file system"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "the destination is not writable by this user (permission denied)"
    if exc.errno == errno.ENOSPC:
        return "no space left on the destination's disk"
    if exc.errno == errno.ENOENT:
        return "the backup or the destination folder does not exist"
    return f"{exc.strerror or type(exc).__name__}"


class FileDestination:
    def __init__(self, url: str) -> None:
        self.url = url
        self.root = Path(url[len("file://"):])

    def local_path(self) -> Path | None:
        return self.root

    def put(self, backup_id: str, files: dict[str, Path]) -> None:
        partial = self.root / f".partial-{backup_id}-{os.getpid()}"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            partial.mkdir(mode=0o700)
            # the signature last, so even the partial folder shows its state
            for name in sorted(files, key=lambda n: n == SIGNATURE):
                target = partial / name
                shutil.copyfile(files[name], target)
                _fsync(target)
            _fsync(partial)
            os.rename(partial, self.root / backup_id)
            _fsync(self.root)
        except OSError as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise DestinationError(self.url, _os_message(exc)) from None

    def ids(self) -> list[str]:
        try:
            entries = list(os.scandir(self.root))
        except OSError as exc:
            raise DestinationError(self.url, _os_message(exc)) from None
        return sorted(e.name for e in entries if BACKUP_ID.match(e.name)
                      and (Path(e.path) / SIGNATURE).exists())

    def fetch(self, backup_id: str, name: str, dest: Path) -> None:
        try:
            shutil.copyfile(self.root / backup_id / name, dest)
        except OSError as exc:
            raise DestinationError(self.url, _os_message(exc)) from None

    def read(self, backup_id: str, name: str) -> bytes:
        try:
            return (self.root / backup_id / name).read_bytes()
        except OSError as exc:
            raise DestinationError(self.url, _os_message(exc)) from None

    def delete(self, backup_id: str) -> None:
        if not BACKUP_ID.match(backup_id):
            raise DestinationError(self.url, f"refusing to delete {backup_id!r}")
        try:
            # the signature first: a half-deleted backup is an incomplete one
            (self.root / backup_id / SIGNATURE).unlink(missing_ok=True)
            shutil.rmtree(self.root / backup_id)
        except OSError as exc:
            raise DestinationError(self.url, _os_message(exc)) from None

    def clean_partial(self) -> int:
        removed = 0
        try:
            entries = list(os.scandir(self.root))
        except OSError:
            return 0
        for entry in entries:
            if entry.name.startswith(".partial-") and (
                    time.time() - entry.stat().st_mtime > PARTIAL_MAX_AGE
                    or not pid_alive(entry.name.rsplit("-", 1)[-1])):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed += 1
        return removed


def pid_alive(text: str) -> bool:
    try:
        os.kill(int(text), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def destination_for(url: str) -> Destination:
    if url.startswith("file:///"):
        return FileDestination(url)
    if url.startswith("s3://"):
        from strongroom.protection.backups.internal.s3 import S3Destination  # boto3 is slow
        # to import; only S3 users pay for it

        return S3Destination(url)
    raise DestinationError(url, "not a file:///path or s3://bucket/prefix destination")
