"""The compiled-document cache: what loading a document costs, paid once per content.

Loading parses the text (YAML slowly), converts Swagger 2.0, bundles the files it refers
to, checks every ``$ref`` and validates the structure against the OpenAPI schema. All of
that depends only on the bytes read and on the loader's code, so its result (the bundled
document and what the load found) is kept under a key made of both: the hash of the
document's bytes, the package version and a fingerprint of the loader's modules. Each
entry records the hash of every file the document referred to, compared on every hit: a
changed document, a changed referenced file or another version of the loader never reads
a stale entry.

Entries live in the user's cache folder (``MOCKAMOCHA_CACHE_DIR``, else the platform's
user cache directory) under ``documents/``, as JSON. Each is written to a temporary file
and renamed into place, so a crash, or two xdist workers writing the same entry, leave a
whole entry or none; an entry that cannot be read is ignored and written anew. At most
``MAX_ENTRIES`` are kept (the least recently used are removed). A process remembers what
it read or wrote of an entry that keeps no copy of its document and refers to no file:
loading those bytes again then reads no file.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from pytest_mockamocha.spec.check import Problem
from pytest_mockamocha.spec.parse import NOT_FAST, fast_json

#: bumped when what an entry holds changes (2: warnings include undeclared path parameters;
#: 3: no document when it is the text's JSON)
FORMAT = 3
#: entries kept in the cache folder; writing one more removes the least recently used
MAX_ENTRIES = 256
_SPEC_PACKAGE = Path(__file__).parent


def default_root() -> Path:
    """The cache folder: ``MOCKAMOCHA_CACHE_DIR``, else the user's cache directory."""
    explicit = os.environ.get("MOCKAMOCHA_CACHE_DIR")
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_cache_dir("mockamocha", appauthor=False))


@dataclass(frozen=True, slots=True)
class Compiled:
    """A loaded document as the cache keeps it: bundled, converted and checked."""

    document: dict[str, Any]
    version: str
    digest: str
    #: what the load reported and served anyway (structure, dialects, undeclared path
    #: parameters), in order
    warnings: tuple[Problem, ...]
    #: read back from JSON (this cache): only JSON's types, no value shared with another
    json_clean: bool = False
    #: the document is its text's JSON as orjson reads it (nothing converted, bundled or
    #: dropped): its entry keeps no copy, and a hit reads the text it was given instead.
    #: A large JSON document's start then neither writes nor reads it twice (GitHub's:
    #: 13 MB more to write on a cold start, to read on a warm one).
    as_read: bool = False


@dataclass(frozen=True, slots=True)
class _Known:
    """What a process read of an entry that keeps no document and refers to no file:
    all that a later hit needs besides the bytes it is given."""

    version: str
    digest: str
    warnings: tuple[Problem, ...]


#: (folder, key) -> what this process read of such an entry (at most ``MAX_ENTRIES``): a
#: team server importing a document it has seen, into another collection or again, then
#: reads no file (~60 us of a 4.5 KB document's import)
_KNOWN: dict[tuple[Path, str], _Known] = {}
_KNOWN_LOCK = threading.Lock()


