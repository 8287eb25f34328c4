"""The rule book: precedence (priority, then newest), sequences of steps, retirement."""

from __future__ import annotations

import threading
from dataclasses import replace

from werkzeug.datastructures import Headers, MultiDict

from pytest_mockamocha.engine.respond.reply import Reply
from pytest_mockamocha.engine.rules.book import Rule, RuleBook, Step
from pytest_mockamocha.engine.rules.matchers import JsonEquals, MatchContext, ParamEquals

OP = "GET /pets/{petId}"


def ctx(pet_id: str = "1", body: bytes = b"") -> MatchContext:
    return MatchContext({"petId": pet_id}, MultiDict(), Headers(), {}, body)


def rule(
    rule_id: str,
    *steps: Step,
    priority: int = 0,
    matchers: tuple = (),
    operation: str = OP,
    collection: str = "petstore",
    owner: str | None = None,
    enabled: bool = True,
) -> Rule:
    return Rule(
        id=rule_id,
        collection=collection,
        operation=operation,
        matchers=matchers,
        steps=steps or (Step(Reply(status=200, json=rule_id)),),
        priority=priority,
        owner=owner,
        enabled=enabled,
    )


def answer(book: RuleBook, context: MatchContext | None = None) -> str | None:
    chosen = book.select("petstore", OP, context or ctx())
    if chosen.reply is None:
        return None
    assert chosen.rule is not None
    return f"{chosen.rule.id}:{chosen.reply.json}"


def test_empty_book_selects_nothing() -> None:
    chosen = RuleBook().select("petstore", OP, ctx())
    assert chosen.rule is None
    assert chosen.reply is None
    assert chosen.nearest is None


def test_newest_rule_wins_at_equal_priority() -> None:
    book = RuleBook()
    book.put(rule("old"))
    book.put(rule("new"))
    assert answer(book) == "new:new"
    assert [r.id for r in book.rules()] == ["new", "old"]


def test_priority_beats_newness() -> None:
    book = RuleBook()
    book.put(rule("important", priority=5))
    book.put(rule("newer"))
    book.put(rule("negative", priority=-1))
    assert answer(book) == "important:important"
    assert [r.id for r in book.rules()] == ["important", "newer", "negative"]


def test_replacing_a_rule_keeps_its_place_and_hits() -> None:
    book = RuleBook()
    book.put(rule("a", Step(Reply(json=1), times=1), Step(Reply(json=2))))
    book.put(rule("b", priority=-1))
    assert answer(book) == "a:1"
    book.put(replace(book.get("a"), name="renamed"))  # type: ignore[arg-type]
    assert book.hits("a") == 1
    assert answer(book) == "a:2"
    assert [r.id for r in book.rules()] == ["a", "b"]


def test_rules_are_scoped_to_collection_and_operation() -> None:
    book = RuleBook()
    book.put(rule("other-op", operation="GET /pets"))
    book.put(rule("other-coll", collection="shop"))
    assert answer(book) is None
    assert [r.id for r in book.rules(collection="shop")] == ["other-coll"]
    assert [r.id for r in book.rules(operation="GET /pets")] == ["other-op"]


def test_times_then_steps_then_retired() -> None:
    book = RuleBook()
    book.put(rule("seq", Step(Reply(json="first"), times=2), Step(Reply(json="then"), times=1)))
    assert [answer(book) for _ in range(3)] == ["seq:first", "seq:first", "seq:then"]
    assert book.hits("seq") == 3
    chosen = book.select("petstore", OP, ctx())
    assert chosen.reply is None
    assert chosen.nearest is not None
    assert chosen.nearest.id == "seq"
    assert any("retired" in reason for reason in chosen.reasons)
    assert book.hits("seq") == 3


def test_retired_rule_falls_through_to_the_next_rule() -> None:
    book = RuleBook()
    book.put(rule("fallback"))
    book.put(rule("once", Step(Reply(json="once"), times=1)))
    assert [answer(book) for _ in range(3)] == [
        "once:once",
        "fallback:fallback",
        "fallback:fallback",
    ]


