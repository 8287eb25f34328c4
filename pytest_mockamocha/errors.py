"""Every error the package raises on purpose, in one tree:

* MockamochaError                  the root: catch it to catch everything below
  x SpecError                      a document cannot be loaded (names file, pointer, line)
  x RefError                       a schema's ``$ref`` points nowhere inside its document
  x OperationNotFoundError         also a LookupError; carries the closest names
  x CollectionNotFoundError        also a LookupError; carries the slugs that exist
  x RuleError                      also a ValueError; a rule is malformed, raised when made
    + RuleFileError                a rule file cannot be loaded; every problem, with its line
  x StatefulError                  also a ValueError; stateful mode cannot be set up as asked
  x CustomFieldError               also a ValueError; a custom field of generated records
  x GenerationError                no value satisfies a schema; ``.pointer`` names where
  x TemplateError                  also a ValueError; a response template failed to render
  x ConfigError                    what a server is asked to serve does not fit together
  x ReportError                    also a ValueError; a saved JSON report cannot be read
                                   or combined (names the file)
  x ApiError                       a management API call failed; becomes the error envelope
  x MockamochaAssertionError       also an AssertionError; a test's expectation failed
* MockamochaWarning                a UserWarning: served anyway, but deserves attention

Test-facing failures subclass ``AssertionError`` so pytest reports them as failures, not
as errors in the test's set-up. The SDK has a tree of its own (``sdk/errors.py``, rooted
at ``SdkError``): it is an island that imports nothing of the package but the wire codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pytest_mockamocha._text import shorten
from pytest_mockamocha._wire import ERROR_CODES


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


class RefError(MockamochaError):
    """A ``$ref`` does not point at a schema inside the document."""


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


class StatefulError(MockamochaError, ValueError):
    """A stateful store cannot be set up as asked (an unknown resource, a bad size)."""


class CustomFieldError(MockamochaError, ValueError):
    """A custom field cannot be used, or makes records the schema refuses."""


class GenerationError(MockamochaError):
    """A schema cannot be satisfied; ``.pointer`` names where."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(f"{message} (schema at {pointer})" if pointer else message)
        self.pointer = pointer
        self.reason = message


class TemplateError(MockamochaError, ValueError):
    """A template failed to render; the message names the part and says why."""


class ConfigError(MockamochaError):
    """What a server is asked to serve does not fit together (a recording without a proxy,
    a spec that is not there, a database that cannot be opened).

    The message names settings as ``{field}`` placeholders, so the plugin and the CLI can
    each word it with their own option names (``worded``); ``str()`` uses the field names.
    """

    def __init__(self, template: str, **values: str) -> None:
        self.template = template
        self.values = values
        super().__init__(self.worded({}))

    def worded(self, names: Mapping[str, str]) -> str:
        """The message with each ``{field}`` as ``names`` calls it (else the field's name)."""
        return self.template.format_map(_Names(names, self.values))


class ReportError(MockamochaError, ValueError):
    """A saved JSON report cannot be read, or reports cannot be combined; names the file
    (``source``) and says why."""

    def __init__(self, message: str, *, source: str = "") -> None:
        self.source = source
        self.reason = message
        super().__init__(f"{source}: {message}" if source else message)


class _Names(dict[str, str]):
    """``format_map`` lookup: a value given to the error, else an option name, else the key."""

    def __init__(self, names: Mapping[str, str], values: Mapping[str, str]) -> None:
        super().__init__(values)
        self._names = names

    def __missing__(self, key: str) -> str:
        return self._names.get(key, key)


class ApiError(MockamochaError):
    """Raised by the management API's handlers; ``api/envelope.py`` turns it into the error
    envelope (``code`` from the status, ``message``, ``details``) and nowhere else does."""

    def __init__(
        self,
        status: int,
        message: str,
        details: Sequence[str] = (),
        *,
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = ERROR_CODES[status]
        # messages echo what the client sent: never a whole oversized value
        self.message = shorten(message)
        self.details = [shorten(d) for d in details]
        self.headers = list(headers)


class MockamochaAssertionError(MockamochaError, AssertionError):
    """A test's expectation about the mock failed (assert_called, strict-mode violations)."""
