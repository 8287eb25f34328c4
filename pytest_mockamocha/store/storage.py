"""A TinyDB storage that never leaves a half-written file behind.

Every write serialises the whole database, writes it to a temporary file in the same
folder, fsyncs it and renames it over the old file (``os.replace`` is atomic), so a crash
mid-write leaves the previous file readable. Reads come from memory after the first.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

Data = dict[str, dict[str, Any]]


class AtomicJSONStorage(Storage):
    """JSON file storage with atomic replace-on-write and an in-memory read cache."""

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._cache: Data | None = None
        self._held = 0
        self._dirty = False

    def read(self) -> Data | None:
        if self._cache is None:
            try:
                text = self.path.read_text(encoding="utf-8")
            except FileNotFoundError:
                return None
            self._cache = json.loads(text) if text.strip() else None
        return self._cache

    def hold(self) -> None:
        """Keep writes in memory until the matching ``release`` (one file write for many)."""
        self._held += 1

    def release(self, commit: bool = True) -> None:
        """End a ``hold``; the outermost one writes the file once if anything changed.

        Without ``commit`` the held changes are dropped and the file is read again."""
        self._held -= 1
        if self._held or not self._dirty:
            return
        self._dirty = False
        if commit and self._cache is not None:
            self._flush(self._cache)
        else:
            self._cache = None

    def write(self, data: Data) -> None:
        if self._held:
            self._cache, self._dirty = data, True
            return
        self._flush(data)

    def _flush(self, data: Data) -> None:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        try:
            _atomic_write(self.path, text)
        except BaseException:
            self._cache = None  # TinyDB changed the cached dict in place: reload from disk
            raise
        self._cache = data

    def close(self) -> None:
        self._cache = None


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
