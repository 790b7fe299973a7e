// A table too wide for the screen scrolls in its own box (site.css, ADR 0048). Such a box must be
// reachable by keyboard to be scrolled (WCAG 2.1.1; Safari does not focus scrollers itself):
// while a table overflows it is a Tab stop named after its section's heading; once it fits again
// it is not. Run on load, on resize and after htmx swaps.
(function () {
  "use strict";
  function heading(table) {
    var section = table.closest("section, .card, main");
    var h = section && section.querySelector("h1, h2, h3");
    return h ? h.textContent.trim() : "Table";
  }
  function mark() {
    document.querySelectorAll("main table").forEach(function (table) {
      var box = window.getComputedStyle(table).overflowX;
      var scrolls = (box === "auto" || box === "scroll") && table.scrollWidth > table.clientWidth + 1;
      if (scrolls && !table.hasAttribute("tabindex")) {
        table.setAttribute("tabindex", "0");
        table.setAttribute("data-scroller", "");
        if (!table.hasAttribute("aria-label") && !table.querySelector("caption")) {
          table.setAttribute("aria-label", heading(table) + " (scrolls sideways)");
        }
      } else if (!scrolls && table.hasAttribute("data-scroller")) {
        table.removeAttribute("tabindex");
        table.removeAttribute("data-scroller");
      }
    });
  }
  var pending = null;
  function later() {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(mark, 100);
  }
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", later);
})();
