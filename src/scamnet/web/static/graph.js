// The group's network with Cytoscape.js: roles as colours, ringleaders larger, calls
// (command) solid and money transfers dashed. The members are drawn first; a click on a
// member fetches the handsets, towers and outside numbers it is tied to, and shows its ties.
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
  const get = (url) => fetch(url, { credentials: "same-origin" })
    .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); });
  get(box.dataset.src)
    .then((data) => {
      // The members and the ties between them; a member's ties that lead out (handsets,
      // towers, numbers outside the group) are fetched when it is opened.
      const first = data.elements;
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
      const opened = new Set();
      const show = (node) => {
        const near = node.closedNeighborhood();
        cy.elements().addClass("faded");
        near.removeClass("faded");
        const what = node.data("role") || node.data("kind");
        if (said) said.textContent = `${node.id()} · ${words[what] || what} · ${near.nodes().length - 1}`;
      };
      cy.on("tap", "node", (event) => {
        const node = event.target;
        const id = node.id();
        if (!node.data("role") || opened.has(id)) { show(node); return; }
        opened.add(id);
        box.dataset.expanding = id;
        get(`${box.dataset.src}?around=${encodeURIComponent(id)}`).then((more) => {
          const fresh = more.elements.filter((e) => cy.getElementById(e.data.id).empty());
          const added = cy.add(fresh);
          const at = node.position();
          added.nodes().forEach((n, i) => n.position({ x: at.x + 60 * Math.cos(i), y: at.y + 60 * Math.sin(i) }));
          show(node);
          box.dataset.nodes = String(cy.nodes().length);
          box.dataset.edges = String(cy.edges().length);
          delete box.dataset.expanding;
        }).catch(() => { opened.delete(id); delete box.dataset.expanding; show(node); });
      });
      cy.on("tap", (event) => { if (event.target === cy) cy.elements().removeClass("faded"); });
      box.dataset.nodes = String(cy.nodes().length);
      box.dataset.edges = String(cy.edges().length);
      box.dataset.rendered = "true";
      box._cy = cy;
    })
    .catch(() => { box.textContent = box.dataset.failed || "—"; });
})();
