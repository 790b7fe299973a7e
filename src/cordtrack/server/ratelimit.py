"""Rate limits of forms open to anyone (/inquire/): posts counted per client in the database.

A count kept in a process's memory (Django's LocMem cache, as before) is a count per gunicorn
worker and per app server: with 4 workers on each of 2 servers, a limit of 5 an hour let up to
40 posts through. Here every process counts in the same row (``api.PostCount``), and each step
is one statement that cannot lose a concurrent post's count:

- a post within the window adds one (``count = count + 1`` where the window is still open;
  PostgreSQL re-checks that condition on a row a concurrent transaction has just changed);
- the first post after the window restarts it, only where the row is still stale: of two posts
  that both found it stale, one restarts it and the other, re-checking, counts on top;
- a client's first post inserts the row; if a concurrent first post inserted it meanwhile, the
  primary key refuses the second insert and that post counts on top instead.

SQLite runs one writing transaction at a time (``transaction_mode`` IMMEDIATE in settings), so
there the same steps simply run one after another.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .api.models import PostCount


def count_post(key: str, window: dt.timedelta) -> int:
    """Count one post of ``key``: the number of its posts in the current window, this one
    included. Committed at once, whatever becomes of the post (a refused form counts too)."""
    now = timezone.now()
    stale = now - window
    row = PostCount.objects.filter(pk=key)
    with transaction.atomic():
        for _attempt in range(3):  # a row inserted or deleted by a concurrent post: look again
            if row.filter(window_started_at__gt=stale).update(count=F("count") + 1):
                break
            if row.filter(window_started_at__lte=stale).update(count=1, window_started_at=now):
                break
            try:
                with transaction.atomic():
                    PostCount.objects.create(key=key, count=1, window_started_at=now)
            except IntegrityError:
                continue
            # A new client: clear the rows whose window has passed (no count of them matters
            # any more), so the table holds about one row per client of the last window.
            PostCount.objects.filter(window_started_at__lte=stale).delete()
            break
        return row.values_list("count", flat=True).get()
