"""Settings for the test suite: the base settings with throwaway keys and no demo mode.

The tests never read a developer's ``var/cordtrack.env`` (it may turn demo mode on or name the
development database): ``CORDTRACK_ENV_FILE`` is set empty here, which turns the file off.
"""

from __future__ import annotations

import os
import tempfile

os.environ["CORDTRACK_ENV_FILE"] = ""
os.environ.setdefault("CORDTRACK_SECRET_KEY", "test-only-secret-key-0123456789abcdefghijklmnop")
os.environ.setdefault("CORDTRACK_AUDIT_KEY", "test-only-audit-key-0123456789-ABCDEFGHIJ")
os.environ.setdefault("CORDTRACK_VAR_DIR", tempfile.mkdtemp(prefix="cordtrack-test-var-"))

from .settings import *  # noqa: F403
from .settings import DATABASES, STATIC_ROOT, STORAGES

# Tests run with DEBUG off but without `collectstatic`: original file names, no manifest (and an
# empty folder where WhiteNoise looks for collected files).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Each test run gets its own database; the SQLite test database lives in memory.
DATABASES["default"].setdefault("TEST", {})

# Anchoring is switched on by the tests that check it, each with a file of its own (the test
# database is rolled back after each test, a shared file would not be).
AUDIT_ANCHORS_FILE = None
