"""Passwords, API keys, JWTs and the login throttle."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from pytest_mockamocha.api.envelope import ApiError
from pytest_mockamocha.store import Shared

TOKEN_TTL = 3600
KEY_PREFIX = "mm_"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_DUMMY_SALT = secrets.token_bytes(16)


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$<salt hex>$<hash hex>`` with a fresh per-user salt."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


class HashingLater:
    """A password hashed in a thread of its own: scrypt costs ~50 ms of CPU and releases the
    GIL, so a server whose store lives in memory does not wait for it before it answers.

    ``placeholder`` is what the store keeps until ``done`` writes the real hash;
    ``verify_password`` waits for the thread when it meets a placeholder. Only for stores
    that die with the process: a file must never hold a placeholder a crash could strand.
    """

    _PREFIX = "hashing$"
    _running: dict[str, HashingLater] = {}

    def __init__(self, password: str) -> None:
        self.placeholder = self._PREFIX + secrets.token_hex(8)
        self._password = password
        self._result = ""
        self._finished = threading.Event()
        self._then: list[Callable[[str], None]] = []
        self._running[self.placeholder] = self

    def start(self, then: Callable[[str], None]) -> None:
        """Hash in the background, then call ``then`` with the hash (to store it)."""
        self._then.append(then)
        threading.Thread(target=self._run, name="mockamocha-hash", daemon=True).start()

    def discard(self) -> None:
        """Never started (the user was not stored): forget the password and placeholder."""
        self._password = ""
        self._running.pop(self.placeholder, None)

    def _run(self) -> None:
        self._result = hash_password(self._password)
        self._password = ""
        self._finished.set()
        for then in self._then:
            then(self._result)

    @classmethod
    def resolve(cls, stored: str) -> str:
        """The real hash behind ``stored``: waits for its thread when it is a placeholder."""
        pending = cls._running.get(stored) if stored.startswith(cls._PREFIX) else None
        if pending is None:
            return stored
        pending._finished.wait()
        return pending._result


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` hashes to ``stored`` (constant time; slow even on a miss)."""
    if stored:
        stored = HashingLater.resolve(stored)
    if not stored or stored.count("$") != 2:
        hash_password(password, _DUMMY_SALT)
        return False
    _, salt, _ = stored.split("$")
    return hmac.compare_digest(hash_password(password, bytes.fromhex(salt)), stored)


