"""Values describing a loaded API: its operations, their parameters and responses."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import TYPE_CHECKING, Any, Protocol

from pytest_mockamocha.spec.check import Problem

if TYPE_CHECKING:
    from pathlib import Path

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

JSON = Any  # a JSON-like value: dict, list, str, int, float, bool or None


@dataclass(frozen=True, slots=True)
class Parameter:
    """One declared parameter of an operation (path-level ones merged in)."""

    name: str
    location: str  # path, query, header or cookie
    required: bool
    deprecated: bool = False
    schema: Mapping[str, JSON] | None = field(default=None, compare=False, repr=False)
    style: str | None = None  # as declared; None means the location's default
    explode: bool | None = None
    #: declared with ``content`` (a media type) instead of ``schema``
    has_content: bool = False
    allow_empty: bool = False


class PartsBuilder(Protocol):
    """Builds the deferred parts of a document's operations (``Operation.deferred``)."""

    #: held while a part is built: two threads asking first get the same object
    lock: threading.Lock

    def build(self, op: Operation, part: str) -> Any:
        """The value of ``op``'s part ``part`` (one of ``Operation.DEFERRED``)."""
        ...


@dataclass(frozen=True, slots=True)
class Operation:
    """One method on one path template, with everything needed to mock it.

    A loaded document's operations build ``parameters``, ``request_body`` and
    ``responses`` when first read (``deferred``): a run pays for the operations it uses,
    not for all 1,223 of a large document."""

    method: str  # upper case: "GET"
    path: str  # the template as written in the spec: "/pets/{petId}"
    operation_id: str | None = None
    summary: str = ""
    deprecated: bool = False
    pointer: str = field(default="", compare=False)
    tags: tuple[str, ...] = field(default=(), compare=False)
    parameters: tuple[Parameter, ...] = field(default=(), compare=False)
    request_body: Mapping[str, JSON] | None = field(default=None, compare=False, repr=False)
    responses: Mapping[str, Mapping[str, JSON]] = field(
        default_factory=dict, compare=False, repr=False
    )
    security: tuple[Mapping[str, JSON], ...] | None = field(default=None, compare=False)
    #: how users name it: ``"GET /pets/{petId}"`` (kept: a request asks for it several times)
    name: str = field(init=False, repr=False, compare=False)
    #: ``success_status()`` once asked (``responses`` never changes once loaded)
    _success: str | None = field(default="", init=False, repr=False, compare=False)
    #: builds the parts left unset by ``deferred`` (None: built when made)
    _parts: PartsBuilder | None = field(default=None, init=False, repr=False, compare=False)

    #: the parts ``deferred`` leaves to be built when first read
    DEFERRED = ("parameters", "request_body", "responses")

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", f"{self.method} {self.path}")

    @classmethod
    def deferred(cls, parts: PartsBuilder, **given: Any) -> Operation:
        """An operation whose ``DEFERRED`` parts ``parts`` builds when first read.

        Their slots are left empty: reading one misses, and ``__getattr__`` builds it
        under ``parts.lock`` and fills the slot, so later reads are plain slot reads.

        The other slots are filled here as ``__init__`` fills them, without filling the
        deferred ones first only to empty them (a document's every operation is made so:
        ~40% of its cost; GitHub's 1,223 operations)."""
        unknown = given.keys() - _EAGER_NAMES
        if unknown:
            raise TypeError(f"Operation has no field {sorted(unknown)[0]!r}")
        op = object.__new__(cls)
        put = object.__setattr__
        for name, default in _EAGER:
            if name in given:
                put(op, name, given[name])
            elif default is MISSING:
                raise TypeError(f"Operation needs {name!r}")
            else:
                put(op, name, default)
        put(op, "name", f"{op.method} {op.path}")
        put(op, "_success", "")
        put(op, "_parts", parts)
        return op

    if not TYPE_CHECKING:  # hidden from mypy, which would accept any attribute otherwise

        def __getattr__(self, name: str) -> Any:
            if name not in Operation.DEFERRED:
                raise AttributeError(name)
            parts = object.__getattribute__(self, "_parts")
            with parts.lock:
                try:  # built meanwhile by another thread
                    return object.__getattribute__(self, name)
                except AttributeError:
                    object.__setattr__(self, name, parts.build(self, name))
            return object.__getattribute__(self, name)

    def __getstate__(self) -> tuple[Any, ...]:
        """Every field's value, deferred parts built (the builder holds a lock and the
        document's parser state: it is not pickled)."""
        return tuple(None if f.name == "_parts" else getattr(self, f.name) for f in fields(self))

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for f, value in zip(fields(self), state, strict=True):
            object.__setattr__(self, f.name, value)

    def built(self, part: str) -> bool:
        """Whether the deferred ``part`` has been built (always, for one not deferred)."""
        try:
            object.__getattribute__(self, part)
        except AttributeError:
            return False
        return True

    def params_in(self, location: str) -> tuple[Parameter, ...]:
        """The declared parameters of one location."""
        return tuple(p for p in self.parameters if p.location == location)

    # -- statuses --------------------------------------------------------------------------
    def success_status(self) -> str | None:
        """The declared status a successful call answers with: first 2xx, else default,
        else any."""
        found = self._success
        if found == "":
            found = self._find_success()
            object.__setattr__(self, "_success", found)
        return found

    def _find_success(self) -> str | None:
        codes = list(self.responses)
        two = sorted(c for c in codes if c.isdigit() and c.startswith("2"))
        if two:
            return two[0]
        ranged = [c for c in codes if c.upper() == "2XX"]
        if ranged:
            return ranged[0]
        if "default" in codes:
            return "default"
        return codes[0] if codes else None

    def declared_key(self, status: int) -> str | None:
        """The responses key that covers ``status``: exact, then ``4XX``, then ``default``."""
        if str(status) in self.responses:
            return str(status)
        ranged = f"{str(status)[0]}XX"
        for key in self.responses:
            if key.upper() == ranged:
                return key
        return "default" if "default" in self.responses else None

    @staticmethod
    def status_int(code: str, fallback: int = 200) -> int:
        """A responses key as a status: ``"201"`` -> 201, ``"2XX"`` -> 200, ``"default"`` ->
        ``fallback``."""
        if code.isdigit():
            return int(code)
        if len(code) == 3 and code[0].isdigit() and code[1:].upper() == "XX":
            return int(code[0]) * 100
        return fallback

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True, eq=False)
class ApiSpec:
    """A loaded, bundled and checked API document, ready for the engine."""

    source: str
    document: Mapping[str, JSON] = field(repr=False)
    version: str  # "3.0" or "3.1"
    title: str
    slug: str
    operations: tuple[Operation, ...] = field(repr=False)
    content_hash: str = field(repr=False)
    warnings: tuple[Problem, ...] = field(default=(), repr=False)
    #: the path prefix of the first declared server (``/v1``), informational only
    server_path: str = ""
    #: the compiled-document cache folder it was loaded with (None: nothing kept): the
    #: verdicts on its examples are kept there too (``spec.cache.ExampleVerdicts``)
    cache_dir: Path | None = field(default=None, repr=False)
    #: ``document`` holds only JSON's types, freshly read from JSON (the compiled-document
    #: cache): a store may keep it as it is instead of a JSON-clean copy
    json_clean: bool = field(default=False, repr=False)


#: ``Operation``'s fields ``deferred`` fills from what it is given (every field but the
#: deferred parts and those ``__init__`` computes), with their defaults
_EAGER: tuple[tuple[str, Any], ...] = tuple(
    (f.name, f.default)
    for f in fields(Operation)
    if f.init and f.name not in Operation.DEFERRED
)
_EAGER_NAMES = frozenset(name for name, _ in _EAGER)
