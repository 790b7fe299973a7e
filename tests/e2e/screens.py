"""Checks shared by the accessibility and small-screen browser tests (ADR 0048): axe-core, run
from its vendored copy, and the horizontal-overflow measure."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).resolve().parent / "vendor" / "axe-core"
AXE = VENDOR / "axe.min.js"
#: sha256 of the vendored axe.min.js (axe-core 4.14.1, vendor/axe-core/README.md).
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
#: WCAG 2.0 and 2.1, levels A and AA: what issue 17 asks of patient pages and the worksheet.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1280, "height": 860}
#: A walk opens a hundred pages or more; on a machine busy with other test runs one page may take
#: far longer than the 15 s the other browser tests allow (a limit of patience, not of speed).
WALK_TIMEOUT_MS = 120_000


def axe_file_ok() -> bool:
    return hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the current page (its own script added to it)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                               resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: '
                    + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 240))}));
        }""",
        WCAG_AA,
    )
    return result


def describe_violations(where: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{where}: {len(violations)} axe violation(s)"]
    for v in violations:
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    {node}" for node in v["nodes"])
    return "\n".join(lines)


def note_violations(page: Any, where: str, problems: list[str]) -> None:
    """axe-core on the current page; its violations, if any, added to ``problems``."""
    violations = axe_violations(page)
    if violations:
        problems.append(describe_violations(where, violations))


def axe_at_both_widths(page: Any, name: str, url: str, problems: list[str]) -> None:
    """Open ``url`` on a laptop and on a phone (it must answer 200) and note axe's violations
    at each width; the page is left at the phone's width."""
    for label, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, f"{name}: {response.status}"
        note_violations(page, f"{name} ({label}) {page.url}", problems)


#: The page's width beyond the viewport, and the outermost elements that stick out (an element
#: inside a scrolling or clipping box does not make the page scroll sideways). The root and
#: body must not hide the overflow: that would cut content off instead of fitting it.
OVERFLOW_JS = """() => {
    const root = document.documentElement, width = root.clientWidth;
    const hidden = ['hidden', 'clip'];
    const hiding = [root, document.body].filter(
        e => hidden.includes(getComputedStyle(e).overflowX)).map(e => e.tagName.toLowerCase());
    if (root.scrollWidth <= width || hiding.length)
        return {width: width, scrollWidth: root.scrollWidth, hiding: hiding, sticking: []};
    const contained = (el) => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX))
                return true;
        }
        return false;
    };
    const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (el.classList.length ? '.' + [...el.classList].join('.') : '');
    const sticking = [];
    for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.right <= width + 1 || contained(el)) continue;
        const parent = el.parentElement.getBoundingClientRect();
        if (el.parentElement !== document.body && parent.right > width + 1) continue;
        sticking.push(name(el) + ' (right edge ' + Math.round(r.right) + ' px)');
    }
    return {width: width, scrollWidth: root.scrollWidth, hiding: hiding,
            sticking: sticking.slice(0, 6)};
}"""


def overflow(page: Any) -> str | None:
    """Why the current page does not fit its viewport's width (None when it fits)."""
    found = page.evaluate(OVERFLOW_JS)
    if found["hiding"]:
        return f"overflow-x hidden on {found['hiding']} (content cut off, not fitted)"
    if found["scrollWidth"] <= found["width"]:
        return None
    return f"{found['scrollWidth']} px wide at {found['width']} px; sticking out: " + "; ".join(
        found["sticking"]
    )
