"""Load an OpenAPI 3.0/3.1 document from a file or from memory into an ``ApiSpec``.

Order matters: parse safely, convert Swagger 2.0 to OpenAPI 3.0.3, refuse
what we cannot serve (other versions, no version), bundle file
refs into one local document, check every ref, validate the structure once per content,
then index the operations.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pytest_mockamocha._gc import paused_gc
from pytest_mockamocha.errors import SpecError
from pytest_mockamocha.spec import pointer as jp
from pytest_mockamocha.spec import swagger2
from pytest_mockamocha.spec.cache import Compiled, DocumentCache
from pytest_mockamocha.spec.check import Problem, content_hash, structural_problems
from pytest_mockamocha.spec.model import HTTP_METHODS, ApiSpec, Operation, Parameter
from pytest_mockamocha.spec.parse import NOT_FAST, fast_json, parse_slowly
from pytest_mockamocha.spec.refs import Bundler, check_found, follow_ref
from pytest_mockamocha.spec.slug import slug_for, slugify

#: Largest spec file read (bytes).
MAX_SPEC_BYTES = 64 * 1024 * 1024
SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def load_spec(
    path: str | Path, *, slug: str | None = None, cache_dir: Path | None = None
) -> ApiSpec:
    """Load the document at ``path`` (and the files it refers to inside its folder).

    ``cache_dir``: the cache folder (see ``spec.cache``); what loading compiles is kept
    there by content, and a second load of the same bytes reads it back."""
    file = Path(path)
    source = str(path)
    try:
        size = file.stat().st_size
        if size > MAX_SPEC_BYTES:
            raise SpecError(
                f"file is {size:,} bytes; the limit is {MAX_SPEC_BYTES:,}", source=source
            )
        raw = file.read_bytes()
    except OSError as exc:
        raise SpecError(f"cannot read the spec ({exc.strerror})", source=source) from None
    with paused_gc():
        compiled = _compiled(raw, source, file.parent, cache_dir, kind="file")
        return _spec(
            compiled, source=source, slug=slug, default_slug=slug_for(file), cache_dir=cache_dir
        )


def load_text(
    text: bytes | str,
    *,
    source: str = "<document>",
    slug: str = "api",
    cache_dir: Path | None = None,
    parsed: Any = NOT_FAST,
) -> ApiSpec:
    """Load a document given as YAML or JSON text; it may not refer to other files.

    ``parsed``: what ``fast_json`` read from these very bytes, when the caller read them
    already (the management API, to tell a document from a wrapper): not read again."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    with paused_gc():
        compiled = _compiled(raw, source, None, cache_dir, kind="text", parsed=parsed)
        return _spec(compiled, source=source, slug=None, default_slug=slug, cache_dir=cache_dir)


def build_spec(
    doc: Any,
    *,
    source: str,
    folder: Path | None,
    slug: str | None,
    default_slug: str = "api",
    cache_dir: Path | None = None,
) -> ApiSpec:
    """Check and index an already parsed document; slug: given > x-mockamocha-slug > default."""
    with paused_gc():
        compiled, _ = _compile(doc, source, folder, cache_dir)
        return _spec(
            compiled, source=source, slug=slug, default_slug=default_slug, cache_dir=cache_dir
        )


def _compiled(
    raw: bytes,
    source: str,
    folder: Path | None,
    cache_dir: Path | None,
    *,
    kind: str,
    parsed: Any = NOT_FAST,
) -> Compiled:
    """The document in ``raw`` compiled: from the cache when it holds these bytes.
    ``parsed``: ``fast_json``'s reading of ``raw``, if made already."""
    cache = DocumentCache(cache_dir) if cache_dir is not None else None
    key = cache.key(raw, kind) if cache is not None else ""
    if cache is not None:
        found = cache.get(key, folder, raw, parsed)
        if found is not None:
            return found
    doc = parsed if parsed is not NOT_FAST else fast_json(raw)
    finite = doc is not NOT_FAST
    if not finite:
        try:
            doc = parse_slowly(raw, source)
        except UnicodeDecodeError:
            what = "the file" if kind == "file" else "the document"
            raise SpecError(f"{what} is not UTF-8 text", source=source) from None
    compiled, files = _compile(doc, source, folder, cache_dir, finite=finite, text=raw)
    if cache is not None:
        cache.put(key, compiled, files)
    return compiled


