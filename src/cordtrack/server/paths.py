"""Links to many records of one kind on one page: the route reversed once, not once per row.

A list of 25 patients, each with ``{% url 'patients:detail' p.pk %}``, resolves the route once per
row (Django's ``reverse``: a tenth of a millisecond or more each; the dashboard made 118 such
calls a request, ADR 0060). :func:`by_pk` reverses a route once, with a placeholder key, and
puts each row's key in its place: the same path as ``reverse`` gives
(``tests/server/test_paths.py``). It is kept per route, script prefix and URLconf, which is all
a reversed path depends on. In templates (a builtin library):
``{{ p.pk|pk_path:"patients:detail" }}``.

A route without arguments (the header's 15 links on a clinician's page, ADR 0062) is reversed
once per script prefix and URLconf too: ``{% route 'dashboard' %}`` is ``{% url 'dashboard' %}``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

#: A key no row has, reversed in place of the real ones (an ``int`` route takes digits only).
_PLACEHOLDER = 987654321987654321


@functools.lru_cache(maxsize=256)
def _parts(view_name: str, prefix: str, urlconf: str | None) -> tuple[str, str]:
    path = reverse(view_name, args=[_PLACEHOLDER], urlconf=urlconf)
    head, found, tail = path.partition(str(_PLACEHOLDER))
    if not found or str(_PLACEHOLDER) in tail:
        raise ValueError(f"{view_name}: the key is not a single path segment")
    return head, tail


def by_pk(view_name: str) -> Callable[[int], str]:
    """``lambda pk: reverse(view_name, args=[pk])`` for a route with one integer key."""
    head, tail = _parts(view_name, get_script_prefix(), get_urlconf())
    return lambda pk: f"{head}{int(pk)}{tail}"


@functools.lru_cache(maxsize=512)
def _plain(view_name: str, prefix: str, urlconf: str | None) -> str:
    return reverse(view_name, urlconf=urlconf)


def plain(view_name: str) -> str:
    """``reverse(view_name)`` for a route without arguments, kept (see the module)."""
    return _plain(view_name, get_script_prefix(), get_urlconf())


@register.simple_tag
def route(view_name: str) -> str:
    """``{% url view_name %}`` for a route without arguments, reversed once (see the module)."""
    return plain(view_name)


@register.filter
def pk_path(pk: int, view_name: str) -> str:
    """``{% url view_name pk %}``, the route reversed once (see the module)."""
    return by_pk(view_name)(pk)
