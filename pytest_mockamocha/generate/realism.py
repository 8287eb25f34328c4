"""Realistic strings from Faker, shared within one object: one person, one timeline.

A ``Draw`` is the ``Random`` of one generated value. It carries a Faker generator for its
locale, seeded from the draw itself (``seed_instance``, never the global seed) the first
time a value needs it, and the ``Scope`` of the object being built: the person whose
names, e-mail and user name fill that object, and the moment its timestamps hang from
(``created`` <= ``updated``). Faker is imported on first use: importing the package, or
generating values that need no realism, does not load it. Faker instances are cached per
locale and per thread (the mock serves requests on several threads).

Name lists are drawn from with the draw's own ``random`` (cumulative weights computed
once per locale): Faker's weighted choice costs ~25 us a name, this costs ~1 us.
Nothing here reads the clock: timestamps fall in fixed ranges.
"""

from __future__ import annotations

import bisect
import difflib
import random
import threading
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from pytest_mockamocha.generate import words as w

Maker = Callable[[random.Random], str]
DEFAULT_LOCALE = "en_US"
#: Timestamps fall between these two instants (fixed: no clock, reproducible).
EPOCH = datetime(2020, 1, 1, tzinfo=timezone.utc)
SPAN = int((datetime(2025, 12, 31, tzinfo=timezone.utc) - EPOCH).total_seconds())
#: How long after an object's first timestamp its later ones (updated, shipped...) fall.
LATER = int(timedelta(days=90).total_seconds())
BIRTH_FIRST = datetime(1950, 1, 1, tzinfo=timezone.utc)
BIRTH_SPAN = int((datetime(2005, 12, 31, tzinfo=timezone.utc) - BIRTH_FIRST).total_seconds())
_LOCAL = threading.local()


class Scope:
    """What the values of one object share: its person and its first moment."""

    __slots__ = ("country", "moment", "person")

    def __init__(self) -> None:
        self.person: tuple[str, str] | None = None
        self.moment: int | None = None
        self.country: tuple[str, str, str] | None = None


class Draw(random.Random):
    """The ``Random`` of one generated value, with a lazily seeded Faker and a scope."""

    locale: str
    scope: Scope
    _faker_seed: int
    _fake: Any

    @classmethod
    def of(cls, rng: random.Random, locale: str = DEFAULT_LOCALE) -> Draw:
        """A draw seeded from ``rng`` (which advances by 64 bits, whatever is generated)."""
        draw = cls(rng.getrandbits(64))
        draw.locale = locale
        draw._faker_seed = draw.getrandbits(64)
        draw._fake = None
        draw.scope = Scope()
        return draw

    def fake(self) -> Any:
        """This draw's Faker generator, seeded from the draw the first time it is asked for."""
        if self._fake is None:
            self._fake = faker_for(self.locale)
            self._fake.seed_instance(self._faker_seed)
        return self._fake


def as_draw(rng: random.Random) -> Draw:
    """``rng`` itself when it is a ``Draw``, else a draw seeded from it (default locale)."""
    return rng if isinstance(rng, Draw) else Draw.of(rng)


def faker_for(locale: str) -> Any:
    """The Faker generator of ``locale`` for the calling thread (made on first use)."""
    fakers: dict[str, Any] | None = getattr(_LOCAL, "fakers", None)
    if fakers is None:
        fakers = _LOCAL.fakers = {}
    found = fakers.get(locale)
    if found is None:
        check_locale(locale)
        from faker import Faker

        proxy = Faker(locale)
        found = fakers[locale] = proxy[proxy.locales[0]]
    return found


@lru_cache(maxsize=64)
def check_locale(locale: str) -> str:
    """``locale`` when Faker knows it; a ValueError naming the closest ones otherwise."""
    from faker.config import AVAILABLE_LOCALES

    if locale.replace("-", "_") in AVAILABLE_LOCALES:
        return locale
    close = difflib.get_close_matches(locale, AVAILABLE_LOCALES, n=4, cutoff=0.5)
    hint = f"; did you mean: {', '.join(close)}?" if close else ""
    raise ValueError(f"unknown locale {locale!r}{hint}")