def _compile(
    doc: Any,
    source: str,
    folder: Path | None,
    cache_dir: Path | None,
    *,
    finite: bool = False,
    text: bytes | None = None,
) -> tuple[Compiled, dict[str, str]]:
    """Convert, bundle, check the refs and the structure of a parsed document; the result
    and the hashes of the files it referred to (by path relative to ``folder``).

    ``finite``: ``doc`` was read by orjson (``fast_json``) from ``text``. When its files
    were too and nothing was converted, it holds JSON's types only and shares no value, as
    a document read back from the cache does (``json_clean``): stored as it is, hashed by
    orjson. Its refs may then be read from the text (``Bundler``)."""
    if not isinstance(doc, dict):
        kind = "empty" if doc is None else f"a {type(doc).__name__}"
        raise SpecError(f"the document is {kind}, not an OpenAPI mapping", source=source)
    parsed = doc
    doc, version = _as_openapi3(doc, source)
    as_read = text if finite and doc is parsed else None  # a conversion rewrote refs
    bundler = Bundler(doc, source, folder, text=as_read)
    doc = bundler.bundle()
    finite = finite and bundler.finite
    if not bundler.checked:
        check_found(doc, source, bundler.refs)
    # the text's own JSON, as orjson reads it: what the cache need not keep (see Compiled)
    unchanged = bundler.checked
    paths = doc.get("paths")
    if not isinstance(paths, dict):
        if version == "3.1" and ("webhooks" in doc or "components" in doc) and paths is None:
            doc["paths"] = {}
            unchanged = False
        else:
            raise SpecError(
                "the document has no `paths` mapping: nothing to mock",
                source=source,
                pointer="/paths",
            )
    dialects = _drop_unknown_dialects(doc) if version == "3.1" else []
    digest = content_hash(doc, finite=finite)
    checks = cache_dir / "checks" if cache_dir is not None else None
    problems = structural_problems(doc, version, digest, checks)
    fatal = [p for p in problems if p.fatal]
    if fatal:
        more = f" (and {len(fatal) - 1} more)" if len(fatal) > 1 else ""
        raise SpecError(
            f"not a valid OpenAPI {version} document: {fatal[0].message}{more}",
            source=source,
            pointer=fatal[0].pointer,
        )
    warnings = (*problems, *dialects, *_path_param_problems(doc))
    clean = finite and doc is parsed  # a converted Swagger 2.0 document may share values
    compiled = Compiled(
        doc, version, digest, warnings, json_clean=clean, as_read=unchanged and not dialects
    )
    return compiled, bundler.file_hashes


def _spec(
    compiled: Compiled,
    *,
    source: str,
    slug: str | None,
    default_slug: str,
    cache_dir: Path | None = None,
) -> ApiSpec:
    """The ``ApiSpec`` of a compiled document: its operations indexed, its slug chosen
    (given > ``x-mockamocha-slug`` > ``default_slug``)."""
    doc = compiled.document
    operations = _operations(doc, json_clean=compiled.json_clean)
    info = doc.get("info")
    title = info.get("title") if isinstance(info, dict) else None
    custom_slug = doc.get("x-mockamocha-slug")
    return ApiSpec(
        source=source,
        document=doc,
        version=compiled.version,
        title=str(title or slug),
        slug=slug or (slugify(custom_slug) if isinstance(custom_slug, str) else default_slug),
        operations=tuple(operations),
        content_hash=compiled.digest,
        warnings=compiled.warnings,
        server_path=_server_path(doc),
        cache_dir=cache_dir,
        json_clean=compiled.json_clean,
    )


