"""The public "what to expect" page (``/expect/``): published natural history and cell-therapy
evidence for a level, completeness and time since injury, for anyone, signed in or not.

Nothing is stored, nothing about the inputs is logged (the request log strips query strings,
``logsafety``), no audit rows are written, no cookie is set. See docs/expect.md.
"""