# -- people ------------------------------------------------------------------------------
Weighted = tuple[tuple[str, ...], list[float] | None]


@lru_cache(maxsize=64)
def _names(locale: str) -> tuple[Weighted, Weighted]:
    """The locale's first and last names, with cumulative weights where Faker has some."""
    provider = faker_for(locale).provider("faker.providers.person")
    return _weighted(provider.first_names), _weighted(provider.last_names)


def _weighted(source: Sequence[str] | Mapping[str, float]) -> Weighted:
    """Names and their cumulative weights (None when all are equally likely)."""
    if not isinstance(source, Mapping):
        return tuple(source), None
    total, cumulative = 0.0, []
    for weight in source.values():
        total += float(weight)
        cumulative.append(total)
    return tuple(source), cumulative


def _pick(rng: random.Random, names: Weighted) -> str:
    """One name, by weight when there are weights."""
    options, cumulative = names
    if cumulative is None:
        return options[rng.randrange(len(options))]
    spot = rng.random() * cumulative[-1]
    return options[min(bisect.bisect_right(cumulative, spot), len(options) - 1)]


def person(rng: random.Random) -> tuple[str, str]:
    """The (first, last) name of the object being built: the same for all its fields."""
    draw = as_draw(rng)
    found = draw.scope.person
    if found is None:
        first, last = _names(draw.locale)
        found = draw.scope.person = (_pick(draw, first), _pick(draw, last))
    return found


@lru_cache(maxsize=8192)
def ascii_word(text: str) -> str:
    """``text`` folded to lower-case ASCII letters and digits (``Zoë O'Neil``: ``zoeoneil``)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def first_name(rng: random.Random) -> str:
    """The object's person's first name."""
    return person(rng)[0]


def last_name(rng: random.Random) -> str:
    """The object's person's last name."""
    return person(rng)[1]


def full_name(rng: random.Random) -> str:
    """The object's person's full name."""
    first, last = person(rng)
    return f"{first} {last}"


def latin_names(rng: random.Random) -> tuple[str, str]:
    """The object's person's (first, last) names as lower-case ASCII, for logins and e-mails.

    Names in Latin letters lose their accents (``Zoë``: ``zoe``); Japanese names take the
    romanisation Faker pairs them with (``佐藤``: ``sato``); other scripts are transliterated
    with Faker's own ``unidecode`` (``Соболева``: ``soboleva``). A part that leaves nothing
    is empty.
    """
    draw = as_draw(rng)
    return tuple(_latin(draw.locale, part) for part in person(draw))  # type: ignore[return-value]


@lru_cache(maxsize=8192)
def _latin(locale: str, name: str) -> str:
    """One name part as lower-case ASCII (see ``latin_names``)."""
    folded = ascii_word(name)
    if folded and name.isascii():
        return folded
    romanised = _romanised(locale).get(name)
    if romanised:
        return ascii_word(romanised)
    from faker.decode import unidecode

    return ascii_word(unidecode(name)) or folded


@lru_cache(maxsize=64)
def _romanised(locale: str) -> dict[str, str]:
    """Faker's (name, kana, romaji) pairs of the locale, as name -> romaji (ja_JP has them)."""
    provider = faker_for(locale).provider("faker.providers.person")
    out: dict[str, str] = {}
    for attribute in ("first_name_pairs", "last_name_pairs"):
        for entry in getattr(provider, attribute, None) or ():
            if isinstance(entry, tuple) and len(entry) >= 3 and isinstance(entry[-1], str):
                out.setdefault(str(entry[0]), entry[-1])
    return out


def email(rng: random.Random) -> str:
    """An address of the object's person on a reserved domain (``ada.lovelace@example.com``)."""
    first, last = latin_names(rng)
    local = ".".join(p for p in (first, last) if p) or f"user{rng.randint(1, 9999)}"
    return f"{local}@{w.DOMAINS[rng.randrange(len(w.DOMAINS))]}"


