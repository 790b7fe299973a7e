"""Everything an Arabic-reading patient can reach, found by following links (issue 17 item 1).

``patient@sth`` (who prefers Arabic in the demo) signs in from an English browser on a 375 px
phone; the walk follows every same-origin link from the portal, breadth first (sign-out and the
language switch left alone, at most :data:`CAP` pages), and on each page checks that it answers
without an error, is ``<html lang="ar" dir="rtl">``, does not scroll sideways, and shows no text
that is an English msgid the Arabic catalog translates (a string the page forgot to translate;
see tests/support/catalog_text.py). Each download (the PDFs) is fetched with the patient's
session and must be Arabic, with no glyph missing. A screenshot of each page is kept as
``var/screenshots/ar-walk-<n>-<path>.png``.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import pypdfium2
from catalog_text import Catalog
from pdf_glyphs import drawn_glyphs

from .conftest import SCREENSHOTS, login, tab
from .screens import PHONE, WALK_TIMEOUT_MS, overflow

#: At most this many pages: the patient's pages are some twenty; a link leading into staff
#: pages by mistake would otherwise walk on for ever (and fail on their 403 first).
CAP = 60
#: Not followed: signing out ends the walk, the language page switches the account's language.
SKIP = re.compile(r"^/(accounts/logout/|language/)")
#: Fetched and checked as files, not opened as pages (a PDF must be Arabic; a document the
#: patient's clinic filed, such as a scan, is the file as filed and only has to open).
DOWNLOAD = re.compile(r"(\.(pdf|csv|zip|json|xlsx|sav|dta|ics|png|jpg)|/download/)$")
ARABIC_LETTER = re.compile("[\u0621-\u064a]")

#: The visible texts of the page written in the page's own language: each text node (a label, a
#: cell, a link), each element's whole text where text and markup mix (a sentence with a <strong>
#: in it, as a blocktranslate msgid has it), the words of buttons and placeholders. Text inside an
#: element marked with another ``lang`` (the footer's "Language", a consent text in English) is
#: in that language on purpose and left out; hidden elements and scripts too.
TEXTS_JS = """() => {
    const own = document.documentElement.lang;
    const mine = (el) => { const l = el.closest('[lang]'); return !l || l.lang === own; };
    const seen = (el) => {
        if (el.tagName === 'OPTION') el = el.closest('select') || el;
        return el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
    };
    const squash = (s) => s.replace(/\\s+/g, ' ').trim();
    // An element's own words: a child marked with another lang (a citation, the engine's
    // English reason) is left out of its parent's sentence as it is on its own.
    const words = (el) => [...el.childNodes].map(c => c.nodeType === 3 ? c.textContent
        : c.nodeType === 1 && mine(c) ? words(c) : ' ').join('');
    const out = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement, text = squash(n.textContent);
        if (!text || !el || el.closest('script, style, template, noscript')) continue;
        if (!mine(el) || !seen(el)) continue;
        out.add(text);
        const mixed = [...el.childNodes].some(c => c.nodeType === 1);
        if (mixed) out.add(squash(words(el)));
    }
    for (const el of document.querySelectorAll(
            'input[type=submit][value], input[type=button][value], [placeholder]')) {
        if (mine(el) && seen(el))
            out.add(squash(el.getAttribute('value') || el.getAttribute('placeholder') || ''));
    }
    return [...out].filter(Boolean);
}"""

#: What is marked ``dir="ltr"`` (charts, the worksheet, numbers) must lay out left to right: an
#: SVG element ignores the HTML attribute and inherits the page's right to left.
FLIPPED_JS = """() => [...document.querySelectorAll('[dir=ltr]')]
    .filter(e => getComputedStyle(e).direction !== 'ltr')
    .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + (e.getAttribute('class') || ''))"""

LINKS_JS = """() => [...document.querySelectorAll('a[href]')].map(a => a.href)"""

#: The evidence data's phrases and the engines' sentences that had no translation: shown in
#: English (``evidence_words``, class ``evidence-en``). Citations (``<cite lang="en">``) are
#: English on purpose and are not among them.
EVIDENCE_EN_JS = """() => [...document.querySelectorAll('.evidence-en')]
    .filter(e => e.checkVisibility() && !e.closest('cite'))
    .slice(0, 10).map(e => e.textContent.trim())"""


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:60] or "root"


def _pdf_problems(data: bytes, catalog: Catalog) -> list[str]:
    """Why a downloaded PDF is not in the patient's Arabic: few Arabic letters, a glyph no font
    had (drawn as an empty box), or an English msgid of two words or more that the catalog
    translates (a single word would match the references, which stay as published)."""
    problems = []
    glyphs = drawn_glyphs(data)
    if missing := [g.text for g in glyphs if g.missing]:
        problems.append(f".notdef drawn for {missing[:10]}")
    arabic = len(ARABIC_LETTER.findall("".join(g.text for g in glyphs)))
    if arabic < 100:
        problems.append(f"{arabic} Arabic letters: not an Arabic document")
    document = pypdfium2.PdfDocument(data)
    try:
        text = "\n".join(p.get_textpage().get_text_range() for p in document)
    finally:
        document.close()
    left = sorted({e.english for *_, e in catalog.spans(text) if " " in e.english.strip()})
    if left:
        problems.append(f"English left: {left}")
    return problems


def _page_problems(page: Any, catalog: Catalog) -> list[str]:
    problems = []
    html = page.locator("html")
    lang, direction = html.get_attribute("lang"), html.get_attribute("dir")
    if (lang, direction) != ("ar", "rtl"):
        problems.append(f'<html lang="{lang}" dir="{direction}">, not lang="ar" dir="rtl"')
    if why := overflow(page):
        problems.append(f"does not fit 375 px: {why}")
    if flipped := page.evaluate(FLIPPED_JS):
        problems.append(f"marked left to right but laid out right to left: {flipped}")
    left = sorted({e.english for t in page.evaluate(TEXTS_JS) if (e := catalog.untranslated(t))})
    if left:
        problems.append(f"English left: {left}")
    if evidence := page.evaluate(EVIDENCE_EN_JS):
        problems.append(f"evidence left in English: {evidence}")
    return problems


@dataclass
class Walk:
    """What the walk found: ``pages`` and ``downloads`` (path: problems), ``failed`` (path: HTTP
    status of a page or download that answered with an error), ``left`` (not reached: the cap)."""

    pages: dict[str, list[str]] = field(default_factory=dict)
    downloads: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    left: list[str] = field(default_factory=list)


def walk(page: Any, base_url: str, catalog: Catalog) -> Walk:
    """Breadth first from the page ``page`` is on (signed in), screenshots kept."""
    found = Walk()
    origin = urlsplit(base_url).netloc
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("ar-walk-*.png"):
        old.unlink()
    queue: deque[str] = deque([urlsplit(page.url).path])
    queued = set(queue)
    while queue and len(found.pages) < CAP:
        path = queue.popleft()
        if DOWNLOAD.search(urlsplit(path).path):
            fetched = page.context.request.get(base_url + path, timeout=WALK_TIMEOUT_MS)
            if fetched.status >= 400:
                found.failed[path] = fetched.status
            elif path.endswith(".pdf"):
                found.downloads[path] = _pdf_problems(fetched.body(), catalog)
            else:
                found.downloads[path] = []
            continue
        response = page.goto(path)
        assert response is not None, path
        if response.status >= 400:
            found.failed[path] = response.status
            continue
        found.pages[path] = _page_problems(page, catalog)
        name = f"ar-walk-{len(found.pages):02d}-{_slug(path)}.png"
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
        for href in page.evaluate(LINKS_JS):
            link = urlsplit(urljoin(page.url, href))
            target = link.path + (f"?{link.query}" if link.query else "")
            if link.netloc != origin or SKIP.match(link.path) or target in queued:
                continue
            queued.add(target)
            queue.append(target)
    found.left = list(queue)
    return found


def test_every_page_an_arabic_patient_can_reach_is_arabic_right_to_left_and_fits_a_phone(
    browser: Any, live_server: Any, demo: Any
) -> None:
    # The browser asks for English: the pages are Arabic because the patient chose Arabic.
    with tab(browser, live_server.url, locale="en-GB", viewport=PHONE) as page:
        page.context.set_default_timeout(WALK_TIMEOUT_MS)
        login(page, "patient@sth")
        found = walk(page, live_server.url, Catalog("ar"))
    print(f"walked {len(found.pages)} pages and {len(found.downloads)} downloads;"
          f" not reached (cap {CAP}): {found.left}")  # fmt: skip
    assert not found.failed, f"pages that failed: {found.failed}"
    assert "/portal/" in found.pages, list(found.pages)
    assert any(d.endswith("/progress.pdf") for d in found.downloads), list(found.downloads)
    problems = [
        f"{path}: {p}" for path, seen in {**found.pages, **found.downloads}.items() for p in seen
    ]
    assert not problems, "\n".join(problems)
