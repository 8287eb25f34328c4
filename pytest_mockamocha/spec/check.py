"""Structural validation of a whole document against the OpenAPI schema, cached by content.

Validating a large document costs seconds, so the verdict is cached by the hash of the
bundled document's bytes: in memory for the process, and on disk when a cache folder is
given, so a suite pays it once per content, not once per start.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_mockamocha.spec import pointer as jp

if TYPE_CHECKING:  # jsonschema is imported only to word a problem
    from jsonschema.exceptions import ValidationError

_CACHE_VERSION = "1"
_memory: dict[str, tuple[Problem, ...]] = {}
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a document, at a JSON pointer."""

    pointer: str
    message: str
    fatal: bool = True

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


def content_hash(doc: Any, *, finite: bool = False) -> str:
    """A stable hash of a JSON-like document's content.

    ``finite``: ``doc`` holds JSON's types only, without NaN or infinity (read by orjson),
    so orjson may serialise it: ~10 ms where ``json`` took ~80 ms on GitHub's document.
    orjson writes NaN as ``null``, so a document that may hold one (YAML's ``.nan``) is
    serialised by ``json``, which tells them apart."""
    if finite:
        import orjson

        try:
            return hashlib.sha256(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)).hexdigest()
        except orjson.JSONEncodeError:  # an integer past 64 bits, say: the json way
            pass
    blob = json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(blob).hexdigest()


def structural_problems(
    doc: Any, version: str, digest: str, cache_dir: Path | None = None
) -> tuple[Problem, ...]:
    """The document's violations of the OpenAPI schema for ``version`` ("3.0"/"3.1")."""
    key = f"{_CACHE_VERSION}-{version}-{digest}"
    with _lock:
        if key in _memory:
            return _memory[key]
    found = _read_cache(cache_dir, key)
    if found is None:
        found = _validate(doc, version)
        _write_cache(cache_dir, key, found)
    with _lock:
        _memory[key] = found
    return found


def _validate(doc: Any, version: str) -> tuple[Problem, ...]:
    schema = _oas_schema(version)
    fast = _rust_validator(version, schema)
    if fast is not None and fast.is_valid(doc):
        return ()  # the common verdict, from jsonschema-rs when it happens to be installed
    # Messages always come from python-jsonschema: openapi-spec-validator picks
    # jsonschema-rs by itself when present, and its errors read differently.
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for

    validator = _PY_VALIDATORS.get(version)
    if validator is None:
        validator = _PY_VALIDATORS[version] = validator_for(schema)(schema)
    errors = list(validator.iter_errors(doc))
    problems: list[Problem] = []
    for error in sorted(errors, key=lambda e: list(map(str, e.absolute_path)))[:_MAX_PROBLEMS]:
        detail = best_match([error, *error.context]) if error.context else error
        problems.append(Problem(_pointer(detail), _message(detail), fatal=not _tolerable(detail)))
    return tuple(problems)


_MAX_PROBLEMS = 50
#: missing fields a mock does not need (real documents often leave them out)
_MISSING_OK = frozenset({"description", "title", "version", "info"})
#: keywords whose failure leaves the document servable (unknown fields, empty maps, ...)
_KEYWORDS_OK = frozenset(
    {
        "additionalProperties",
        "minProperties",
        "format",
        "uniqueItems",
        "minItems",
        "pattern",
        "patternProperties",
        "propertyNames",
    }
)
_LITERALS = frozenset({"example", "examples", "default"})


def _tolerable(error: ValidationError) -> bool:
    """Loose but servable: reported as a warning, not refused (real specs are loose)."""
    if _LITERALS.intersection(str(p) for p in error.absolute_path):
        return True
    if error.validator == "required":
        missing = set(re.findall(r"'([^']+)' is a required property", str(error.message)))
        return bool(missing) and missing <= _MISSING_OK
    return error.validator in _KEYWORDS_OK


_PY_VALIDATORS: dict[str, Any] = {}
_RUST_VALIDATORS: dict[str, Any] = {}


_OAS_SCHEMAS: dict[str, dict[str, Any]] = {}


def _oas_schema(version: str) -> dict[str, Any]:
    """The OpenAPI meta-schema shipped with openapi-spec-validator, read from its file:
    importing the package costs pydantic, requests and jsonschema-path (half a second of
    a cold start) for two JSON files."""
    wanted = "3.1" if version == "3.1" else "3.0"
    found = _OAS_SCHEMAS.get(wanted)
    if found is None:
        found = _OAS_SCHEMAS[wanted] = _read_oas_schema(wanted)
    return found


def _read_oas_schema(version: str) -> dict[str, Any]:
    import importlib.util

    package = importlib.util.find_spec("openapi_spec_validator")  # found, not imported
    for folder in (package.submodule_search_locations or []) if package else []:
        try:
            file = Path(folder) / "resources" / "schemas" / f"v{version}" / "schema.json"
            return dict(json.loads(file.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    from openapi_spec_validator.schemas import schema_v30, schema_v31

    return dict(schema_v31 if version == "3.1" else schema_v30)


def _rust_validator(version: str, schema: dict[str, Any]) -> Any:
    if version not in _RUST_VALIDATORS:
        try:
            import jsonschema_rs

            _RUST_VALIDATORS[version] = jsonschema_rs.validator_for(schema)
        except Exception:  # not installed, or a schema it does not take: python only
            _RUST_VALIDATORS[version] = None
    return _RUST_VALIDATORS[version]


def _pointer(error: ValidationError) -> str:
    return jp.join("", *error.absolute_path)


def _message(error: ValidationError) -> str:
    text = str(error.message)
    return text if len(text) <= 200 else text[:197] + "..."


def _read_cache(cache_dir: Path | None, key: str) -> tuple[Problem, ...] | None:
    if cache_dir is None:
        return None
    try:
        raw = json.loads((cache_dir / f"{key}.json").read_text())
        return tuple(Problem(p["pointer"], p["message"], p["fatal"]) for p in raw)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(cache_dir: Path | None, key: str, problems: tuple[Problem, ...]) -> None:
    if cache_dir is None:
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            json.dump(
                [{"pointer": p.pointer, "message": p.message, "fatal": p.fatal} for p in problems],
                fh,
            )
        os.replace(tmp, cache_dir / f"{key}.json")
    except OSError:
        return  # a cache that cannot be written only costs time