class DocumentCache:
    """Compiled documents by the hash of their bytes, in ``root/documents``."""

    def __init__(self, root: Path) -> None:
        self.folder = root / "documents"

    def key(self, data: bytes, kind: str) -> str:
        """The key of a document's bytes (``kind`` tells a file from text, which may not
        refer to other files)."""
        digest = hashlib.sha256()
        digest.update(f"{FORMAT}|{_loader_fingerprint()}|{kind}|".encode())
        digest.update(data)
        return digest.hexdigest()

    def get(
        self, key: str, folder: Path | None, text: bytes, parsed: Any = NOT_FAST
    ) -> Compiled | None:
        """The entry under ``key``, unless missing, unreadable, or a file it referred to
        (read from ``folder``) has changed since; ``text``: the bytes ``key`` was made of,
        read when the entry keeps no copy of them (``Compiled.as_read``), unless the caller
        read them already (``parsed``, ``fast_json``'s value)."""
        known = _KNOWN.get((self.folder, key))
        if known is not None:
            document = parsed if parsed is not NOT_FAST else fast_json(text, known=True)
            if isinstance(document, dict):
                return Compiled(document, known.version, known.digest, known.warnings, True, True)
        path = self.folder / f"{key}.json"
        try:
            entry = orjson.loads(path.read_bytes())
            if entry["format"] != FORMAT or not _files_unchanged(entry["files"], folder):
                return None
            document = entry["document"]
            if document is None:
                document = parsed if parsed is not NOT_FAST else fast_json(text, known=True)
                if not isinstance(document, dict):  # a key match, but not its JSON
                    return None
            found = Compiled(
                document=document,
                version=entry["version"],
                digest=entry["digest"],
                warnings=tuple(Problem(p, m, False) for p, m in entry["warnings"]),
                json_clean=True,
                as_read=entry["document"] is None,
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept when the folder is pruned
        if found.as_read and not entry["files"]:
            _remember(self.folder, key, _Known(found.version, found.digest, found.warnings))
        return found

    def put(self, key: str, compiled: Compiled, files: Mapping[str, str]) -> None:
        """Keep ``compiled`` under ``key`` with the hashes of the ``files`` it read (their
        paths relative to the document's folder); a cache that cannot be written only
        costs time."""
        entry = {
            "format": FORMAT,
            "files": dict(files),
            "version": compiled.version,
            "digest": compiled.digest,
            "warnings": [(p.pointer, p.message) for p in compiled.warnings],
            "document": None if compiled.as_read else compiled.document,
        }
        try:
            _write_whole(self.folder / f"{key}.json", orjson.dumps(entry, default=str))
            _prune(self.folder)
        except (OSError, TypeError):
            return
        if compiled.as_read and not files:
            known = _Known(compiled.version, compiled.digest, compiled.warnings)
            _remember(self.folder, key, known)


def _remember(folder: Path, key: str, known: _Known) -> None:
    with _KNOWN_LOCK:
        if len(_KNOWN) >= MAX_ENTRIES:
            del _KNOWN[next(iter(_KNOWN))]  # the first remembered
        _KNOWN[(folder, key)] = known


def _prune(folder: Path, pattern: str = "*.json") -> None:
    """Keep the ``MAX_ENTRIES`` most recently used files of ``folder``."""
    entries = list(folder.glob(pattern))
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=_mtime)
    for stale in entries[: len(entries) - MAX_ENTRIES]:
        with contextlib.suppress(OSError):
            stale.unlink()


def file_hash(data: bytes) -> str:
    """How an entry remembers a referenced file's content."""
    return hashlib.sha256(data).hexdigest()


def _files_unchanged(files: Mapping[str, str], folder: Path | None) -> bool:
    if not files:
        return True
    if folder is None:
        return False
    for name, digest in files.items():
        try:
            if file_hash((folder / name).read_bytes()) != digest:
                return False
        except OSError:
            return False
    return True


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


