"""The Python SDK of the MockaMocha management API (sync ``Client``, asyncio ``AsyncClient``).

It speaks only HTTP (httpx) and imports nothing else of ``pytest_mockamocha`` but the
import-free table of the API's error codes (``_wire``), so it works against any
MockaMocha server::

    from pytest_mockamocha.sdk import Client

    with Client("http://127.0.0.1:8080") as mm:
        mm.login("admin@localhost", "secret")
        coll = mm.collections.create("Pet Store")
        mm.collections.import_spec(coll.id, "petstore.yaml")
"""

from __future__ import annotations

from pytest_mockamocha.sdk.aclient import AsyncClient
from pytest_mockamocha.sdk.calls import REMOVE, Remove
from pytest_mockamocha.sdk.client import Client
from pytest_mockamocha.sdk.errors import (
    ApiError,
    Conflict,
    Forbidden,
    HeadersTooLarge,
    InternalError,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    SdkError,
    Timeout,
    TransportError,
    Unauthorized,
    UnsupportedMediaType,
    ValidationError,
)
from pytest_mockamocha.sdk.models import (
    ApiKey,
    Collection,
    CollectionCoverage,
    Coverage,
    DayCount,
    Endpoint,
    Generation,
    Import,
    Me,
    NewApiKey,
    OperationCoverage,
    Page,
    Ratio,
    RequestAnalytics,
    RequestRecord,
    Rule,
    Scenario,
    Token,
    TopEndpoint,
    User,
)

__all__ = [
    "REMOVE",
    "ApiError",
    "ApiKey",
    "AsyncClient",
    "Client",
    "Collection",
    "CollectionCoverage",
    "Conflict",
    "Coverage",
    "DayCount",
    "Endpoint",
    "Forbidden",
    "Generation",
    "HeadersTooLarge",
    "Import",
    "InternalError",
    "Me",
    "MethodNotAllowed",
    "NewApiKey",
    "NotFound",
    "OperationCoverage",
    "Page",
    "PayloadTooLarge",
    "RateLimited",
    "Ratio",
    "Remove",
    "RequestAnalytics",
    "RequestRecord",
    "Rule",
    "Scenario",
    "SdkError",
    "Timeout",
    "Token",
    "TopEndpoint",
    "TransportError",
    "Unauthorized",
    "UnsupportedMediaType",
    "User",
    "ValidationError",
]