def username(rng: random.Random) -> str:
    """A login made of the object's person's names (``alovelace42``)."""
    first, last = latin_names(rng)
    return f"{first[:1]}{last}{rng.randint(1, 99)}" if last else f"user{rng.randint(1, 9999)}"


# -- countries ---------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _countries() -> tuple[tuple[str, str, str], ...]:
    """(ISO alpha-2, alpha-3, English name) of every country Faker knows (its own table)."""
    from faker.providers.date_time import Provider

    return tuple((c.alpha_2_code, c.alpha_3_code, c.name) for c in Provider.countries)


def _country(rng: random.Random) -> tuple[str, str, str]:
    """The country of the object being built: its name and codes agree across fields."""
    draw = as_draw(rng)
    found = draw.scope.country
    if found is None:
        table = _countries()
        found = draw.scope.country = table[draw.randrange(len(table))]
    return found


def country(rng: random.Random) -> str:
    """The object's country name (``Japan``), agreeing with its country code."""
    return _country(rng)[2]


def country_code(rng: random.Random) -> str:
    """The object's ISO 3166 alpha-2 country code (``JP``), agreeing with its country name."""
    return _country(rng)[0]


def country_code3(rng: random.Random) -> str:
    """The object's ISO 3166 alpha-3 country code (``JPN``)."""
    return _country(rng)[1]


# -- time --------------------------------------------------------------------------------
def _set(text: str) -> frozenset[str]:
    """The words of ``text``."""
    return frozenset(text.split())


_EARLY = _set(
    "created creation createdat createdon registered joined signup signedup start starts "
    "started begin begins began issued opened placed ordered submitted since"
)
_LATE = _set(
    "updated updatedat modified changed edited end ends ended finished closed completed last "
    "until expires expiry expiration expired due shipped delivered paid resolved deleted "
    "archived cancelled canceled"
)
_BIRTH = _set("birthday birthdate birth dob born")
_TIME_WORDS = _set("at on time timestamp date datetime ts")


def timestamp_role(words: tuple[str, ...], formats: Sequence[str]) -> str | None:
    """``early``/``late``/``birth``/``any`` for a timestamp property, None for others."""
    if _BIRTH & set(words):
        return "birth"
    timed = any(f in ("date", "date-time") for f in formats) or bool(
        words and (words[-1] in _TIME_WORDS or words[0] in _TIME_WORDS)
    )
    if not timed and not (words and (words[0] in _EARLY or words[0] in _LATE)):
        return None
    if _LATE & set(words[1:] or words):
        return "late"
    if _EARLY & set(words[1:] or words):
        return "early"
    return "any" if timed else None


def moment_maker(role: str, fmt: str) -> Maker:
    """A maker of instants for ``role`` written as ``fmt`` (date, time or date-time)."""
    render = _RENDER.get(fmt, _RENDER["date-time"])

    def make(rng: random.Random) -> str:
        if role == "birth":
            return render(BIRTH_FIRST + timedelta(seconds=rng.randrange(BIRTH_SPAN)))
        if role == "any":
            return render(EPOCH + timedelta(seconds=rng.randrange(SPAN)))
        draw = as_draw(rng)
        scope = draw.scope
        if scope.moment is None:
            scope.moment = draw.randrange(SPAN - LATER)
        offset = draw.randrange(LATER) if role == "late" else 0
        return render(EPOCH + timedelta(seconds=scope.moment + offset))

    return make


_RENDER: dict[str, Callable[[datetime], str]] = {
    "date": lambda t: t.strftime("%Y-%m-%d"),
    "time": lambda t: t.strftime("%H:%M:%S"),
    "date-time": lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ"),
}


# -- everything else Faker knows ----------------------------------------------------------
def faked(method: str, *args: Any, **kwargs: Any) -> Maker:
    """A maker calling Faker provider ``method`` on the draw's seeded Faker."""

    def make(rng: random.Random) -> str:
        return str(getattr(as_draw(rng).fake(), method)(*args, **kwargs))

    return make


