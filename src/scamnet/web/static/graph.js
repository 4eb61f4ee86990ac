// The group's network with Cytoscape.js: roles as colours, ringleaders larger,
// calls (command) solid and money transfers dashed; a click shows a node's ties.
"use strict";
(function () {
  const box = document.getElementById("graph");
  if (!box || typeof cytoscape === "undefined") return;
  const colours = { mastermind: "#b3001b", organiser: "#e36414", key_member: "#7b2cbf",
    member: "#0b4f8a", recruiter: "#3a5a40", money_mule: "#2a9d8f" };
  const sizes = { mastermind: 46, organiser: 38, key_member: 32 };
  fetch(box.dataset.src, { credentials: "same-origin" })
    .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then((data) => {
      const cy = cytoscape({
        container: box,
        elements: data.elements,
        style: [
          { selector: "node", style: {
            "background-color": (n) => colours[n.data("role")] || "#9a9a9a",
            width: (n) => sizes[n.data("role")] || (n.data("role") ? 22 : 12),
            height: (n) => sizes[n.data("role")] || (n.data("role") ? 22 : 12),
            label: (n) => (sizes[n.data("role")] ? n.data("label") : ""),
            "font-size": 10, "text-valign": "bottom", color: "#1a1a1a" } },
          { selector: "edge", style: { width: 1.5, "line-color": "#555", "curve-style": "haystack" } },
          { selector: 'edge[kind = "transfer"]', style: { "line-style": "dashed", "line-color": "#2a9d8f", width: 2.5 } },
          { selector: 'edge[kind = "device"], edge[kind = "cell"]', style: { "line-color": "#bbb", width: 1 } },
          { selector: ".faded", style: { opacity: 0.12 } },
        ],
        layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 9000 },
      });
      const said = document.getElementById("graph-selected");
      cy.on("tap", "node", (event) => {
        const node = event.target;
        const near = node.closedNeighborhood();
        cy.elements().addClass("faded");
        near.removeClass("faded");
        if (said) said.textContent = `${node.data("id")} · ${node.data("role") || node.data("kind")} · ${near.nodes().length - 1}`;
      });
      cy.on("tap", (event) => { if (event.target === cy) cy.elements().removeClass("faded"); });
      box.dataset.nodes = String(cy.nodes().length);
      box.dataset.edges = String(cy.edges().length);
      box.dataset.rendered = "true";
    })
    .catch(() => { box.textContent = box.dataset.failed || "—"; });
})();
