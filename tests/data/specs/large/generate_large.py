"""Build a large, deterministic OpenAPI 3.0.3 document for load/perf tests.

Usable two ways:

* imported: ``build(n_resources=210) -> dict``
* command line: ``python generate_large.py OUT.json [N]``

With the default 210 resources the document has 1,190 operations: five CRUD
operations per resource (list, create, get, update, delete) plus, on every
third resource, a nested ``comments`` sub-collection (list, create). Every
schema, parameter and error response is shared through ``components`` and
``$ref``. The output depends only on ``n_resources`` (no randomness, no
clock), so two runs produce byte-identical JSON.

The generated JSON is not checked in; tests generate it into a temp folder.
"""

from __future__ import annotations

import json
import sys
from typing import Any

# Thirty business domains with seven collections each: 210 resources.
_DOMAIN_TABLE = """
accounts: users groups roles invitations sessions devices preferences
billing: invoices payments refunds credit-notes tax-rates coupons price-lists
catalog: products categories brands variants bundles attributes collections
crm: contacts companies deals leads activities pipelines segments
inventory: items stock-levels locations transfers adjustments lots counts
logistics: shipments parcels carriers routes pickups manifests returns
hr: employees departments positions absences contracts reviews skills
payroll: payslips salaries bonuses deductions pay-periods benefits expenses
support: tickets replies macros queues agents slas surveys
marketing: campaigns audiences emails landing-pages forms assets journeys
analytics: reports dashboards metrics dimensions queries exports alerts
identity: clients scopes consents keys tokens providers policies
compliance: audits controls evidences findings risks frameworks attestations
procurement: suppliers purchase-orders requisitions quotes receipts catalogs approvals
warehouse: bins zones picks packs waves docks pallets
fleet: vehicles drivers trips fuel-logs inspections repairs tires
scheduling: appointments calendars slots resources bookings shifts holidays
learning: courses lessons quizzes enrollments certificates tracks instructors
content: articles pages menus snippets authors revisions redirects
notifications: channels templates messages subscriptions webhooks digests topics
projects: tasks milestones boards sprints labels timesheets epics
finance: ledgers journals accounts budgets forecasts currencies cost-centers
legal: matters documents clauses signatures counterparties obligations holds
facilities: buildings floors rooms desks work-orders assets visitors
sales: orders carts quotes territories commissions targets discounts
partners: resellers referrals payouts agreements tiers programs claims
subscriptions: plans customers invoices usages addons trials renewals
telemetry: events traces spans logs monitors incidents services
reviews: ratings answers questions moderations badges reports flags
media: images videos playlists albums captions thumbnails uploads
"""
DOMAINS: list[tuple[str, list[str]]] = [
    (domain.strip(), cols.split())
    for domain, cols in (line.split(":") for line in _DOMAIN_TABLE.strip().splitlines())
]

