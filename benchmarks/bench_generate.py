"""Records per second of realistic generation, against hypothesis-jsonschema on the same schemas.

One command, one machine, one run:

    python benchmarks/bench_generate.py [--quick] [--rounds N] [--out FILE]

Two schemas: a 10-field user object (names, e-mail, user name, phone, timestamps, status
enum, a balance with ``multipleOf: 0.01``, an id shaped by its example) and an order with a
customer, 1-5 line items and a shipping address. For each, three generators:

* ``ours``: ``SchemaGenerator.generate`` (validated inside, realistic, deterministic);
* ``ours (records)``: ``generate.records.records`` (what the fixture and the CLI call);
* ``hypothesis-jsonschema``: ``from_schema`` run by ``@given`` (generate phase only, no
  database, derandomized), the records collected in the test body.

Rounds are interleaved (every generator on every schema once per round, in a rotated order)
and the medians over rounds are reported, with the ratio to hypothesis-jsonschema. Every
record of every generator is checked by ``openapi_schema_validator`` (3.0 read validator
with its format checker), independently of our own checker: validity is reported in %.
The target is printed next to the ratio (>= 20x on the user object, 100% valid); nothing
here passes or fails.

A last line measures the slow path alone: ``SchemaGenerator.generate`` on a schema the fast
builder cannot satisfy (``if``/``then``/``else`` pinning a number by a sibling's value), so
every record comes from the hypothesis-jsonschema fallback; the fallback counter of the
generator used for the fast rows is printed too and must stay 0 (not on the common path).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30ReadValidator

from pytest_mockamocha.generate import SchemaGenerator
from pytest_mockamocha.generate.records import records

USER: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "id",
        "firstName",
        "lastName",
        "email",
        "username",
        "phone",
        "createdAt",
        "updatedAt",
        "status",
        "balance",
    ],
    "properties": {
        "id": {"type": "string", "example": "usr_1A2b3C"},
        "firstName": {"type": "string", "minLength": 1, "maxLength": 50},
        "lastName": {"type": "string", "minLength": 1, "maxLength": 50},
        "email": {"type": "string", "format": "email"},
        "username": {"type": "string", "minLength": 3, "maxLength": 30},
        "phone": {"type": "string", "maxLength": 30},
        "createdAt": {"type": "string", "format": "date-time"},
        "updatedAt": {"type": "string", "format": "date-time"},
        "status": {"type": "string", "enum": ["active", "suspended", "invited"]},
        "balance": {"type": "number", "minimum": 0, "maximum": 10000, "multipleOf": 0.01},
    },
}
ADDRESS: dict[str, Any] = {
    "type": "object",
    "required": ["street", "city", "postcode", "country"],
    "properties": {
        "street": {"type": "string"},
        "city": {"type": "string"},
        "postcode": {"type": "string"},
        "country": {"type": "string", "minLength": 2, "maxLength": 2},
    },
}
ORDER: dict[str, Any] = {
    "type": "object",
    "required": ["id", "customer", "items", "currency", "total", "placed_at", "status"],
    "properties": {
        "id": {"type": "string", "example": "ord_1A2b"},
        "customer": {
            "type": "object",
            "required": ["name", "email"],
            "properties": {
                "name": {"type": "string"},
                "email": {"type": "string", "format": "email"},
            },
        },
        "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": 5,
            "items": {
                "type": "object",
                "required": ["sku", "quantity", "unit_price"],
                "properties": {
                    "sku": {"type": "string", "example": "SKU-0042-XL"},
                    "name": {"type": "string"},
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 20},
                    "unit_price": {"type": "number", "minimum": 0.5, "maximum": 999.99},
                },
            },
        },
        "currency": {"type": "string", "enum": ["EUR", "USD", "GBP"]},
        "total": {"type": "number", "minimum": 0},
        "placed_at": {"type": "string", "format": "date-time"},
        "shipped_at": {"type": "string", "format": "date-time"},
        "status": {"type": "string", "enum": ["placed", "paid", "shipped", "delivered"]},
        "shipping": ADDRESS,
    },
}
SCHEMAS = {"user (10 fields)": USER, "order + line items": ORDER}
#: A schema only the fallback satisfies (the fast path ignores if/then/else when building).
FALLBACK_ONLY: dict[str, Any] = {
    "type": "object",
    "required": ["kind", "n"],
    "properties": {"kind": {"type": "string", "enum": ["x", "y"]}, "n": {"type": "integer"}},
    "if": {"properties": {"kind": {"const": "x"}}},
    "then": {"properties": {"n": {"minimum": 100, "maximum": 101}}},
    "else": {"properties": {"n": {"minimum": -101, "maximum": -100}}},
}
DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "bench", "version": "1"},
    "paths": {},
    "components": {"schemas": {"User": USER, "Order": ORDER, "Address": ADDRESS}},
}
Producer = Callable[[dict[str, Any], int], list[Any]]


def ours(gen: SchemaGenerator) -> Producer:
    def produce(schema: dict[str, Any], n: int) -> list[Any]:
        return [gen.generate(schema, random.Random(i)) for i in range(n)]

    return produce


def ours_records(gen: SchemaGenerator) -> Producer:
    def produce(schema: dict[str, Any], n: int) -> list[Any]:
        return records(gen, schema, n, seed=7)

    return produce


def hypothesis_jsonschema() -> Producer:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis_jsonschema import from_schema

    strategies: dict[int, Any] = {}

    def produce(schema: dict[str, Any], n: int) -> list[Any]:
        strategy = strategies.get(id(schema))
        if strategy is None:
            strategy = strategies[id(schema)] = from_schema(schema)
        out: list[Any] = []

        @settings(
            max_examples=n,
            database=None,
            derandomize=True,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def collect(value: Any) -> None:
            out.append(value)

        collect()
        return out

    return produce


def measure(produce: Producer, schema: dict[str, Any], n: int) -> tuple[float, list[Any]]:
    """(records per second, the records)."""
    start = time.perf_counter()
    made = produce(schema, n)
    elapsed = time.perf_counter() - start
    return len(made) / elapsed, made


def validity(schema: dict[str, Any], made: list[Any]) -> float:
    """The % of records the independent OpenAPI 3.0 validator accepts."""
    validator = OAS30ReadValidator(schema, format_checker=OAS30ReadValidator.FORMAT_CHECKER)
    ok = sum(1 for record in made if validator.is_valid(record))
    return 100.0 * ok / len(made) if made else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer records and rounds")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "generate.json"
    )
    args = parser.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 7)
    counts = {"ours": 2000, "ours (records)": 2000, "hypothesis-jsonschema": 150}
    if args.quick:
        counts = {k: max(50, v // 5) for k, v in counts.items()}
    gen = SchemaGenerator(DOCUMENT, "3.0")
    producers: dict[str, Producer] = {
        "ours": ours(gen),
        "ours (records)": ours_records(gen),
        "hypothesis-jsonschema": hypothesis_jsonschema(),
    }
    warnings.simplefilter("ignore")
    for produce in producers.values():  # warm-up: imports, caches, Faker per locale
        for schema in SCHEMAS.values():
            produce(schema, 20)
    rates: dict[tuple[str, str], list[float]] = {}
    valid: dict[tuple[str, str], list[float]] = {}
    jobs = [(p, s) for p in producers for s in SCHEMAS]
    for round_no in range(rounds):
        shift = round_no % len(jobs)
        for pname, sname in jobs[shift:] + jobs[:shift]:
            rate, made = measure(producers[pname], SCHEMAS[sname], counts[pname])
            rates.setdefault((pname, sname), []).append(rate)
            valid.setdefault((pname, sname), []).append(validity(SCHEMAS[sname], made))
    report: dict[str, Any] = {
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "rounds": rounds,
        "records_per_measure": counts,
        "rows": [],
    }
    print(f"records/s, median of {rounds} interleaved rounds (python {report['python']})")
    print(f"{'schema':<22}{'generator':<24}{'records/s':>12}{'vs hjs':>10}{'valid %':>10}")
    for sname in SCHEMAS:
        base = statistics.median(rates[("hypothesis-jsonschema", sname)])
        for pname in producers:
            rate = statistics.median(rates[(pname, sname)])
            ok = min(valid[(pname, sname)])
            ratio = rate / base
            print(f"{sname:<22}{pname:<24}{rate:>12.0f}{ratio:>9.1f}x{ok:>10.1f}")
            report["rows"].append(
                {
                    "schema": sname,
                    "generator": pname,
                    "records_per_s": round(rate, 1),
                    "ratio_vs_hypothesis_jsonschema": round(ratio, 2),
                    "valid_percent": ok,
                }
            )
    slow = SchemaGenerator({**DOCUMENT, "openapi": "3.1.0"}, "3.1")
    slow_rates = []
    slow_valid = True
    for _ in range(rounds):
        rate, made = measure(ours(slow), FALLBACK_ONLY, counts["hypothesis-jsonschema"])
        slow_rates.append(rate)
        slow_valid = slow_valid and all(slow.is_valid(FALLBACK_ONLY, m) for m in made)
    slow_rate = statistics.median(slow_rates)
    print(
        f"{'if/then/else':<22}{'ours (fallback only)':<24}{slow_rate:>12.0f}{'':>10}"
        f"{100.0 if slow_valid else 0.0:>10.1f}"
    )
    print(f"fallback used by the fast rows: {gen.fallback_stats}")
    report["rows"].append(
        {
            "schema": "if/then/else",
            "generator": "ours (fallback only)",
            "records_per_s": round(slow_rate, 1),
            "valid_percent": 100.0 if slow_valid else 0.0,
            "fallback_stats": slow.fallback_stats,
        }
    )
    report["fast_rows_fallback_stats"] = gen.fallback_stats
    user = statistics.median(rates[("ours", "user (10 fields)")]) / statistics.median(
        rates[("hypothesis-jsonschema", "user (10 fields)")]
    )
    print(f"target: >= 20x hypothesis-jsonschema on the user object, 100% valid -> {user:.1f}x")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