class ExampleVerdicts:
    """Whether each example of one compiled document satisfies its schema, kept across runs
    in ``root/verdicts``.

    Deciding means validating the example, which imports jsonschema and builds the
    document's validators (~40-80 ms before the first example answer); a warm start that
    serves examples reads the verdicts instead. The file is named by the document's content
    hash and a fingerprint of the validating code (the package version and the generator's
    and loader's modules), so an edited document or validator never reads an old verdict.
    Each new verdict is merged into the file and the file replaced (temporary file and
    rename): a crash or two xdist workers leave a whole file, at worst missing a verdict
    that is then decided again."""

    def __init__(self, root: Path, digest: str) -> None:
        self.path = root / "verdicts" / f"{digest}-{_validator_fingerprint()}.json"
        self._known: dict[str, bool] | None = None
        self._lock = threading.Lock()

    def get(self, pointer: str) -> bool | None:
        """The verdict on the example at ``pointer``, None when not decided yet."""
        with self._lock:
            if self._known is None:
                self._known = self._read()
            return self._known.get(pointer)

    def put(self, pointer: str, valid: bool) -> None:
        """Keep a verdict (a cache that cannot be written only costs time)."""
        with self._lock:
            on_disk = self._read()
            on_disk[pointer] = valid
            self._known = {**(self._known or {}), **on_disk}
            with contextlib.suppress(OSError, TypeError):
                _write_whole(self.path, orjson.dumps(on_disk))
                if len(on_disk) == 1:  # a new file: the folder stays bounded
                    _prune(self.path.parent)

    def _read(self) -> dict[str, bool]:
        try:
            found = orjson.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        if not isinstance(found, dict):
            return {}
        return {str(k): v for k, v in found.items() if isinstance(v, bool)}


#: a generated answers file stops growing past this size; later answers are generated.
#: What a responder has read of it stays in memory: a team server holds at most its
#: compiled collections' worth (64 by default: 64 MiB at most).
MAX_ANSWER_BYTES = 1024 * 1024
#: an answer body larger than this is generated again rather than kept
MAX_ANSWER_BODY = 64 * 1024
#: what a kept answer holds: the body, its Content-Type, its headers
Kept = tuple[bytes, str | None, list[tuple[str, str]]]


class GeneratedAnswers:
    """Answers generated from one compiled document's schemas, kept across runs in
    ``root/answers``.

    A generated answer depends only on the document, what keys the answer (seed,
    operation, status, type sent, the request) and the code that generates it, so a warm
    start can send the one an earlier run generated. The first answer of an operation
    without examples then neither imports Faker and jsonschema nor builds the
    generator (~150 ms on a 20-operation document). The file is named by the document's
    content hash and ``_answer_fingerprint``: an edited document, generator, responder
    or generating library never reads an old answer.

    One JSON line per answer, appended with ``O_APPEND`` (xdist workers' lines never
    mix); a line a crash cut short is skipped. Past ``MAX_ANSWER_BYTES`` a file stops
    growing, and a body over ``MAX_ANSWER_BODY`` is not kept: those are generated as
    before."""

    def __init__(self, root: Path, digest: str) -> None:
        self._root, self._digest = root, digest
        self._known: dict[str, Kept] | None = None
        self._full = False
        self._lock = threading.Lock()

    @functools.cached_property
    def path(self) -> Path:
        """The file of this document's answers: named when first needed, so a server that
        answers from examples never looks for the generating libraries."""
        return self._root / "answers" / f"{self._digest}-{_answer_fingerprint()}.jsonl"

    def get(self, key: str) -> Kept | None:
        """The answer kept under ``key``, None when none is."""
        with self._lock:
            if self._known is None:
                self._known = self._read()
            return self._known.get(key)

    def put(self, key: str, body: bytes, ctype: str | None, headers: list[tuple[str, str]]) -> None:
        """Keep an answer (a cache that cannot be written only costs time)."""
        if len(body) > MAX_ANSWER_BODY:
            return
        line = orjson.dumps(
            {"key": key, "body": body.decode("latin-1"), "type": ctype, "headers": headers}
        )
        with self._lock:
            known = self._known if self._known is not None else self._read()
            self._known = known
            if self._full or key in known:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    size = os.fstat(fd).st_size
                    if size + len(line) + 2 > MAX_ANSWER_BYTES:
                        self._full = True
                        return
                    if size:  # a line a crash cut short stays apart from this one
                        os.lseek(fd, size - 1, os.SEEK_SET)
                        line = (b"" if os.read(fd, 1) == b"\n" else b"\n") + line
                    os.write(fd, line + b"\n")
                finally:
                    os.close(fd)
                if size == 0:  # a new file: the folder stays bounded
                    _prune(self.path.parent, "*.jsonl")
            except OSError:
                return
            known[key] = (body, ctype, list(headers))

    def _read(self) -> dict[str, Kept]:
        try:
            lines = self.path.read_bytes().splitlines()
        except OSError:
            return {}
        found: dict[str, Kept] = {}
        for line in lines:
            try:
                entry = orjson.loads(line)
                key, body, ctype = entry["key"], entry["body"], entry["type"]
                headers = [(str(name), str(value)) for name, value in entry["headers"]]
            except (ValueError, KeyError, TypeError):
                continue  # cut short by a crash, or not ours
            if isinstance(key, str) and isinstance(body, str) and isinstance(ctype, str | None):
                found.setdefault(key, (body.encode("latin-1"), ctype, headers))
        return found


