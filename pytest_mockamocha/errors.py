"""One error tree for everything the package raises on purpose.

Test-facing failures subclass ``AssertionError`` so pytest reports them as failures,
not as errors in the test's set-up.
"""

from __future__ import annotations

from collections.abc import Sequence


class MockamochaError(Exception):
    """Base of every error this package raises deliberately."""


class MockamochaWarning(UserWarning):
    """Something in a spec or a rule that is served anyway but deserves attention."""


class SpecError(MockamochaError):
    """An API document cannot be loaded; names the file and where in it."""

    def __init__(
        self, message: str, *, source: str = "", pointer: str = "", line: int | None = None
    ):
        self.source = source
        self.pointer = pointer
        self.line = line
        where = source
        if line is not None:
            where += f", line {line}"
        if pointer:
            where += f", at {pointer}"
        super().__init__(f"{where}: {message}" if where else message)
        self.reason = message


class OperationNotFoundError(MockamochaError, LookupError):
    """An operation name matched nothing; carries the closest names."""

    def __init__(self, name: str, suggestions: Sequence[str], *, where: str = ""):
        self.name = name
        self.suggestions = tuple(suggestions)
        hint = (
            f"; did you mean: {', '.join(repr(s) for s in self.suggestions)}?"
            if suggestions
            else ""
        )
        scope = f" in {where}" if where else ""
        super().__init__(f"no operation {name!r}{scope}{hint}")


class CollectionNotFoundError(MockamochaError, LookupError):
    """A collection slug matched nothing; carries the slugs that exist."""

    def __init__(self, slug: str, known: Sequence[str]):
        self.slug = slug
        self.known = tuple(known)
        super().__init__(f"no collection {slug!r}; known: {', '.join(self.known) or 'none'}")


class RuleError(MockamochaError, ValueError):
    """A response rule is malformed; raised when the rule is made, not when a request arrives."""


class RuleFileError(RuleError):
    """A rule file cannot be loaded; the message lists every problem with its line."""


class MockamochaAssertionError(MockamochaError, AssertionError):
    """A test's expectation about the mock failed (assert_called, strict-mode violations)."""
