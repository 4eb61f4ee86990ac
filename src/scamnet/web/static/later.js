// Loads the scripts listed in this tag's data-scripts, in order, once the page has
// loaded: the page (members, evidence, forms) is readable and usable at once, and the
// network and the map (Cytoscape.js, Leaflet: half a megabyte to parse) draw after.
"use strict";
(function () {
  const me = document.currentScript;
  const queue = (me.dataset.scripts || "").split(" ").filter(Boolean);
  function next() {
    const src = queue.shift();
    if (!src) return;
    const s = document.createElement("script");
    s.src = src;
    s.onload = next;
    s.onerror = next;
    document.body.appendChild(s);
  }
  if (document.readyState === "complete") next();
  else window.addEventListener("load", () => setTimeout(next, 0));
})();
