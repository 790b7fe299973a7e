"""Settings shared by every test folder."""

from __future__ import annotations

from hypothesis import settings

# No per-example deadline: speed is measured by the benchmarks (make bench), never by the tests,
# and a loaded CI machine must not turn a slow example into a failure.
settings.register_profile("cordtrack", deadline=None)
settings.load_profile("cordtrack")
