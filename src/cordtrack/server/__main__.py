"""``python -m cordtrack.server COMMAND`` is Django's ``manage.py`` for the registry."""

from __future__ import annotations

from .manage import main

if __name__ == "__main__":
    raise SystemExit(main())
