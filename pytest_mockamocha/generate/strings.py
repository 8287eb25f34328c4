"""Strings for a shape: from its pattern, its format, or a guess from the property's name."""

from __future__ import annotations

import base64
import random
import re
import string
import uuid
from collections.abc import Callable
from functools import lru_cache

from pytest_mockamocha._regex import PatternTimeout, search
from pytest_mockamocha.generate import realism, regex, styles
from pytest_mockamocha.generate import words as w
from pytest_mockamocha.generate.shape import Shape, Unsatisfiable

Maker = Callable[[random.Random], str]
_HEX = "0123456789abcdef"


def text(shape: Shape, rng: random.Random, words: tuple[str, ...]) -> str:
    """A string satisfying the shape's pattern(s), format and length bounds."""
    low, high = shape.min_length, shape.max_length
    if high is not None and low > high:
        raise Unsatisfiable(f"minLength {low} exceeds maxLength {high}", shape.where)
    if shape.patterns:
        return _from_patterns(shape, rng)
    key = ("maker", words)
    maker = shape.memo.get(key)
    if maker is None:
        maker = shape.memo[key] = choose(shape, words)
    return fit(maker(rng), low, high, rng)


def choose(shape: Shape, words: tuple[str, ...]) -> Maker:
    """The maker for a string shape: example style, timestamp, format, name, description."""
    if not shape.formats and shape.examples:
        style = styles.template(shape.examples)
        if style is not None:
            return lambda rng: styles.render(style, rng)
    fmt = next((f for f in shape.formats if f in FORMATS), None)
    role = realism.timestamp_role(words, shape.formats)
    if role is not None and fmt in (None, "date", "date-time", "time"):
        default = "date" if words[-1:] == ("date",) or role == "birth" else "date-time"
        return realism.moment_maker(role, fmt or default)
    hinted = maker_for(words) or described(shape.description)
    if hinted is realism.country and shape.max_length is not None and shape.max_length < 4:
        hinted = realism.country_code if shape.max_length < 3 else realism.country_code3
    if fmt in ("email", "idn-email"):
        return realism.email
    if fmt in ("uri", "url", "iri"):
        return hinted if hinted in _URL_MAKERS else realism.url
    if fmt is not None:
        return FORMATS[fmt]
    return hinted or _words(1, 2)


def fit(value: str, low: int, high: int | None, rng: random.Random) -> str:
    """``value`` cut to ``high`` characters or padded with letters to ``low``."""
    if high is not None and len(value) > high:
        value = value[:high]
        if len(value) > low and value.endswith(" "):
            value = value.rstrip()[: max(low, len(value.rstrip()))]
    if len(value) < low:
        value += "".join(rng.choice(string.ascii_lowercase) for _ in range(low - len(value)))
    return value


def _from_patterns(shape: Shape, rng: random.Random) -> str:
    """A string matching every pattern, generated from each in turn until one works."""
    for pattern in shape.patterns:
        program = regex.compile_pattern(pattern)
        if program is None:
            continue
        for _ in range(4):
            found = regex.generate(
                program, rng, min_length=shape.min_length, max_length=shape.max_length
            )
            if found is not None and all(_search(p, found) for p in shape.patterns):
                return found
    raise Unsatisfiable(f"cannot produce a string matching {shape.patterns[0]!r}", shape.where)


def _search(pattern: str, value: str) -> bool:
    """Whether ``pattern`` matches somewhere in ``value`` (JSON Schema semantics)."""
    try:
        return search(pattern, value)
    except (re.error, PatternTimeout):
        return False


