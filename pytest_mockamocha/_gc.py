"""The cyclic garbage collector, paused while a document loads.

Loading a large document allocates millions of dicts, lists and strings in one go, none of
them garbage. Each allocation counts towards CPython's next collection, so a load runs dozens
of collections that walk every object made so far and free nothing: on GitHub's 1,223
operations (a 7 MB compiled entry) ``orjson.loads`` takes ~85 ms with the collector on and
~42 ms with it off, and a warm ``serve`` answers first after 0.37 s instead of 0.29 s.
Reference counting still frees what a load drops; cycles made meanwhile wait for a later
collection.

What a pause allocated is young to the collector, and the first collection after it would
walk all of it at once (~50 ms for that document). So the pause ends by moving it to the
oldest generation, which ``gc.freeze()`` then ``gc.unfreeze()`` do without walking anything,
unless the process had frozen objects of its own (unfreezing would undo that). Whether it
had is asked of ``gc.get_freeze_count()`` only when ``freeze()`` here did not say so: that
count walks every frozen object (~6 ms per call after ``serve`` froze its start-up, which
every import over the API paid).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
#: whether the outermost pause found the collector on (it is turned back on only then)
_resume = False
#: whether ``freeze()`` froze objects (and ``unfreeze()`` has not released them since)
_frozen = False


def freeze() -> None:
    """``gc.freeze()``, remembered: later pauses then know objects are frozen without
    counting them (``gc.get_freeze_count()`` walks every one)."""
    global _frozen
    with _lock:
        gc.freeze()
        _frozen = True


def unfreeze() -> None:
    """``gc.unfreeze()``, and forget that ``freeze()`` froze anything."""
    global _frozen
    with _lock:
        gc.unfreeze()
        _frozen = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic collection inside the block; the collector's state before the outermost
    block is restored after it (nested and concurrent blocks share one pause)."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                if not _frozen and not gc.get_freeze_count():
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()
