"""Bundle a multi-file document into one, and check every ``$ref`` in it.

Relative file refs are read once from inside the root document's folder and kept under
``x-mockamocha-files`` in the bundle, with every ref rewritten to a local one; after this
nothing downstream (openapi-core included) ever needs to touch the file system or the
network. Remote refs and refs that leave the folder are refused, naming the ref.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pytest_mockamocha.errors import SpecError
from pytest_mockamocha.spec import pointer as jp
from pytest_mockamocha.spec.parse import NOT_FAST, fast_json, parse_slowly

FILES_KEY = "x-mockamocha-files"
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")
#: Keys whose values are literal data, where a "$ref" key is not a reference.
_LITERAL_KEYS = frozenset({"example", "default", "enum", "const"})
MAX_FILES = 500
#: spells a JSON pointer when an error message needs it
Where = Callable[[], str]


class Bundler:
    """Collects the files one root document refers to and rewrites refs to local ones."""

    def __init__(
        self,
        root_doc: Any,
        source: str,
        folder: Path | None,
        read: Callable[[Path], bytes] | None = None,
        text: bytes | None = None,
    ):
        self.root_doc = root_doc
        #: the root document's JSON bytes, when it was read from them (see ``_text_refs_hold``)
        self._text = text
        #: every ref has been followed already: ``check_found`` has nothing left to do
        self.checked = False
        self.source = source
        self.folder = folder.resolve() if folder is not None else None
        self._read = read or Path.read_bytes
        self._keys: dict[Path, str] = {}
        self._files: dict[str, Any] = {}
        self._queue: deque[tuple[Any, str, Path | None]] = deque()
        #: every distinct (rewritten) ref of the bundle, and where its first holder is
        self.refs: dict[str, Where] = {}
        #: the files read, by their path relative to the folder: the hash of their bytes
        self.file_hashes: dict[str, str] = {}
        #: every file read was read by orjson (see ``parse.fast_json``)
        self.finite = True

    def bundle(self) -> Any:
        """The root document with all file refs made local (mutated in place)."""
        if self._text is not None and self._text_refs_hold(self._text):
            self.checked = True
            return self.root_doc
        root_path = Path(self.source).resolve() if self.folder is not None else None
        if root_path is not None:
            self._keys[root_path] = ""
        self._queue.append((self.root_doc, "", root_path))
        while self._queue:
            doc, key, path = self._queue.popleft()
            self._walk(doc, key, path)
        if self._files:
            if not isinstance(self.root_doc, dict):
                raise SpecError("the document is not a mapping", source=self.source)
            self.root_doc[FILES_KEY] = self._files
        return self.root_doc

    def _text_refs_hold(self, text: bytes) -> bool:
        """Whether the refs the root's JSON text spells are all local and each leads
        somewhere: then nothing is bundled or rewritten, and walking the document for its
        refs (~80 ms of GitHub's cold start, against ~20 ms for this) is not needed.

        Without a ``\\u`` escape in the text, every ``$ref`` key is spelled as it is, so
        the text shows them all. It may show more: a ``$ref`` inside an example is data.
        One of those that leads nowhere sends the document the walk's way, which tells
        data from references and says where the bad one stands."""
        if b"\\u" in text:
            return False
        refs = {_unescaped(found) for found in set(_TEXT_REF.findall(text))}
        if not all(ref.startswith("#") for ref in refs):
            return False
        try:
            for ref in refs:
                follow_ref(self.root_doc, ref, self.source, "")
        except SpecError:
            return False
        return True

    def _walk(self, node: Any, key: str, path: Path | None) -> None:
        prefix = jp.join(f"/{FILES_KEY}", key) if key else ""

        def rewrite(holder: dict[str, Any], where: Where) -> None:
            local = self._rewrite(holder["$ref"], key, path, where)
            holder["$ref"] = local
            if local not in self.refs:  # where it stands in the bundle, for check_found
                self.refs[local] = (lambda: prefix + where()) if prefix else where

        walk_refs(node, rewrite)

    def _rewrite(self, ref: str, key: str, path: Path | None, where: Where) -> str:
        file_part, _, fragment = ref.partition("#")
        shown = self._shown(key)
        if not file_part:
            return ref if not key else "#" + jp.join(f"/{FILES_KEY}", key) + fragment
        if _SCHEME.match(file_part):
            raise SpecError(
                f"remote $ref {ref!r} refused: specs may only refer to files in their own folder",
                source=shown,
                pointer=where(),
            )
        if path is None or self.folder is None:
            raise SpecError(
                f"$ref {ref!r} refers to a file, but this document was not read from a folder",
                source=shown,
                pointer=where(),
            )
        target = (path.parent / unquote(file_part)).resolve()
        if not target.is_relative_to(self.folder):
            raise SpecError(
                f"$ref {ref!r} leaves the spec's folder; refused", source=shown, pointer=where()
            )
        target_key = self._load(target, ref, shown, where)
        if not target_key:
            return "#" + fragment
        return "#" + jp.join(f"/{FILES_KEY}", target_key) + fragment

    def _load(self, target: Path, ref: str, shown: str, where: Where) -> str:
        if target in self._keys:
            return self._keys[target]
        if len(self._keys) >= MAX_FILES:
            raise SpecError(
                f"more than {MAX_FILES} files referenced", source=shown, pointer=where()
            )
        try:
            raw = self._read(target)
        except OSError as exc:
            raise SpecError(
                f"$ref {ref!r}: cannot read {target.name} ({exc.strerror})",
                source=shown,
                pointer=where(),
            ) from None
        assert self.folder is not None
        key = target.relative_to(self.folder).as_posix()
        self.file_hashes[key] = hashlib.sha256(raw).hexdigest()
        doc = fast_json(raw)
        if doc is NOT_FAST:
            self.finite = False
            doc = parse_slowly(raw, key)
        self._keys[target] = key
        self._files[key] = doc
        self._queue.append((doc, key, target))
        return key

    def _shown(self, key: str) -> str:
        return key or self.source


#: a ``"$ref": "..."`` member as JSON text spells it (the string's escapes kept)
_TEXT_REF = re.compile(rb'"\$ref"[ \t\r\n]*:[ \t\r\n]*"((?:[^"\\]|\\.)*)"')


def _unescaped(spelled: bytes) -> str:
    """A JSON string's value from its text between the quotes."""
    if b"\\" not in spelled:
        return spelled.decode()
    return str(json.loads(b'"' + spelled + b'"'))


def check_refs(doc: Any, source: str) -> None:
    """Raise ``SpecError`` for the first local ref that points nowhere or only at refs."""
    found: dict[str, Where] = {}

    def note(holder: dict[str, Any], where: Where) -> None:
        found.setdefault(holder["$ref"], where)

    walk_refs(doc, note)
    check_found(doc, source, found)


def check_found(doc: Any, source: str, refs: dict[str, Where]) -> None:
    """Follow each distinct ref once (``refs``: ref -> where its first holder is)."""
    for ref, where in refs.items():
        follow_ref(doc, ref, source, where)


#: Keys whose values map user-chosen names to objects: their keys are never keywords.
_NAME_MAPS = frozenset(
    {
        "properties",
        "patternProperties",
        "$defs",
        "definitions",
        "schemas",
        "responses",
        "parameters",
        "headers",
        "content",
        "paths",
        "callbacks",
        "links",
        "securitySchemes",
        "requestBodies",
        "dependentSchemas",
        "webhooks",
        "pathItems",
        "encoding",
        "mapping",
        FILES_KEY,
    }
)


def walk_refs(root: Any, visit: Callable[[dict[str, Any], Where], None]) -> None:
    """Call ``visit(holder, where)`` for every object whose ``$ref`` is a reference;
    ``where()`` spells the holder's JSON pointer (only asked for in error messages).

    Literal values (examples, defaults, enums, consts) are data, so a ``$ref`` key inside
    them is not a reference; a property *named* ``default`` is still a schema. Pointers
    are spelled only for the objects visited (a node keeps its parent and key), which on
    large documents is most of what a walk would otherwise cost.
    """
    seen: set[int] = set()
    # (node, its parent's entry, its key, mode); mode: 0 keyword, 1 names, 2 example
    # objects, 3 inside one example object
    stack: list[tuple[Any, Any, Any, int]] = [(root, None, None, 0)]
    while stack:
        entry = stack.pop()
        node, _, _, mode = entry
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, list):
            stack.extend(
                (v, entry, i, 0) for i, v in enumerate(node) if isinstance(v, (dict, list))
            )
            continue
        if mode != 1:
            ref = node.get("$ref")
            if isinstance(ref, str):
                visit(node, functools.partial(_pointer, entry))
        for k, v in node.items():
            if isinstance(v, (dict, list)):
                child = _child_mode(k, v, mode)
                if child is not None:
                    stack.append((v, entry, k, child))