def _write_whole(path: Path, data: bytes) -> None:
    """``data`` into ``path`` through a temporary file and a rename: readers see the old
    file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


_FINGERPRINT: list[str] = []
_VALIDATOR_FINGERPRINT: list[str] = []


def _validator_fingerprint() -> str:
    """The loader's fingerprint and the size and time of each module of the generator,
    whose ``Checker`` decides whether an example is valid."""
    if not _VALIDATOR_FINGERPRINT:
        parts = [_loader_fingerprint()]
        for module in sorted((_SPEC_PACKAGE.parent / "generate").glob("*.py")):
            with contextlib.suppress(OSError):
                stat = module.stat()
                parts.append(f"{module.name}:{stat.st_size}:{stat.st_mtime_ns}")
        _VALIDATOR_FINGERPRINT.append(hashlib.sha256("|".join(parts).encode()).hexdigest()[:16])
    return _VALIDATOR_FINGERPRINT[0]


_ANSWER_FINGERPRINT: list[str] = []
#: the libraries whose versions shape a generated value
_GENERATING_LIBRARIES = ("faker", "hypothesis", "hypothesis_jsonschema", "jsonschema")


def _answer_fingerprint() -> str:
    """The validator's fingerprint, Python's version, the size and time of each module of
    the responder (which encodes the answer), and where each generating library's
    package file is with its size and time: found without importing them, and another
    version installed is another file."""
    if not _ANSWER_FINGERPRINT:
        import importlib.util
        import sys

        parts = [_validator_fingerprint(), sys.version]
        for module in sorted((_SPEC_PACKAGE.parent / "engine" / "respond").glob("*.py")):
            with contextlib.suppress(OSError):
                stat = module.stat()
                parts.append(f"{module.name}:{stat.st_size}:{stat.st_mtime_ns}")
        for name in _GENERATING_LIBRARIES:
            found = importlib.util.find_spec(name)
            origin = found.origin if found is not None else None
            with contextlib.suppress(OSError, TypeError):
                stat = Path(str(origin)).stat()
                parts.append(f"{name}:{origin}:{stat.st_size}:{stat.st_mtime_ns}")
        _ANSWER_FINGERPRINT.append(hashlib.sha256("|".join(parts).encode()).hexdigest()[:16])
    return _ANSWER_FINGERPRINT[0]


def _loader_fingerprint() -> str:
    """The package version and the size and time of each module of the loader: an edited
    loader (a development checkout) never reads what the previous one compiled."""
    if not _FINGERPRINT:
        from pytest_mockamocha import _version

        parts = [_version.__version__]
        for module in sorted(_SPEC_PACKAGE.glob("*.py")):
            with contextlib.suppress(OSError):
                stat = module.stat()
                parts.append(f"{module.name}:{stat.st_size}:{stat.st_mtime_ns}")
        _FINGERPRINT.append(hashlib.sha256("|".join(parts).encode()).hexdigest()[:16])
    return _FINGERPRINT[0]
