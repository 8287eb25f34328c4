"""Step 3 of the pipeline: the rules a test, a rule file or the API made.

``book`` keeps the rules and picks the one that answers; ``matchers`` and ``conditions``
explain a miss; ``form`` and ``matchform`` turn the one dict form of a rule
into a ``Rule`` (every entry point ends there); ``files`` reads rule files.
"""
