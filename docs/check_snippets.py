"""Check that the code snippets in docs/*.md are still true to the files they quote.

A snippet is a fenced code block directly preceded by a comment naming its source:

    <!-- from: examples/petshop/tests/test_petshop_client.py -->
    ```python
    def test_delete_pet(client, mockamocha):
    ...
    ```

The block's lines must appear, in order and contiguous, in that file (paths are relative
to the repository root). Run from anywhere: ``python docs/check_snippets.py``; the exit
status is 1 when a snippet has drifted from its source.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = re.compile(r"^<!-- from: (?P<path>\S+) -->$")


def snippets(doc: Path) -> list[tuple[int, str, list[str]]]:
    """(line number, source path, lines) of every marked block in ``doc``."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    found = []
    for i, line in enumerate(lines):
        mark = MARK.match(line.strip())
        if not mark or i + 1 >= len(lines) or not lines[i + 1].startswith("```"):
            continue
        end = next(j for j in range(i + 2, len(lines)) if lines[j].startswith("```"))
        found.append((i + 1, mark["path"], lines[i + 2 : end]))
    return found


def contains(text: list[str], block: list[str]) -> bool:
    """Whether ``block`` occurs as contiguous lines of ``text``."""
    n = len(block)
    return any(text[k : k + n] == block for k in range(len(text) - n + 1))


def main() -> int:
    """Check every doc; print each drifted snippet."""
    failures = 0
    count = 0
    for doc in sorted((ROOT / "docs").glob("*.md")):
        for line, source, block in snippets(doc):
            count += 1
            target = ROOT / source
            if not target.is_file():
                print(f"{doc.name}:{line}: {source} does not exist")
                failures += 1
            elif not contains(target.read_text(encoding="utf-8").splitlines(), block):
                print(f"{doc.name}:{line}: snippet no longer matches {source}")
                failures += 1
    print(f"{count} snippets checked, {failures} drifted")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
