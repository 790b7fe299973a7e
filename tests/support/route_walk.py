"""Walking every named route of the URL map (tests only): the route walks of the read audit, the
blinded assessor and the sponsor (``tests/server/test_read_audit.py``, ``test_blinding.py``,
``test_sponsor_walk.py``) enumerate, open and classify routes the same way.

* :func:`named_routes`: every route by its name (``namespace:name``) with its pattern;
* :func:`sample_url` and :func:`any_url`: a URL that reaches a route;
* :func:`api_methods`: the HTTP methods of each API operation (an operation is a route of its
  own for the fences, not the path it shares with another);
* :func:`fence_classification_problems`: the "every route classified" check of one fenced role;
* :func:`text_of`: what a person would read in an answer (HTML, JSON, a PDF's text, a ZIP's files).
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Iterator, Mapping
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cordtrack.server.fences import Fence


def _walk(
    patterns: Any = None, namespace: str = "", prefix: str = ""
) -> Iterator[tuple[str, URLPattern, str]]:
    for p in get_resolver().url_patterns if patterns is None else patterns:
        here = prefix + _sample(p)
        if isinstance(p, URLResolver):
            inner = f"{namespace}:{p.namespace}" if namespace and p.namespace else p.namespace
            yield from _walk(p.url_patterns, inner or namespace, here)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), p, "/" + here


def _sample(p: URLPattern | URLResolver) -> str:
    """The pattern's route with each parameter replaced by a value its converter accepts."""
    route = str(p.pattern)
    converters = getattr(p.pattern, "converters", {})
    for name, converter in converters.items():
        value = next(v for v in ("1", "NTH", str(uuid.uuid4()), "x")
                     if re.fullmatch(converter.regex, v))  # fmt: skip
        route = re.sub(rf"<(?:[^:>]+:)?{name}>", value, route)
    return route.lstrip("^").rstrip("$").replace("\\", "")


def route_names() -> list[str]:
    """Every named route of the URL map, in the map's order."""
    return [name for name, _, _ in _walk()]


def named_routes() -> dict[str, URLPattern]:
    """Every named route with its pattern (the first pattern of a name, as ``reverse`` finds)."""
    found: dict[str, URLPattern] = {}
    for name, pattern, _ in _walk():
        found.setdefault(name, pattern)
    return found


def sample_urls() -> Iterator[tuple[str, str]]:
    """Every named route with a URL that reaches it (a value of the right kind per parameter)."""
    for name, _, url in _walk():
        yield name, url


def any_url(name: str, pattern: Any, pk: int) -> str:
    """A URL of the route with ``pk`` for every integer argument (the record does not matter to a
    route fence: a closed route is 403 before any view runs, for a record that exists or not)."""
    if name == "admin:app_list":
        return "/admin/patients/"
    kwargs: dict[str, Any] = {}
    for key, converter in pattern.pattern.converters.items():
        kind = type(converter).__name__
        kwargs[key] = {"IntConverter": pk, "UUIDConverter": uuid.uuid4()}.get(kind, "x")
    try:
        return reverse(name, kwargs=kwargs)
    except Exception:  # a route whose arguments are not plain converters (the admin's)
        route = str(pattern.pattern)
        return "/" + re.sub(r"<[^>]+>", str(pk), route).lstrip("^").rstrip("$")


def api_methods() -> dict[str, set[str]]:
    """The HTTP methods of each API operation (GET and POST of one path are one Django route:
    an operation is tried with its own methods)."""
    from cordtrack.server.api.api import api

    found: dict[str, set[str]] = {}
    for _, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                name = getattr(op, "url_name", None) or op.view_func.__name__
                found.setdefault(f"api-v1:{name}", set()).update(op.methods)
    return found


def closed_reason(
    name: str, closed: Mapping[str, str], closed_by_prefix: Mapping[str, str]
) -> str | None:
    """Why a test keeps ``name`` closed (by name, else by the first prefix it starts with)."""
    if name in closed:
        return closed[name]
    return next((why for prefix, why in closed_by_prefix.items() if name.startswith(prefix)), None)


def fence_classification_problems(
    fence: Fence,
    opened: set[str],
    closed: Mapping[str, str] | None = None,
    closed_by_prefix: Mapping[str, str] | None = None,
) -> list[str]:
    """What is wrong with one role's classification of the routes: a route the fence opens that
    the test does not open (or the reverse), a route the fence lists that no longer exists, and,
    where the test lists the closed routes with their reasons, a route neither open nor closed or
    both."""
    names = route_names()
    problems = [
        f"{n}: open in the fence, not in the test's OPEN"
        for n in names if fence.opens(n) and n not in opened
    ] + [f"{n}: in the test's OPEN, not open in the fence" for n in sorted(opened)
         if not fence.opens(n)]  # fmt: skip
    problems += [f"{n}: listed in the fence, no such route" for n in sorted(fence.routes)
                 if n not in set(names)]  # fmt: skip
    if closed is not None:
        by_prefix = closed_by_prefix or {}
        problems += [
            f"{n}: neither OPEN nor CLOSED (classify it)"
            for n in names
            if n not in opened and closed_reason(n, closed, by_prefix) is None
        ]
        problems += [f"{n}: both OPEN and CLOSED" for n in sorted(opened & set(closed))]
    return problems


def text_of(response: Any) -> str:
    """The text a person would read in the answer: HTML and JSON as sent, a PDF's text, every
    file of a ZIP (CSV, README, the codebook PDF, SPSS and Stata files as bytes)."""
    body = (b"".join(response.streaming_content) if getattr(response, "streaming", False)
            else bytes(response.content))  # fmt: skip
    return _text(body, response.headers.get("Content-Type", ""))


def _text(body: bytes, kind: str) -> str:
    if kind.startswith("application/pdf"):
        import pypdfium2

        pdf = pypdfium2.PdfDocument(body)
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    if kind.startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(
                _text(archive.read(n), "application/pdf" if n.endswith(".pdf") else "")
                for n in archive.namelist()
            )
    return body.decode("utf-8", errors="replace")