# Extra, resource-specific properties; resource i picks three of them.
FIELD_POOL: list[tuple[str, dict[str, Any]]] = [
    ("description", {"type": "string", "maxLength": 2000, "nullable": True}),
    ("status", {"type": "string", "enum": ["draft", "active", "archived"], "default": "draft"}),
    ("amount", {"$ref": "#/components/schemas/Money"}),
    ("address", {"$ref": "#/components/schemas/Address"}),
    (
        "tags",
        {
            "type": "array",
            "items": {"type": "string", "maxLength": 40},
            "maxItems": 20,
            "uniqueItems": True,
        },
    ),
    ("priority", {"type": "integer", "minimum": 1, "maximum": 5}),
    ("email", {"type": "string", "format": "email"}),
    ("due_date", {"type": "string", "format": "date"}),
    ("quantity", {"type": "integer", "format": "int32", "minimum": 0}),
    ("ratio", {"type": "number", "format": "double", "minimum": 0, "maximum": 1}),
    ("enabled", {"type": "boolean", "default": True}),
    ("external_ref", {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4,8}$"}),
    (
        "metadata",
        {"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 50},
    ),
    ("owner_id", {"type": "string", "format": "uuid"}),
]


IRREGULAR = {"bonuses": "bonus", "quizzes": "quiz"}


def _singular(word: str) -> str:
    if word in IRREGULAR:
        return IRREGULAR[word]
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _camel(*parts: str) -> str:
    words = [w for p in parts for w in p.replace("_", "-").split("-") if w]
    return "".join(w[:1].upper() + w[1:] for w in words)


def _resources(n: int) -> list[tuple[str, str]]:
    base = [(d, c) for d, cols in DOMAINS for c in cols]
    out = []
    for i in range(n):
        domain, coll = base[i % len(base)]
        rnd = i // len(base)
        out.append((domain if rnd == 0 else f"{domain}{rnd + 1}", coll))
    return out


def _components() -> dict[str, Any]:
    err_ref = {"$ref": "#/components/schemas/Error"}
    return {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        },
        "parameters": {
            "Page": {
                "name": "page",
                "in": "query",
                "description": "1-based page number.",
                "schema": {"type": "integer", "minimum": 1, "default": 1},
            },
            "PerPage": {
                "name": "per_page",
                "in": "query",
                "description": "Items per page.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
            },
            "Sort": {
                "name": "sort",
                "in": "query",
                "description": "Field to sort by, `-` prefix for descending.",
                "schema": {"type": "string", "pattern": "^-?[a-z_]+$", "default": "-created_at"},
            },
            "Query": {
                "name": "q",
                "in": "query",
                "description": "Free-text filter.",
                "schema": {"type": "string", "maxLength": 200},
            },
            "IfMatch": {
                "name": "If-Match",
                "in": "header",
                "description": "ETag for optimistic locking.",
                "schema": {"type": "string"},
            },
            "RequestId": {
                "name": "X-Request-Id",
                "in": "header",
                "schema": {"type": "string", "format": "uuid"},
            },
        },
        "responses": {
            "BadRequest": {
                "description": "Malformed request.",
                "content": {"application/json": {"schema": err_ref}},
            },
            "Unauthorized": {
                "description": "Missing or invalid token.",
                "content": {"application/json": {"schema": err_ref}},
            },
            "NotFound": {
                "description": "No such resource.",
                "content": {
                    "application/json": {
                        "schema": err_ref,
                        "example": {"code": "not_found", "message": "Resource not found"},
                    }
                },
            },
            "Conflict": {
                "description": "The resource was changed concurrently.",
                "content": {"application/json": {"schema": err_ref}},
            },
            "ValidationFailed": {
                "description": "The request body is invalid.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ValidationError"}}
                },
            },
        },
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "request_id": {"type": "string", "format": "uuid"},
                },
            },
            "ValidationError": {
                "allOf": [
                    {"$ref": "#/components/schemas/Error"},
                    {
                        "type": "object",
                        "properties": {
                            "fields": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["field", "message"],
                                    "properties": {
                                        "field": {"type": "string"},
                                        "message": {"type": "string"},
                                    },
                                },
                            }
                        },
                    },
                ]
            },
            "Pagination": {
                "type": "object",
                "required": ["page", "per_page", "total"],
                "properties": {
                    "page": {"type": "integer", "minimum": 1},
                    "per_page": {"type": "integer", "minimum": 1},
                    "total": {"type": "integer", "minimum": 0},
                },
            },
            "Money": {
                "type": "object",
                "required": ["amount", "currency"],
                "properties": {
                    "amount": {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]{1,4})?$"},
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                },
                "example": {"amount": "19.99", "currency": "EUR"},
            },
            "Address": {
                "type": "object",
                "required": ["line1", "city", "country"],
                "properties": {
                    "line1": {"type": "string"},
                    "line2": {"type": "string"},
                    "city": {"type": "string"},
                    "postcode": {"type": "string"},
                    "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                },
            },
            "AuditInfo": {
                "type": "object",
                "readOnly": True,
                "required": ["created_at"],
                "properties": {
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time"},
                    "created_by": {"type": "string"},
                },
            },
            "Comment": {
                "type": "object",
                "required": ["id", "body", "author"],
                "properties": {
                    "id": {"type": "integer", "format": "int64", "readOnly": True},
                    "body": {"type": "string", "minLength": 1, "maxLength": 5000},
                    "author": {"type": "string"},
                    "audit": {"$ref": "#/components/schemas/AuditInfo"},
                },
            },
            "CommentInput": {
                "type": "object",
                "required": ["body"],
                "additionalProperties": False,
                "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 5000}},
            },
            "CommentPage": {
                "type": "object",
                "required": ["items", "pagination"],
                "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Comment"}},
                    "pagination": {"$ref": "#/components/schemas/Pagination"},
                },
            },
        },
    }


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def build(n_resources: int = 210) -> dict[str, Any]:
    """Return the OpenAPI 3.0.3 document (a plain dict) for ``n_resources``."""
    if n_resources < 1:
        raise ValueError("n_resources must be >= 1")
    comps = _components()
    schemas = comps["schemas"]
    paths: dict[str, Any] = {}
    tags: list[dict[str, str]] = []
    seen_tags: set[str] = set()

    for i, (domain, coll) in enumerate(_resources(n_resources)):
        singular = _singular(coll)
        ent = _camel(domain, singular)  # e.g. BillingInvoice
        ents = _camel(domain, coll)  # e.g. BillingInvoices
        id_name = _camel(singular)[0].lower() + _camel(singular)[1:] + "Id"  # e.g. invoiceId
        human = singular.replace("-", " ")
        if domain not in seen_tags:
            seen_tags.add(domain)
            tags.append({"name": domain, "description": f"The {domain} service."})

        extra = [FIELD_POOL[(i * 5 + k * 3) % len(FIELD_POOL)] for k in range(3)]
        extra = list(dict(extra).items())  # drop duplicates, keep order
        input_props: dict[str, Any] = {"name": {"type": "string", "minLength": 1, "maxLength": 120}}
        input_props.update(dict(extra))
        schemas[f"{ent}Input"] = {
            "type": "object",
            "required": ["name"],
            # no additionalProperties: false here: the entity schema extends this one with
            # allOf, and a closed base would make every entity unsatisfiable
            "description": f"Writable fields of a {human}.",
            "properties": input_props,
        }
        id_schema = (
            {"type": "string", "format": "uuid", "readOnly": True}
            if i % 2 == 0
            else {"type": "integer", "format": "int64", "minimum": 1, "readOnly": True}
        )
        schemas[ent] = {
            "description": f"A {human} of the {domain} service.",
            "allOf": [
                _ref("schemas", f"{ent}Input"),
                {
                    "type": "object",
                    "required": ["id", "audit"],
                    "properties": {"id": id_schema, "audit": _ref("schemas", "AuditInfo")},
                },
            ],
        }
        schemas[f"{ents}Page"] = {
            "type": "object",
            "required": ["items", "pagination"],
            "properties": {
                "items": {"type": "array", "items": _ref("schemas", ent)},
                "pagination": _ref("schemas", "Pagination"),
            },
        }

        base = f"/{domain}/{coll}"
        item = f"{base}/{{{id_name}}}"
        id_param = {
            "name": id_name,
            "in": "path",
            "required": True,
            "description": f"Id of the {human}.",
            "schema": {k: v for k, v in id_schema.items() if k != "readOnly"},
        }
        std_errors = {"401": _ref("responses", "Unauthorized")}
        paths[base] = {
            "get": {
                "operationId": f"list{ents}",
                "tags": [domain],
                "summary": f"List {coll.replace('-', ' ')}",
                "parameters": [_ref("parameters", p) for p in ("Page", "PerPage", "Sort", "Query")],
                "responses": {
                    "200": {
                        "description": "A page of results.",
                        "headers": {"X-Total-Count": {"schema": {"type": "integer", "minimum": 0}}},
                        "content": _json(_ref("schemas", f"{ents}Page")),
                    },
                    "400": _ref("responses", "BadRequest"),
                    **std_errors,
                },
            },
            "post": {
                "operationId": f"create{ent}",
                "tags": [domain],
                "summary": f"Create a {human}",
                "parameters": [_ref("parameters", "RequestId")],
                "requestBody": {"required": True, "content": _json(_ref("schemas", f"{ent}Input"))},
                "responses": {
                    "201": {
                        "description": "Created.",
                        "headers": {"Location": {"schema": {"type": "string"}}},
                        "content": _json(_ref("schemas", ent)),
                    },
                    "422": _ref("responses", "ValidationFailed"),
                    **std_errors,
                },
            },
        }
        paths[item] = {
            "parameters": [id_param],
            "get": {
                "operationId": f"get{ent}",
                "tags": [domain],
                "summary": f"Get a {human}",
                "responses": {
                    "200": {
                        "description": f"The {human}.",
                        "headers": {"ETag": {"schema": {"type": "string"}}},
                        "content": _json(_ref("schemas", ent)),
                    },
                    "404": _ref("responses", "NotFound"),
                    **std_errors,
                },
            },
            "put": {
                "operationId": f"update{ent}",
                "tags": [domain],
                "summary": f"Replace a {human}",
                "parameters": [_ref("parameters", "IfMatch")],
                "requestBody": {"required": True, "content": _json(_ref("schemas", f"{ent}Input"))},
                "responses": {
                    "200": {"description": "Updated.", "content": _json(_ref("schemas", ent))},
                    "404": _ref("responses", "NotFound"),
                    "409": _ref("responses", "Conflict"),
                    "422": _ref("responses", "ValidationFailed"),
                    **std_errors,
                },
            },
            "delete": {
                "operationId": f"delete{ent}",
                "tags": [domain],
                "summary": f"Delete a {human}",
                "responses": {
                    "204": {"description": "Deleted."},
                    "404": _ref("responses", "NotFound"),
                    **std_errors,
                },
            },
        }
        if i % 3 == 0:
            paths[f"{item}/comments"] = {
                "parameters": [id_param],
                "get": {
                    "operationId": f"list{ent}Comments",
                    "tags": [domain],
                    "summary": f"List comments on a {human}",
                    "parameters": [_ref("parameters", "Page"), _ref("parameters", "PerPage")],
                    "responses": {
                        "200": {
                            "description": "Comments.",
                            "content": _json(_ref("schemas", "CommentPage")),
                        },
                        "404": _ref("responses", "NotFound"),
                        **std_errors,
                    },
                },
                "post": {
                    "operationId": f"create{ent}Comment",
                    "tags": [domain],
                    "summary": f"Comment on a {human}",
                    "requestBody": {
                        "required": True,
                        "content": _json(_ref("schemas", "CommentInput")),
                    },
                    "responses": {
                        "201": {
                            "description": "Created.",
                            "content": _json(_ref("schemas", "Comment")),
                        },
                        "404": _ref("responses", "NotFound"),
                        "422": _ref("responses", "ValidationFailed"),
                        **std_errors,
                    },
                },
            }

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Enterprise Suite API (generated)",
            "version": "1.0.0",
            "description": f"Generated by generate_large.py with {n_resources} resources.",
        },
        "servers": [{"url": "https://api.example.com/v1"}],
        "security": [{"bearer": []}],
        "tags": tags,
        "paths": paths,
        "components": comps,
    }


def count_operations(doc: dict[str, Any]) -> int:
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    return sum(1 for item in doc["paths"].values() for m in item if m in methods)


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print("usage: python generate_large.py OUT.json [N_RESOURCES]", file=sys.stderr)
        return 2
    n = int(argv[2]) if len(argv) == 3 else 210
    doc = build(n)
    with open(argv[1], "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    print(f"wrote {argv[1]}: {len(doc['paths'])} paths, {count_operations(doc)} operations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
