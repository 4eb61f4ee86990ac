// The group's network with Cytoscape.js: roles as colours, ringleaders larger, calls
// (command) solid and money transfers dashed. The members are drawn first; a click on a
// node expands it with the handsets and towers it is tied to, and shows its ties.
"use strict";
(function () {
  const box = document.getElementById("graph");
  if (!box || typeof cytoscape === "undefined") return;
  const colours = { mastermind: "#b3001b", organiser: "#e36414", key_member: "#7b2cbf",
    member: "#0b4f8a", recruiter: "#3a5a40", money_mule: "#2a9d8f" };
  const sizes = { mastermind: 46, organiser: 38, key_member: 32 };
  // Roles and kinds in the page's language (the data holds their codes).
  const words = JSON.parse(box.dataset.words || "{}");
  const ranks = { mastermind: 6, organiser: 5, key_member: 4, recruiter: 3, member: 2, money_mule: 2 };
  fetch(box.dataset.src, { credentials: "same-origin" })
    .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then((data) => {
      const nodes = data.elements.filter((e) => !e.data.source);
      const edges = data.elements.filter((e) => e.data.source);
      const members = new Set(nodes.filter((n) => n.data.role).map((n) => n.data.id));
      const byId = new Map(nodes.map((n) => [n.data.id, n]));
      const first = nodes.filter((n) => members.has(n.data.id)).concat(
        edges.filter((e) => members.has(e.data.source) && members.has(e.data.target)));
      const cy = cytoscape({
        container: box,
        elements: first,
        style: [
          { selector: "node", style: {
            "background-color": (n) => colours[n.data("role")] || "#9a9a9a",
            width: (n) => sizes[n.data("role")] || (n.data("role") ? 18 : 10),
            height: (n) => sizes[n.data("role")] || (n.data("role") ? 18 : 10),
            label: (n) => (sizes[n.data("role")] ? n.data("label") : ""),
            "font-size": 10, "text-valign": "bottom", color: "#1a1a1a" } },
          { selector: "edge", style: { width: 1.5, "line-color": "#555", "curve-style": "haystack" } },
          { selector: 'edge[kind = "transfer"]', style: { "line-style": "dashed", "line-color": "#2a9d8f", width: 2.5, "curve-style": "straight" } },
          { selector: 'edge[kind = "device"], edge[kind = "cell"]', style: { "line-color": "#bbb", width: 1 } },
          { selector: ".faded", style: { opacity: 0.12 } },
        ],
        // Concentric by rank: the ringleaders in the middle. (A force-directed layout of a
        // few hundred nodes holds the browser for seconds.)
        layout: { name: "concentric", animate: false, minNodeSpacing: 6,
          concentric: (n) => (ranks[n.data("role")] || 0) * 10 + Math.min(9, n.degree()),
          levelWidth: () => 4 },
      });
      const said = document.getElementById("graph-selected");
      cy.on("tap", "node", (event) => {
        const node = event.target;
        const id = node.id();
        // Expand: the node's ties to what is not drawn yet (handsets, towers, other ends).
        const more = edges.filter((e) => (e.data.source === id || e.data.target === id)
          && cy.getElementById(e.data.id).empty());
        const ends = new Set(more.flatMap((e) => [e.data.source, e.data.target]));
        const added = cy.add([...ends].filter((k) => cy.getElementById(k).empty() && byId.has(k))
          .map((k) => byId.get(k)).concat(more));
        const at = node.position();
        added.nodes().forEach((n, i) => n.position({ x: at.x + 60 * Math.cos(i), y: at.y + 60 * Math.sin(i) }));
        const near = node.closedNeighborhood();
        cy.elements().addClass("faded");
        near.removeClass("faded");
        const what = node.data("role") || node.data("kind");
        if (said) said.textContent = `${id} · ${words[what] || what} · ${near.nodes().length - 1}`;
      });
      cy.on("tap", (event) => { if (event.target === cy) cy.elements().removeClass("faded"); });
      box.dataset.nodes = String(cy.nodes().length);
      box.dataset.edges = String(cy.edges().length);
      box.dataset.rendered = "true";
      box._cy = cy;
    })
    .catch(() => { box.textContent = box.dataset.failed || "—"; });
})();
