"""The database session store, its one read compiled once per connection (ADR 0062).

Every signed-in request reads its session row. Django's store asks for it with
``Session.objects.get(session_key=..., expire_date__gt=now())``, compiled from the ORM on every
request; here the row is read by its key through a :class:`~cordtrack.server.prepared.Prepared`
query and its expiry compared in Python: a session past its expiry date is not found, as in
Django's store (``tests/server/test_sessions.py``). Writing, cycling and clearing sessions are
Django's own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from ..prepared import Prepared

_SESSION: Prepared[Session] = Prepared(lambda key: Session.objects.filter(session_key=key)[:1], str)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        found = _SESSION.first(self.session_key) if self.session_key else None
        if found is None or found.expire_date <= timezone.now():
            self._session_key = None
            return None
        return found
