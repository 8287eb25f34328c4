"""The JavaScript SDK as one ES module, served by the server itself at ``/sdk/mockamocha.js``.

A page on any origin can then ``import { Client } from 'http://team-server:8080/sdk/
mockamocha.js'`` with no bundler and no npm. The module is made from the SDK's own sources
(``sdk/js/src``, the same files npm publishes), so there is no second copy to keep in
step: a built wheel carries them as package data (``_sdk_js/``, copied at build time by
``setup.py``), a checkout or editable install reads them from ``sdk/js``.

Bundling is deliberately small: the entry module's relative imports are inlined (their
``export`` keywords dropped, so only the entry's own export list is the module's API), and
``export { ... } from './x.js'`` becomes ``export { ... }``. A source using a form this
does not handle (``export default`` or an export list in a dependency, a bare import) is
refused with a clear error rather than bundled wrongly.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_PACKAGED = Path(__file__).resolve().parents[1] / "_sdk_js"
_CHECKOUT = Path(__file__).resolve().parents[2] / "sdk" / "js"
_IMPORT = re.compile(r"^import\s+\{[^}]*\}\s+from\s+'(\./[\w.-]+\.js)';\s*$", re.M | re.S)
_REEXPORT = re.compile(r"^export\s+(\{[^}]*\})\s+from\s+'(\./[\w.-]+\.js)';", re.M | re.S)
_DECLARATION = re.compile(r"^export\s+(?=(?:async\s+)?(?:class|const|function|let)\b)", re.M)


class SdkSourceError(RuntimeError):
    """The SDK's sources cannot be found or bundled."""


@dataclass(frozen=True, slots=True)
class Asset:
    """One file the server sends: its bytes, content type and entity tag (unquoted)."""

    body: bytes
    content_type: str
    etag: str


def sources() -> Path:
    """The folder holding ``src/`` and ``index.d.ts``: the wheel's copy, else the checkout's."""
    for folder in (_PACKAGED, _CHECKOUT):
        if (folder / "src" / "index.js").is_file():
            return folder
    raise SdkSourceError("the JavaScript SDK's sources are not installed with this package")


@lru_cache(maxsize=1)
def module() -> Asset:
    """``/sdk/mockamocha.js``: the SDK bundled into one ES module."""
    src = sources() / "src"
    text = bundle(src / "index.js")
    return _asset(text, "text/javascript; charset=utf-8")


@lru_cache(maxsize=1)
def types() -> Asset:
    """``/sdk/mockamocha.d.ts``: the SDK's TypeScript declarations."""
    return _asset(
        (sources() / "index.d.ts").read_text(encoding="utf-8"), "text/plain; charset=utf-8"
    )


def bundle(entry: Path) -> str:
    """``entry`` with every module it imports relatively inlined before it, once each."""
    seen: list[Path] = []
    parts: list[str] = []

    def dependency(path: Path) -> None:
        if path in seen:
            return
        seen.append(path)
        text = path.read_text(encoding="utf-8")
        for name in _IMPORT.findall(text):
            dependency((path.parent / name).resolve())
        if re.search(r"^export\s+(default\b|\{)", text, re.M):
            raise SdkSourceError(f"{path.name}: only declarations may be exported by a dependency")
        parts.append(f"// --- {path.name}\n" + _DECLARATION.sub("", _IMPORT.sub("", text)))

    text = entry.read_text(encoding="utf-8")
    for name in [*_IMPORT.findall(text), *(m[1] for m in _REEXPORT.findall(text))]:
        dependency((entry.parent / name).resolve())
    body = _REEXPORT.sub(lambda m: f"export {m.group(1)};", _IMPORT.sub("", text))
    if re.search(r"^import\s", body, re.M):
        raise SdkSourceError(f"{entry.name}: an import this bundler does not inline")
    header = "// @mockamocha/sdk, bundled by mockamocha serve from the SDK's sources.\n"
    return header + "\n".join(parts) + f"\n// --- {entry.name}\n" + body


def _asset(text: str, content_type: str) -> Asset:
    body = text.encode("utf-8")
    return Asset(body, content_type, hashlib.sha256(body).hexdigest()[:32])
