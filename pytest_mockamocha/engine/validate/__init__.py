"""Step 2 of the pipeline: does a request keep the operation's contract?

``violations`` checks credentials, parameters and bodies and words each problem as a
``Violation``; ``fastcheck`` is the compiled fast path for the common operations.
"""
