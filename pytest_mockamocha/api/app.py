"""The management API as one WSGI app: one werkzeug ``Map`` assembled from ``routes/``.

Authentication and the envelope happen here and only here: handlers return an
``Answer`` or raise ``ApiError``; anything else becomes INTERNAL_ERROR with the request
id and nothing more.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.wrappers import Request

from pytest_mockamocha._ids import new_id
from pytest_mockamocha.api.accounts import create_user
from pytest_mockamocha.api.catalog import Catalog
from pytest_mockamocha.api.envelope import ApiError, Wire, failure, internal, success
from pytest_mockamocha.api.security import KEY_PREFIX, Tokens, key_hash
from pytest_mockamocha.api.sessions import COOKIE as SESSION_COOKIE
from pytest_mockamocha.api.state import ApiState, Call
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.store import HEAVY, Query, Record, Store, utc_now

if TYPE_CHECKING:
    from werkzeug.routing import Map, MapAdapter

    from pytest_mockamocha.api.routing import Route

log = logging.getLogger("pytest_mockamocha.api")
_KEY_TOUCH_EVERY = 60.0


class ManagementApi:
    """``/api/...``: auth, users, keys, collections, imports, endpoints and rules."""

    def __init__(self, state: ApiState) -> None:
        self.state = state
        self._admin_id: str | None = None

    @cached_property
    def _routes(self) -> dict[str, Route]:
        """Every route by endpoint name; the route modules load with the first API request,
        so a server that only answers mocks never imports them."""
        from pytest_mockamocha.api.routes import ROUTES

        return {f"r{n}": route for n, route in enumerate(ROUTES)}

    @cached_property
    def url_map(self) -> Map:
        """The routes, compiled on the first API request rather than at every start."""
        from werkzeug.routing import Map
        from werkzeug.routing import Rule as UrlRule

        rules = [
            UrlRule(route.path, methods=route.methods, endpoint=endpoint)
            for endpoint, route in self._routes.items()
        ]
        return Map(rules, strict_slashes=False)

    @cached_property
    def _adapter(self) -> MapAdapter:
        """The routes bound once: they match a path and a method, whatever the host (an
        adapter bound per request read the host and decoded the path again, ~8 us)."""
        return self.url_map.bind("mockamocha.invalid", "/")

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        # the server's own parse of this request when it dispatched it here (werkzeug
        # keeps it in the environ), else one of ours: parsed once, not twice
        request = environ.get("werkzeug.request")
        if not isinstance(request, Request):
            request = Request(environ)
        request_id = new_id("req")
        try:
            response = self._answer(request, request_id)
        except ApiError as exc:
            response = failure(exc, request_id)
        except Exception:
            log.exception(
                "internal error answering %s %s (%s)", request.method, request.path, request_id
            )
            response = internal(request_id)
        finally:
            request.close()  # uploaded files
        return response(environ, start_response)

    def _answer(self, request: Request, request_id: str) -> Wire:
        try:
            endpoint, args = self._adapter.match(request.path, request.method)
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(exc.valid_methods or ()))
            raise ApiError(
                405,
                f"{request.method} is not allowed here (allowed: {allowed})",
                headers=[("Allow", allowed)],
            ) from None
        except NotFound:
            raise ApiError(404, f"no route {request.path}") from None
        route = self._routes[str(endpoint)]
        call = Call(self.state, request, args, request_id)
        if not route.public:
            call.user = self.authenticate(request)
        return success(route.handler(call), request_id)

    def allowed_methods(self, path: str) -> tuple[str, ...]:
        """The methods of the route at ``path`` (none when no route is there): what a CORS
        preflight to it is told."""
        adapter = self.url_map.bind("mock.invalid", "/")
        try:
            adapter.match(path, method="__probe__")
        except MethodNotAllowed as exc:
            return tuple(sorted(set(exc.valid_methods or ())))
        except NotFound:
            return ()
        return ()

    # -- authentication ------------------------------------------------------------------
    def authenticate(self, request: Request) -> Record:
        """The user a Bearer JWT or API key names, else the dashboard's session cookie
        (checked for its origin and CSRF token); 401 otherwise."""
        if "Authorization" not in request.headers and SESSION_COOKIE in request.cookies:
            found = self.state.store.users.get(self.state.sessions.check(request).user_id)
            if found is None:
                raise ApiError(401, "the session names no user; sign in again")
            return found
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "send Authorization: Bearer <token or API key>")
        user_id = self._key_user(token) if token.startswith(KEY_PREFIX) else None
        if user_id is None:
            user_id = self.state.tokens.subject(token)
        user = self.state.store.users.get(user_id)
        if user is None:
            raise ApiError(401, "the token names no user")
        return user

    def known_slugs(self, request: Request) -> list[str]:
        """Every collection served, on a server without workspaces: the stored ones (each
        compiled on first use), then any mounted beside the store."""
        everything = Query(omit=HEAVY["collections"])
        stored = [str(c["slug"]) for c in self.state.store.collections.select(everything)]
        known = set(stored)
        return stored + [c.slug for c in self.state.engine if c.slug not in known]

    def visible_slugs(self, request: Request) -> list[str] | None:
        """The slugs of the collections of the caller's workspace; None when the request
        carries no valid credentials (an anonymous caller learns of none)."""
        if "Authorization" not in request.headers:
            return None
        try:
            user = self.authenticate(request)
        except ApiError:
            return None
        mine = Query(equals={"workspace_id": user["workspace_id"]}, omit=HEAVY["collections"])
        return [str(c["slug"]) for c in self.state.store.collections.select(mine)]

    def _key_user(self, key: str) -> str:
        store = self.state.store
        found = store.keys.find(hash=key_hash(key), revoked=False)
        if not found:
            raise ApiError(401, "the API key is not valid")
        record = found[0]
        last = record.get("last_used_ts") or 0.0
        now = time.time()
        if now - float(last) > _KEY_TOUCH_EVERY:
            store.keys.update(record["id"], {"last_used_at": utc_now(), "last_used_ts": now})
        return str(record["user_id"])

    # -- bootstrap -----------------------------------------------------------------------
    def ensure_admin(
        self, email: str, password: str | None, name: str = "Admin", *, hash_later: bool = False
    ) -> Record | None:
        """Create the admin when the store has no administrator yet; the new user, or None.
        ``password=None``: nobody signs in as it; ``hash_later``: see ``create_user``."""
        store = self.state.store
        with store.transaction():
            if store.users.count(is_admin=True):
                return None
            return create_user(
                store,
                email=email,
                name=name,
                password=password,
                is_admin=True,
                hash_later=hash_later,
            )

    def admin_id(self) -> str | None:
        """The id of the first administrator, if any."""
        if self._admin_id is None:
            admins = self.state.store.users.find(is_admin=True)
            self._admin_id = admins[0]["id"] if admins else None
        return self._admin_id

    def admin_token(self) -> str:
        """A fresh JWT for the first administrator."""
        admin = self.admin_id()
        if admin is None:
            raise LookupError("the store has no administrator")
        return self.state.tokens.issue(admin)

    def admin_workspace(self) -> str | None:
        """The workspace of the first administrator, where served documents are listed."""
        admin_id = self.admin_id()
        admin = self.state.store.users.get(admin_id) if admin_id else None
        return None if admin is None else str(admin["workspace_id"])


def build_api(
    store: Store, engine: Engine, secret: bytes, *, cache_dir: Path | None = None
) -> ManagementApi:
    """The management API over ``store``, serving collections through ``engine``."""
    catalog = Catalog(store, engine, cache_dir)
    state = ApiState(store=store, engine=engine, tokens=Tokens(secret), catalog=catalog)
    return ManagementApi(state)
