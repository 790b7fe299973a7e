// ISNCSCI worksheet: keyboard movement between cells, fill helpers and live classification.
// Loaded as a static file (the Content Security Policy allows no inline script).
(function () {
  "use strict";

  function init() {
    var form = document.getElementById("worksheet");
    var live = document.getElementById("live");
    if (!form || !live) { return; }
    var cells = Array.prototype.slice.call(form.querySelectorAll("input.cell"));
    var grid = {};
    var maxRow = 0;
    cells.forEach(function (input) {
      var r = Number(input.dataset.row), c = Number(input.dataset.col);
      grid[r + ":" + c] = input;
      if (r > maxRow) { maxRow = r; }
    });
    var current = cells[0] || null;

    function at(r, c) { return grid[r + ":" + c] || null; }

    function move(input, dr, dc) {
      var r = Number(input.dataset.row), c = Number(input.dataset.col);
      for (var step = 1; step <= maxRow + 1; step++) {
        var nr = r + dr * step, nc = c + dc * step;
        if (nr < 0 || nr > maxRow || nc < 0 || nc > 5) { return null; }
        var next = at(nr, nc);
        if (next) { return next; }
      }
      return null;
    }

    function focus(input) {
      if (input) { input.focus(); input.select(); }
    }

    function fillDown(input) {
      if (!input) { return; }
      var r = Number(input.dataset.row), c = Number(input.dataset.col);
      for (var nr = r + 1; nr <= maxRow; nr++) {
        var cell = at(nr, c);
        if (cell) { cell.value = input.value; }
      }
      changed();
    }

    function normalTo(level) {
      var row = form.querySelector('tr[data-level="' + level + '"]');
      if (!row) { return; }
      var last = Number(row.querySelector("input.cell").dataset.row);
      cells.forEach(function (input) {
        if (Number(input.dataset.row) <= last) {
          input.value = input.classList.contains("motor") ? "5" : "2";
        }
      });
      changed();
    }

    form.addEventListener("focusin", function (event) {
      var t = event.target;
      if (t && t.classList && t.classList.contains("cell")) { current = t; t.select(); }
    });

    form.addEventListener("keydown", function (event) {
      var t = event.target;
      if (!t || !t.classList || !t.classList.contains("cell")) { return; }
      var next = null;
      if (event.key === "ArrowDown" || (event.key === "Enter" && !event.shiftKey)) {
        next = move(t, 1, 0);
        event.preventDefault();
      } else if (event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey)) {
        next = move(t, -1, 0);
        event.preventDefault();
      } else if (event.key === "ArrowRight") {
        next = move(t, 0, 1);
        event.preventDefault();
      } else if (event.key === "ArrowLeft") {
        next = move(t, 0, -1);
        event.preventDefault();
      } else if ((event.ctrlKey || event.metaKey) && (event.key === "d" || event.key === "D")) {
        event.preventDefault();
        fillDown(t);
        return;
      }
      if (next) { focus(next); }
    });

    form.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button[data-action]") : null;
      if (!button) { return; }
      var action = button.dataset.action;
      if (action === "fill-down") { fillDown(current); focus(current); }
      if (action === "normal-to") { normalTo(document.getElementById("normal-to").value); }
      if (action === "clear") {
        cells.forEach(function (input) { input.value = ""; });
        changed();
      }
    });

    // Live classification: post the grid a moment after typing stops; a later answer wins.
    var timer = null, sequence = 0;
    function classify() {
      var mine = ++sequence;
      live.setAttribute("aria-busy", "true");
      var body = new FormData(form);
      body.delete("reason");
      body.delete("_form_token"); // the save's one-time token; classifying saves nothing
      fetch(form.dataset.classifyUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
      }).then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.text();
      }).then(function (html) {
        if (mine !== sequence) { return; }
        live.innerHTML = html;
        live.removeAttribute("aria-busy");
        markErrors();
      }).catch(function () {
        if (mine === sequence) { live.removeAttribute("aria-busy"); }
      });
    }
    function changed() {
      if (timer) { clearTimeout(timer); }
      live.setAttribute("aria-busy", "true");
      timer = setTimeout(classify, 200);
    }
    function markErrors() {
      cells.forEach(function (input) { input.removeAttribute("aria-invalid"); });
      Array.prototype.forEach.call(live.querySelectorAll("[data-error-for]"), function (li) {
        var input = form.querySelector('[name="' + li.dataset.errorFor + '"]');
        if (input) { input.setAttribute("aria-invalid", "true"); }
      });
    }
    form.addEventListener("input", changed);

    // Never lose typed values: keep an unsaved copy in this tab until the form is submitted.
    var key = "cordtrack-worksheet:" + window.location.pathname;
    function store() {
      try {
        var values = {};
        cells.forEach(function (input) { if (input.value) { values[input.name] = input.value; } });
        window.sessionStorage.setItem(key, JSON.stringify(values));
      } catch (e) { /* storage unavailable: nothing to keep */ }
    }
    form.addEventListener("input", store);
    form.addEventListener("submit", function () {
      try { window.sessionStorage.removeItem(key); } catch (e) { /* ignore */ }
    });
    var restore = document.getElementById("restore-draft");
    var saved = null;
    try { saved = JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    var empty = cells.every(function (input) { return !input.value; });
    if (restore && saved && empty && Object.keys(saved).length) {
      restore.hidden = false;
      restore.addEventListener("click", function () {
        cells.forEach(function (input) {
          if (saved[input.name] !== undefined) { input.value = saved[input.name]; }
        });
        restore.hidden = true;
        changed();
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