def _child_mode(key: str, value: Any, mode: int) -> int | None:
    """How a child is walked (see ``walk_refs``), or None when it holds no references."""
    if mode == 1:
        return 0
    if mode == 2:
        return 3
    if mode == 3 and key == "value":
        return None
    if key in _LITERAL_KEYS:
        return None
    if key == "examples":
        return None if isinstance(value, list) else 2
    return 1 if key in _NAME_MAPS else 0


def _pointer(entry: tuple[Any, Any, Any, int]) -> str:
    """The JSON pointer of a walked node, spelled from its chain of parents."""
    tokens: list[str] = []
    while entry[1] is not None:
        tokens.append(jp.escape(str(entry[2])))
        entry = entry[1]
    return "".join("/" + t for t in reversed(tokens))


def follow_ref(doc: Any, ref: str, source: str, at: str | Where) -> Any:
    """The first non-ref value a chain of local refs leads to (``at``: where the ref
    stands, or a function that spells it, for the error message)."""
    chain: list[str] = []
    while True:
        if not ref.startswith("#"):
            raise SpecError(
                f"$ref {ref!r} is not local after bundling", source=source, pointer=_at(at)
            )
        if ref in chain:
            raise SpecError(
                f"circular $ref: {' -> '.join([*chain, ref])}", source=source, pointer=_at(at)
            )
        chain.append(ref)
        try:
            target = jp.resolve(doc, jp.split(ref[1:]))
        except KeyError as missing:
            raise SpecError(
                f"$ref {_shown_ref(ref)!r} points nowhere (no {missing.args[0]!r})",
                source=source,
                pointer=_at(at),
            ) from None
        nxt = target.get("$ref") if isinstance(target, dict) else None
        if not isinstance(nxt, str):
            return target
        ref = nxt


def _at(at: str | Where) -> str:
    return at if isinstance(at, str) else at()


def _shown_ref(ref: str) -> str:
    prefix = "#/" + FILES_KEY + "/"
    if ref.startswith(prefix):
        rest = ref[len(prefix) :]
        file_key, _, frag = rest.partition("/")
        return file_key.replace("~1", "/").replace("~0", "~") + "#/" + frag
    return ref
