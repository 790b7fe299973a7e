"""The dashboard's counts kept a few seconds in the shared cache (ADR 0056): reused within the
setting and shown with the time they were counted, recounted after it (one request recounts
while the others show the previous counts, never past the bound), never shared between blinding
views or shown for a site the user has no role at, and counted on every request when the setting
is 0. The lists below the counts are read on every request."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from cordtrack.server import blinding
from cordtrack.server.accounts.models import Role, Site, User
from cordtrack.server.journey import figures
from cordtrack.server.monitoring.models import DataQuery, QueryStatus, Target
from cordtrack.server.patients.models import Patient
from cordtrack.server.synthetic import generate
from cordtrack.server.therapy.models import Administration

pytestmark = pytest.mark.django_db

KEPT = 30


class Clock:
    """The time the figures module reads, moved by the test."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr(figures, "_clock", moved)
    return moved


@pytest.fixture
def registry(settings: Any) -> dict[str, Site]:
    settings.DEMO_MODE = True
    settings.DASHBOARD_FIGURES_SECONDS = KEPT
    generate(30, ("NTH", "STH"), seed=1)
    return {s.code: s for s in Site.objects.all()}


def _raise_query(site: Site, by: User) -> DataQuery:
    patient = Patient.objects.filter(site=site).order_by("pk").first()
    assert patient is not None
    return DataQuery.objects.create(
        patient=patient, target=Target.EXAM, target_id=1, field="", text="check",
        status=QueryStatus.OPEN, raised_by=by, raised_at=timezone.now(),
    )  # fmt: skip


def _page(client: Client) -> str:
    answer = client.get("/dashboard/")
    assert answer.status_code == 200
    return answer.content.decode()


def _queries_shown(page: str, site: str) -> int:
    section = page.split(f'data-site="{site}"', 1)[1]
    return int(re.search(r'data-count="queries">(\d+)<', section).group(1))  # type: ignore[union-attr]


def _counted_at(page: str) -> str:
    return re.search(r'data-counted-at="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_counts_are_reused_within_the_setting_with_their_time_then_recounted(
    registry: dict[str, Site], clock: Clock, client: Client, make_user: Callable[..., User],
) -> None:  # fmt: skip
    mona = make_user("mona", Role.MONITOR, registry["NTH"])
    client.force_login(mona)
    first = _page(client)
    before = _queries_shown(first, "NTH")
    query = _raise_query(registry["NTH"], mona)

    clock.advance(KEPT - 1)
    within = _page(client)
    assert _queries_shown(within, "NTH") == before  # the kept count, not yet the new query
    assert _counted_at(within) == _counted_at(first)
    assert (
        f"Counts as of {timezone.localtime(clock.now - dt.timedelta(seconds=KEPT - 1)):%H:%M:%S}"
        in within
    )
    assert f'data-query="{query.pk}"' in within  # the list is read on every request

    clock.advance(2)
    after = _page(client)
    assert _queries_shown(after, "NTH") == before + 1
    assert _counted_at(after) != _counted_at(first)


def test_one_request_recounts_while_the_others_show_the_previous_counts_up_to_the_bound(
    registry: dict[str, Site], clock: Clock, make_user: Callable[..., User],
) -> None:  # fmt: skip
    site, today = registry["NTH"], timezone.localdate()
    counted, at = figures.figures_as_of([site.pk], today)
    _raise_query(site, make_user("mona", Role.MONITOR, site))
    # another request holds the recount of this site (as one does while it counts)
    assert caches["shared"].add(f"{figures._key(site.pk, today)}:lock", 1, 60)

    clock.advance(KEPT + 1)
    shown, shown_at = figures.figures_as_of([site.pk], today)
    assert shown[site.pk]["queries_count"] == counted[site.pk]["queries_count"]
    assert shown_at == at

    clock.advance(KEPT * figures.SERVE_STALE_FACTOR)  # past the bound: recounted regardless
    shown, shown_at = figures.figures_as_of([site.pk], today)
    assert shown[site.pk]["queries_count"] == counted[site.pk]["queries_count"] + 1
    assert shown_at[site.pk] == clock.now


def test_the_request_that_takes_the_recount_shows_new_counts(
    registry: dict[str, Site], clock: Clock, make_user: Callable[..., User],
) -> None:  # fmt: skip
    site, today = registry["NTH"], timezone.localdate()
    counted, _ = figures.figures_as_of([site.pk], today)
    _raise_query(site, make_user("mona", Role.MONITOR, site))
    clock.advance(KEPT + 1)
    shown, shown_at = figures.figures_as_of([site.pk], today)
    assert shown[site.pk]["queries_count"] == counted[site.pk]["queries_count"] + 1
    assert shown_at[site.pk] == clock.now
    # and frees the recount for the next time
    assert caches["shared"].add(f"{figures._key(site.pk, today)}:lock", 1, 60)


def test_a_blinded_request_never_sees_counts_kept_for_an_open_one_nor_the_reverse(
    registry: dict[str, Site], clock: Clock,
) -> None:  # fmt: skip
    sites, today = [s.pk for s in registry.values()], timezone.localdate()
    assert Administration.objects.exists()

    def administrations(shown: dict[int, dict[str, Any]]) -> int:
        return sum(shown[s]["sdv"][2].total for s in sites)

    opened, _ = figures.figures_as_of(sites, today)  # kept for the open view
    with blinding.blinded():
        blinded, _ = figures.figures_as_of(sites, today)
        blinded_again, _ = figures.figures_as_of(sites, today)  # kept for the blinded view
    opened_again, _ = figures.figures_as_of(sites, today)

    assert administrations(opened) == administrations(opened_again) > 0
    assert administrations(blinded) == administrations(blinded_again) == 0
    assert figures.site_figures(sites, today) == opened_again
    with blinding.blinded():
        assert figures.site_figures(sites, today) == blinded_again


def test_a_user_is_shown_the_kept_counts_of_their_own_sites_only(
    registry: dict[str, Site], clock: Clock, client: Client, make_user: Callable[..., User],
) -> None:  # fmt: skip
    south = make_user("sam", Role.MONITOR, registry["STH"])
    client.force_login(south)
    assert 'data-site="STH"' in _page(client)  # the south's counts are now kept
    client.force_login(make_user("mona", Role.MONITOR, registry["NTH"]))
    page = _page(client)
    assert 'data-site="NTH"' in page
    assert 'data-site="STH"' not in page


def test_with_the_setting_at_zero_every_request_counts(
    registry: dict[str, Site], settings: Any, client: Client, make_user: Callable[..., User],
) -> None:  # fmt: skip
    settings.DASHBOARD_FIGURES_SECONDS = 0
    mona = make_user("mona", Role.MONITOR, registry["NTH"])
    client.force_login(mona)
    before = _queries_shown(_page(client), "NTH")
    _raise_query(registry["NTH"], mona)
    page = _page(client)
    assert _queries_shown(page, "NTH") == before + 1
    assert "recounted every" not in page
