// scamnet: small behaviours on top of server-rendered pages (no framework).
"use strict";

// Alert queue shortcuts: j/k move, c confirmed, f false positive, r needs review,
// a assign to me, Enter opens. Ignored while typing in a field.
document.addEventListener("keydown", (event) => {
  const queue = document.getElementById("queue");
  if (!queue || event.ctrlKey || event.metaKey || event.altKey) return;
  const tag = (event.target && event.target.tagName) || "";
  if (["INPUT", "SELECT", "TEXTAREA"].includes(tag)) return;
  const rows = Array.from(queue.querySelectorAll("tbody tr"));
  if (!rows.length) return;
  let at = rows.findIndex((r) => r.classList.contains("current"));
  const move = (to) => {
    if (at >= 0) rows[at].classList.remove("current");
    at = Math.max(0, Math.min(rows.length - 1, to));
    rows[at].classList.add("current");
    rows[at].focus();
  };
  const press = (name) => {
    if (at < 0) return;
    const button = rows[at].querySelector(`[data-key="${name}"]`);
    if (button) button.click();
  };
  switch (event.key) {
    case "j": move(at + 1); break;
    case "k": move(at - 1); break;
    case "c": case "f": case "r": case "a": press(event.key); break;
    case "Enter": if (at >= 0) { const link = rows[at].querySelector("a"); if (link) link.click(); } break;
    default: return;
  }
  event.preventDefault();
});

// After htmx swaps a row (outerHTML: a new element), keep the new row the current one so
// triage goes on by keyboard.
let swapping = null;
document.addEventListener("htmx:beforeRequest", (event) => {
  const target = event.detail && event.detail.target;
  swapping = target && target.tagName === "TR" ? target.id : null;
});
document.addEventListener("htmx:afterSettle", () => {
  const row = swapping && document.getElementById(swapping);
  if (!row) return;
  document.querySelectorAll("#queue tr.current").forEach((r) => r.classList.remove("current"));
  row.classList.add("current");
  row.focus();
});

// Print buttons (inline handlers are refused by the page's content security policy).
document.addEventListener("click", (event) => {
  const target = event.target;
  if (target && target.matches && target.matches("[data-print]")) window.print();
});