def _drop_unknown_dialects(doc: dict[str, Any]) -> list[Problem]:
    """A 3.1 schema's ``$schema`` naming a dialect no validator knows (``draft-05`` does not
    exist) would make every request it checks fail; it is dropped (the schema is read in
    the document's dialect) and reported once with its pointer."""
    from jsonschema.validators import validator_for

    unknown = object()
    found: list[Problem] = []
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        node, at = stack.pop()
        if isinstance(node, dict):
            dialect = node.get("$schema")
            if (
                isinstance(dialect, str)
                and "spec.openapis.org" not in dialect
                and validator_for({"$schema": dialect}, default=unknown) is unknown
            ):
                del node["$schema"]
                found.append(
                    Problem(
                        f"{at}/$schema",
                        f"unknown JSON Schema dialect {dialect!r}; the schema is read as "
                        "OpenAPI 3.1's own dialect",
                        fatal=False,
                    )
                )
            stack.extend(
                (v, f"{at}/{jp.escape(str(k))}")
                for k, v in node.items()
                if isinstance(v, (dict, list))
            )
        elif isinstance(node, list):
            stack.extend(
                (v, f"{at}/{i}") for i, v in enumerate(node) if isinstance(v, (dict, list))
            )
    return found


def deref(doc: Mapping[str, Any], node: Any) -> Any:
    """``node``, or what its ``$ref`` chain leads to."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return follow_ref(doc, node["$ref"], "", "")
    return node


def _as_openapi3(doc: dict[str, Any], source: str) -> tuple[dict[str, Any], str]:
    """The document as OpenAPI 3 (Swagger 2.0 is converted to 3.0.3), and its version."""
    if "swagger" in doc and doc.get("openapi") is None and str(doc["swagger"]) == "2.0":
        doc = swagger2.convert(doc, source=source)
    return doc, _version(doc, source)


def _version(doc: Mapping[str, Any], source: str) -> str:
    openapi = doc.get("openapi")
    if "swagger" in doc and openapi is None:
        raise SpecError(
            f"Swagger {doc.get('swagger')} documents are not supported "
            "(Swagger 2.0 and OpenAPI 3.0/3.1 are)",
            source=source,
            pointer="/swagger",
        )
    if not isinstance(openapi, str):
        raise SpecError(
            "no `openapi` version field: is this an OpenAPI document?",
            source=source,
            pointer="/openapi",
        )
    if re.match(r"^3\.0(\.\d+)?$", openapi):
        return "3.0"
    if re.match(r"^3\.1(\.\d+)?$", openapi):
        return "3.1"
    raise SpecError(
        f"OpenAPI version {openapi!r} is not supported (3.0.x and 3.1.x are)",
        source=source,
        pointer="/openapi",
    )


class _Refs(dict[str, Any]):
    """What each ``$ref`` of one document leads to, followed once: large documents share a
    few hundred parameters and responses among thousands of operations."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        super().__init__()
        self.doc = doc
        #: parsed parameters, by the ``$ref`` (or the id of the inline node) they came from
        self.params: dict[str | int, Parameter | None] = {}

    def deref(self, node: Any) -> Any:
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref not in self:
                self[ref] = deref(self.doc, node)
            return self[ref]
        return node


def _raw_operations(doc: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], Any]]:
    """Each operation object of the document: its path, method, the object and its path
    item's parameters, in the document's order."""
    for path, raw_item in doc["paths"].items():
        item = deref(doc, raw_item)
        if not isinstance(item, dict) or not path.startswith("/"):
            continue
        item_params = item.get("parameters") or []
        for method in HTTP_METHODS:
            raw_op = item.get(method)
            if isinstance(raw_op, dict):
                yield path, method, raw_op, item_params


class _Parts(_Refs):
    """Builds the deferred parts of one document's operations (``Operation.deferred``)
    from the operation objects they came from, sharing what ``$ref`` chains lead to."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        super().__init__(doc)
        self.lock = threading.Lock()

    def build(self, op: Operation, part: str) -> Any:
        """``op``'s ``part``, read from its operation object (called under ``lock``)."""
        item = deref(self.doc, self.doc["paths"][op.path])
        raw = item[op.method.lower()]
        if part == "parameters":
            return _parameters(self, raw.get("parameters") or [], item.get("parameters") or [])
        if part == "request_body":
            return self.deref(raw.get("requestBody"))
        if part == "responses":
            responses = self.deref(raw.get("responses")) or {}
            return {code: self.deref(resp) for code, resp in responses.items()}
        raise ValueError(f"not a deferred part: {part}")