@lru_cache(maxsize=4096)
def name_words(name: str | None) -> tuple[str, ...]:
    """The name squashed to lower case, then its words (``firstName``: firstname, first, name)."""
    if not name:
        return ()
    parts = [p.lower() for p in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", name)]
    return (re.sub(r"[^a-z0-9]", "", name.lower()), *parts)


def _pick(options: tuple[str, ...]) -> Maker:
    """A maker choosing one of ``options``."""
    return lambda rng: options[rng.randrange(len(options))]


def _digit_maker(count: int) -> Maker:
    """A maker of ``count`` random digits."""
    return lambda rng: "".join(rng.choice(string.digits) for _ in range(count))


def _hex_maker(count: int) -> Maker:
    """A maker of ``count`` random lower-case hex digits."""
    return lambda rng: "".join(_HEX[rng.randrange(16)] for _ in range(count))


def _date(rng: random.Random) -> str:
    """An RFC 3339 full-date."""
    return f"{rng.randint(2000, 2030):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _time(rng: random.Random) -> str:
    """``HH:MM:SS``: what the validators' ``time`` check (``%H:%M:%S``) accepts."""
    return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"


def _email(rng: random.Random) -> str:
    """A plausible e-mail address on a reserved domain."""
    first, last = rng.choice(w.FIRST_NAMES), rng.choice(w.LAST_NAMES)
    return f"{first.lower()}.{last.lower()}@{rng.choice(w.DOMAINS)}"


def _url(rng: random.Random) -> str:
    """An https URL on a reserved domain."""
    return f"https://{rng.choice(w.DOMAINS)}/{rng.choice(w.WORDS)}/{rng.randint(1, 999)}"


def _words(low: int, high: int, capital: bool = False) -> Maker:
    """A maker of ``low``..``high`` space-separated words."""

    def make(rng: random.Random) -> str:
        out = " ".join(rng.choice(w.WORDS) for _ in range(rng.randint(low, high)))
        return out.capitalize() if capital else out

    return make


FORMATS: dict[str, Maker] = {
    "date": _date,
    "date-time": lambda rng: f"{_date(rng)}T{_time(rng)}Z",
    "time": _time,
    "email": _email,
    "idn-email": _email,
    "uuid": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "uri": _url,
    "url": _url,
    "iri": _url,
    "uri-reference": lambda rng: f"/{rng.choice(w.WORDS)}/{rng.randint(1, 999)}",
    "iri-reference": lambda rng: f"/{rng.choice(w.WORDS)}/{rng.randint(1, 999)}",
    "uri-template": lambda rng: f"https://{rng.choice(w.DOMAINS)}/{rng.choice(w.WORDS)}/{{id}}",
    "hostname": lambda rng: f"{rng.choice(w.WORDS)}.{rng.choice(w.DOMAINS)}",
    "idn-hostname": lambda rng: f"{rng.choice(w.WORDS)}.{rng.choice(w.DOMAINS)}",
    "ipv4": lambda rng: ".".join(str(rng.randint(1, 254)) for _ in range(4)),
    "ipv6": lambda rng: ":".join(f"{rng.getrandbits(16):x}" for _ in range(8)),
    "byte": lambda rng: base64.b64encode(rng.randbytes(rng.randint(3, 12))).decode("ascii"),
    "binary": _hex_maker(16),
    "password": lambda rng: "".join(rng.choice(regex.SAFE) for _ in range(12)),
    "int32": lambda rng: str(rng.randint(0, 10**6)),
    "int64": lambda rng: str(rng.randint(0, 10**9)),
    "float": lambda rng: f"{rng.uniform(0, 1000):.2f}",
    "double": lambda rng: f"{rng.uniform(0, 1000):.2f}",
    "duration": lambda rng: f"P{rng.randint(1, 30)}D",
    "json-pointer": lambda rng: f"/{rng.choice(w.WORDS)}/{rng.randint(0, 9)}",
    "relative-json-pointer": lambda rng: f"{rng.randint(0, 3)}/{rng.choice(w.WORDS)}",
    "regex": lambda rng: "^[a-z]+$",
}

_HINTS: tuple[tuple[frozenset[str], Maker], ...] = realism.HINTS + tuple(
    (frozenset(keys.split()), maker)
    for keys, maker in (
        ("uuid guid", FORMATS["uuid"]),
        ("id identifier key token secret hash checksum etag", _hex_maker(12)),
        ("status state", _pick(w.STATUSES)),
        ("lang language locale", _pick(w.LANGUAGES)),
        ("slug", lambda rng: f"{rng.choice(w.WORDS)}-{rng.choice(w.WORDS)}"),
        ("ip", FORMATS["ipv4"]),
        ("password passphrase", FORMATS["password"]),
        ("version", lambda rng: f"{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"),
    )
)
_URL_MAKERS = frozenset(m for keys, m in realism.HINTS if keys & {"url", "avatar"})


@lru_cache(maxsize=1024)
def described(description: str) -> Maker | None:
    """The maker a schema's description suggests (``The customer's e-mail address``)."""
    found = tuple(re.findall(r"[a-z]+", description.lower()))
    return _any_hint(found) if found else None


@lru_cache(maxsize=4096)
def maker_for(words: tuple[str, ...]) -> Maker | None:
    """The string maker a property name suggests (whole name, last word, any word), if any."""
    for probe in (words[:1], words[-1:]):
        for keys, maker in _HINTS:
            if probe and probe[0] in keys:
                return maker
    return _any_hint(words)


def _any_hint(words: tuple[str, ...]) -> Maker | None:
    """The first maker in the table one of ``words`` names."""
    for keys, maker in _HINTS:
        if any(word in keys for word in words):
            return maker
    return None
