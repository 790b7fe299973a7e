"""Settings shared by every test folder."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

from hypothesis import settings

# No per-example deadline: speed is measured by the benchmarks (make bench), never by the tests,
# and a loaded CI machine must not turn a slow example into a failure.
settings.register_profile("cordtrack", deadline=None)
settings.load_profile("cordtrack")

# Hermetic engine tables: the batch engine keeps its automaton tables in the user's cache
# (cordtrack.isncsci.batch.tables), so a test run would otherwise load whatever an earlier run or
# another checkout left in ~/.cache/cordtrack. Each test process (and the commands it starts,
# which inherit the environment) builds its own in a temporary folder, removed at exit. Set
# before any test module imports the batch engine.
_CACHE = tempfile.mkdtemp(prefix="cordtrack-test-cache-")
os.environ["CORDTRACK_CACHE_DIR"] = _CACHE
os.environ.pop("CORDTRACK_CACHE", None)
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