def new_api_key() -> str:
    """``mm_`` + 43 url-safe random characters."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    """What the store keeps of an API key."""
    return hashlib.sha256(key.encode()).hexdigest()


class Tokens:
    """HS256 JWTs: issued with ``sub`` and ``exp``, decoded with the algorithm pinned."""

    #: tokens whose signature was checked, kept at most this many at once
    CHECKED = 4096

    def __init__(self, secret: bytes, ttl: int = TOKEN_TTL) -> None:
        self._secret = secret
        self.ttl = ttl
        #: token -> (subject, expiry) of tokens already verified: a client sends the same
        #: token with every call, and a valid token's signature stays valid (the secret is
        #: fixed); only its expiry is checked again. Whom it names is still read per call.
        self._checked: dict[str, tuple[str, int]] = {}

    @property
    def secret(self) -> bytes:
        """The signing secret (the dashboard's sessions sign with it too)."""
        return self._secret

    def issue(self, user_id: str) -> str:
        import jwt  # on the first login: PyJWT loads ssl and its key machinery (~10 MB)

        now = int(time.time())
        claims = {"sub": user_id, "iat": now, "exp": now + self.ttl}
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def subject(self, token: str) -> str:
        """The user id a valid token names; 401 for anything else."""
        known = self._checked.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        import jwt

        try:
            claims = jwt.decode(
                token, self._secret, algorithms=["HS256"], options={"require": ["exp", "sub"]}
            )
        except jwt.ExpiredSignatureError:
            raise ApiError(401, "the token has expired") from None
        except jwt.PyJWTError:
            raise ApiError(401, "the token is not valid") from None
        sub = claims.get("sub")
        if not isinstance(sub, str):
            raise ApiError(401, "the token is not valid")
        if len(self._checked) >= self.CHECKED:
            self._checked.clear()
        self._checked[token] = (sub, int(claims["exp"]))
        return sub


class LoginThrottle:
    """Failed logins slow down the client that makes them, never the account itself.

    Anyone may send an administrator's email: locking the account after N failures would let
    anyone lock the administrator out. So failures are counted per client (its address) and
    account, and per client over all accounts. Each count allows some failures free; past
    them, the client must wait ``2 ** (extra failures)`` seconds (at most ``MAX_WAIT``) after
    its last failure before the next try, which answers 429 with ``Retry-After`` sooner. The
    owner signing in from elsewhere is never slowed; a guesser gets a few tries a minute.
    Counts are forgotten ``FORGET`` seconds after their last failure, and at most ``TRACKED``
    are kept (the oldest dropped), so no stream of made-up emails can grow memory."""

    #: failures free of delay per client and account, and per client over all accounts
    FREE_PER_ACCOUNT = 5
    FREE_PER_CLIENT = 10
    #: the longest wait between tries, seconds
    MAX_WAIT = 60.0
    #: how long after its last failure a count is forgotten, seconds
    FORGET = 900.0
    #: most counts kept at once
    TRACKED = 10_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        #: key -> (failures, time of the last one); insertion order is age order
        self._counts: OrderedDict[tuple[str, str], tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, client: str, email: str) -> None:
        """429 with Retry-After while ``client`` must wait before trying ``email`` again."""
        now = self._clock()
        with self._lock:
            wait = max(
                self._wait(("account", f"{client}|{email}"), self.FREE_PER_ACCOUNT, now),
                self._wait(("client", client), self.FREE_PER_CLIENT, now),
            )
        if wait <= 0:
            return
        seconds = max(1, int(wait + 0.999))
        raise ApiError(
            429,
            "too many failed logins from this client; try again later",
            [f"retry after {seconds} seconds"],
            headers=[("Retry-After", str(seconds))],
        )

    def failed(self, client: str, email: str) -> None:
        """Count one failed login of ``client`` for ``email``."""
        now = self._clock()
        with self._lock:
            for key in (("account", f"{client}|{email}"), ("client", client)):
                failures = self._live(key, now)[0]
                self._put(key, (failures + 1, now))
            self._trim(now)

    def succeeded(self, client: str, email: str) -> None:
        """Forget the failures of ``client`` for ``email`` (not its count over all accounts)."""
        with self._lock:
            self._drop(("account", f"{client}|{email}"))

    # -- where counts are kept: this process's memory (see SharedLoginThrottle) ----------
    def _get(self, key: tuple[str, str]) -> tuple[int, float] | None:
        return self._counts.get(key)

    def _put(self, key: tuple[str, str], count: tuple[int, float]) -> None:
        self._counts.pop(key, None)
        self._counts[key] = count

    def _drop(self, key: tuple[str, str]) -> None:
        self._counts.pop(key, None)

    def _trim(self, now: float) -> None:
        while len(self._counts) > self.TRACKED:
            self._counts.popitem(last=False)

    def _wait(self, key: tuple[str, str], free: int, now: float) -> float:
        failures, last = self._live(key, now)
        if failures < free:
            return 0.0
        return last + min(self.MAX_WAIT, 2.0 ** (failures - free)) - now

    def _live(self, key: tuple[str, str], now: float) -> tuple[int, float]:
        found = self._get(key)
        if found is None or now - found[1] > self.FORGET:
            return 0, now
        return found


class SharedLoginThrottle(LoginThrottle):
    """``LoginThrottle`` whose counts live in the store replicas share, so a guesser gets
    no more tries behind N replicas than from one (wall-clock times: replicas share no
    monotonic clock). Two failures at the same instant on two replicas may count once: a
    throttle needs the order of magnitude, not the exact count."""

    #: forgotten counts are swept from the store once every this many failures
    SWEEP = 256

    def __init__(self, shared: Shared, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock)
        self._shared = shared
        self._failures = 0

    @staticmethod
    def _key(key: tuple[str, str]) -> str:
        return f"throttle:{key[0]}:{key[1]}"

    def _get(self, key: tuple[str, str]) -> tuple[int, float] | None:
        found = self._shared.text(self._key(key))
        if found is None:
            return None
        failures, _, last = found.partition("|")
        return int(failures), float(last)

    def _put(self, key: tuple[str, str], count: tuple[int, float]) -> None:
        self._shared.set_text(self._key(key), f"{count[0]}|{count[1]}")

    def _drop(self, key: tuple[str, str]) -> None:
        self._shared.set_text(self._key(key), None)

    def _trim(self, now: float) -> None:
        self._failures += 1
        if self._failures % self.SWEEP:
            return
        for key, value in self._shared.texts("throttle:").items():
            if now - float(value.partition("|")[2] or 0) > self.FORGET:
                self._shared.set_text(key, None)
