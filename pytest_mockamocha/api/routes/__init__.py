"""Every route of the management API, one module per resource."""

from pytest_mockamocha.api.routes import (
    analytics,
    auth,
    collections,
    endpoints,
    generate,
    imports,
    keys,
    meta,
    requests,
    rules,
    users,
)
from pytest_mockamocha.api.routing import Route

ROUTES: list[Route] = [
    *meta.ROUTES,
    *auth.ROUTES,
    *keys.ROUTES,
    *users.ROUTES,
    *collections.ROUTES,
    *imports.ROUTES,
    *endpoints.ROUTES,
    *rules.ROUTES,
    *generate.ROUTES,
    *analytics.ROUTES,
    *requests.ROUTES,
]