def _one_line_address(rng: random.Random) -> str:
    return str(as_draw(rng).fake().address()).replace("\n", ", ")


def _title(rng: random.Random) -> str:
    return str(as_draw(rng).fake().sentence(nb_words=4)).rstrip(".")


def _region(rng: random.Random) -> str:
    fake = as_draw(rng).fake()
    for method in ("state", "administrative_unit", "city"):
        if hasattr(fake, method):
            return str(getattr(fake, method)())
    return str(fake.city())


@lru_cache(maxsize=64)
def _phone_formats(locale: str) -> tuple[str, ...]:
    """The locale's phone number templates (``###-###-####``) that need no Faker parsing."""
    formats = faker_for(locale).provider("faker.providers.phone_number").formats
    return tuple(f for f in formats if "{{" not in f)


#: Faker's numerify placeholders: ``#`` any digit, ``%`` 1-9, ``$`` 2-9 (North America).
_DIGITS = {"#": "0123456789", "%": "123456789", "$": "23456789"}


def phone(rng: random.Random) -> str:
    """A phone number in one of the locale's formats, digits drawn with the draw itself."""
    draw = as_draw(rng)
    formats = _phone_formats(draw.locale)
    if not formats:
        return str(draw.fake().phone_number())
    template = formats[draw.randrange(len(formats))]
    return "".join(
        ch if (digits := _DIGITS.get(ch)) is None else digits[draw.randrange(len(digits))]
        for ch in template
    )


def _product(rng: random.Random) -> str:
    fake = as_draw(rng).fake()
    return f"{fake.color_name()} {str(fake.word()).title()}"


def url(rng: random.Random) -> str:
    """A web address from Faker (``https://www.smith.com/``)."""
    return str(as_draw(rng).fake().url(schemes=["https"]))


def faker_provider(name: str) -> Maker:
    """A maker for a named Faker provider method (``company``), checked on first use."""
    if not name.isidentifier() or name.startswith("_") or name in _UNSAFE:
        raise ValueError(f"{name!r} is not a Faker provider name")

    def make(rng: random.Random) -> str:
        fake = as_draw(rng).fake()
        method = getattr(fake, name, None)
        if not callable(method):
            raise ValueError(f"Faker has no provider {name!r}")
        return str(method())

    return make


#: Generator methods that are not value providers.
_UNSAFE = frozenset({"seed", "seed_instance", "seed_locale", "add_provider", "provider", "parse"})

#: (property-name words, maker): the first entry whose words meet the name wins.
HINTS: tuple[tuple[frozenset[str], Maker], ...] = tuple(
    (frozenset(keys.split()), maker)
    for keys, maker in (
        ("email mail emailaddress", email),
        ("avatar image photo picture thumbnail logo", faked("image_url")),
        ("url uri link href website homepage site web webpage", url),
        ("firstname givenname forename", first_name),
        ("lastname surname familyname", last_name),
        ("username login handle nickname screenname", username),
        ("fullname displayname name author owner customer contact person recipient", full_name),
        ("city town", faked("city")),
        ("countrycode countryiso iso2 alpha2", country_code),
        ("country countryname nation", country),
        ("street streetaddress addressline line1 address1", faked("street_address")),
        ("address", _one_line_address),
        ("zip zipcode postal postalcode postcode", faked("postcode")),
        ("region province county", _region),
        ("phone phonenumber mobile tel telephone fax cell", phone),
        ("company organization organisation org employer brand vendor supplier", faked("company")),
        ("job jobtitle occupation profession", faked("job")),
        ("product productname itemname", _product),
        ("currency currencycode", faked("currency_code")),
        ("title subject headline heading", _title),
        ("description bio about body content details detail", faked("paragraph", nb_sentences=2)),
        ("summary comment message note notes text reason remark", faked("sentence")),
        ("color colour", faked("color_name")),
        ("domain", faked("domain_name")),
        ("hostname host", faked("hostname")),
    )
)