def _operations(doc: dict[str, Any], *, json_clean: bool) -> list[Operation]:
    """The document's operations, their parameters, request bodies and responses built
    when first read. A document not read from JSON may key responses by numbers
    (``200:`` given as an int): those keys become strings now, before the document is
    shared."""
    parts = _Parts(doc)
    global_security = doc.get("security")
    operations = []
    for path, method, raw_op, _ in _raw_operations(doc):
        if not json_clean:
            _str_keys(parts.deref(raw_op.get("responses")) or {})
        operations.append(_operation(parts, path, method, raw_op, global_security))
    return operations


def _str_keys(responses: dict[Any, Any]) -> None:
    """Number keys of a responses object as strings, in place."""
    if any(not isinstance(k, str) for k in responses):
        fixed = {str(k): v for k, v in responses.items()}
        responses.clear()
        responses.update(fixed)


def _operation(
    parts: _Parts, path: str, method: str, raw: dict[str, Any], global_security: Any
) -> Operation:
    security = raw.get("security", global_security)
    operation_id = raw.get("operationId")
    tags = raw.get("tags")
    return Operation.deferred(
        parts,
        method=method.upper(),
        path=path,
        operation_id=operation_id if isinstance(operation_id, str) else None,
        summary=str(raw.get("summary") or ""),
        deprecated=bool(raw.get("deprecated", False)),
        pointer=f"/paths/{jp.escape(path)}/{method}",  # a method has nothing to escape
        tags=tuple(map(str, tags)) if tags else (),
        security=tuple(security) if isinstance(security, list) else None,
    )


def _parameters(refs: _Refs, op_params: list[Any], item_params: list[Any]) -> tuple[Parameter, ...]:
    merged: dict[tuple[str, str], Parameter] = {}
    for raw in [*item_params, *op_params]:  # operation-level ones override path-level ones
        ref = raw.get("$ref") if isinstance(raw, dict) else None
        key: str | int = ref if isinstance(ref, str) else id(raw)
        if key in refs.params:
            parsed = refs.params[key]
        else:
            parsed = refs.params[key] = _parameter(refs.deref(raw))
        if parsed is not None:
            merged[(parsed.name, parsed.location)] = parsed
    return tuple(merged.values())


def _parameter(param: Any) -> Parameter | None:
    """One parameter object, read (None when it names no ``name`` and ``in``)."""
    if not isinstance(param, dict) or "name" not in param or "in" not in param:
        return None
    schema = param.get("schema")
    if schema is None and isinstance(param.get("content"), dict):
        media: Any = next(iter(param["content"].values()), {})
        schema = media.get("schema") if isinstance(media, dict) else None
    location = str(param["in"])
    return Parameter(
        name=str(param["name"]),
        location=location,
        required=bool(param.get("required", location == "path")),
        deprecated=bool(param.get("deprecated", False)),
        schema=schema,
        style=str(param["style"]) if "style" in param else None,
        explode=bool(param["explode"]) if "explode" in param else None,
        has_content="content" in param,
        allow_empty=bool(param.get("allowEmptyValue", False)),
    )


_TEMPLATE_NAME = re.compile(r"{([^}]+)}")
_AS_STRING = "it is served as a string"


def _path_param_problems(doc: Mapping[str, Any]) -> list[Problem]:
    """Each path template variable an operation does not declare as a path parameter.

    Found when the document is compiled, so the compiled-document cache keeps them: an
    operation's parameters are otherwise not read until it is used."""
    refs = _Refs(doc)
    found = []
    for path, method, raw_op, item_params in _raw_operations(doc):
        if "{" not in path:
            continue
        declared = {
            str(p["name"])
            for p in map(refs.deref, [*item_params, *(raw_op.get("parameters") or [])])
            if isinstance(p, dict) and "name" in p and "in" in p and str(p["in"]) == "path"
        }
        at = jp.join("/paths", path, method)
        found += [
            Problem(at, f"path parameter {name!r} is not declared; {_AS_STRING}", fatal=False)
            for name in _TEMPLATE_NAME.findall(path)
            if name not in declared
        ]
    return found


def _server_path(doc: Mapping[str, Any]) -> str:
    servers = doc.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = str(servers[0].get("url") or "")
        match = re.match(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//[^/]*(/.*)?$", url)
        path = (match.group(1) or "") if match else url
        return path.rstrip("/")
    return ""
