"""Step 4 of the pipeline: build the answer.

``responder`` builds answers from the spec (``Prefer``, examples, generated data) and the
mock's own problem answers; ``examples``, ``datasets`` and ``templates`` are what it draws
on.
"""