def test_open_ended_last_step_answers_forever() -> None:
    book = RuleBook()
    book.put(rule("r", Step(Reply(json="a"), times=1), Step(Reply(json="b"))))
    assert [answer(book) for _ in range(5)] == ["r:a"] + ["r:b"] * 4


def test_step_for_counts_hits() -> None:
    r = rule("r", Step(Reply(json=1), times=2), Step(Reply(json=2), times=3))
    assert [
        r.step_for(h).reply.json if r.step_for(h) else None  # type: ignore[union-attr]
        for h in range(6)
    ] == [1, 1, 2, 2, 2, None]


def test_reset_hits_restarts_the_sequence() -> None:
    book = RuleBook()
    book.put(rule("r", Step(Reply(json="a"), times=1), Step(Reply(json="b"), times=1)))
    assert [answer(book), answer(book), answer(book)] == ["r:a", "r:b", None]
    book.reset_hits("r")
    assert answer(book) == "r:a"


def test_replace_steps_keeps_hits() -> None:
    book = RuleBook()
    book.put(rule("r", Step(Reply(json="a"), times=1)))
    assert answer(book) == "r:a"
    book.replace_steps("r", (Step(Reply(json="a"), times=1), Step(Reply(json="b"))))
    assert answer(book) == "r:b"
    assert book.replace_steps("missing", ()) is None


def test_disabled_rule_never_answers() -> None:
    book = RuleBook()
    book.put(rule("off", enabled=False))
    chosen = book.select("petstore", OP, ctx())
    assert chosen.rule is None
    assert chosen.nearest is None


def test_unmatched_rules_report_the_nearest_and_why() -> None:
    book = RuleBook()
    book.put(rule("one-of-two", matchers=(ParamEquals("path", "petId", "7"), JsonEquals({"x": 1}))))
    book.put(
        rule("none", matchers=(ParamEquals("path", "petId", "9"), ParamEquals("query", "q", "z")))
    )
    chosen = book.select("petstore", OP, ctx("7", b'{"x": 2}'))
    assert chosen.rule is None
    assert chosen.nearest is not None
    assert chosen.nearest.id == "one-of-two"
    assert chosen.reasons == ("body.x differs from the rule's",)


def test_matching_rule_answers_and_others_are_skipped() -> None:
    book = RuleBook()
    book.put(rule("seven", matchers=(ParamEquals("path", "petId", 7),)))
    book.put(rule("eight", matchers=(ParamEquals("path", "petId", 8),)))
    assert answer(book, ctx("7")) == "seven:seven"
    assert answer(book, ctx("8")) == "eight:eight"
    assert answer(book, ctx("9")) is None


def test_remove_and_remove_owned() -> None:
    book = RuleBook()
    book.put(rule("mine-1", owner="test_a"))
    book.put(rule("mine-2", owner="test_a"))
    book.put(rule("stored"))
    assert book.remove_owned("test_a") == 2
    assert [r.id for r in book.rules()] == ["stored"]
    assert book.remove("stored") is True
    assert book.remove("stored") is False
    assert book.get("stored") is None
    assert book.hits("stored") == 0


def test_concurrent_requests_fire_a_limited_rule_exactly_n_times() -> None:
    book = RuleBook()
    book.put(rule("fallback", priority=-1))
    book.put(rule("limited", Step(Reply(json="x"), times=100)))
    results: list[str | None] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            got = answer(book)
            with lock:
                results.append(got)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("limited:x") == 100
    assert results.count("fallback:fallback") == 300
    assert book.hits("limited") == 100


def test_reply_json_none_is_a_value() -> None:
    assert Reply(json=None).has_json is True
    assert Reply().has_json is False


def test_every_change_is_seen_by_the_next_selection() -> None:
    book = RuleBook()
    book.put(rule("first"))
    assert answer(book) == "first:first"  # the operation's candidates are now cached
    book.put(rule("second"))
    assert answer(book) == "second:second"
    book.put(rule("second", enabled=False))
    assert answer(book) == "first:first"
    book.put(rule("top", priority=5))
    assert answer(book) == "top:top"
    book.remove("top")
    assert answer(book) == "first:first"
    book.put(rule("mine", owner="t1"))
    assert answer(book) == "mine:mine"
    book.remove_owned("t1")
    assert answer(book) == "first:first"
