// The compounds on a bundled base map: Natural Earth country boundaries (world-atlas,
// TopoJSON) drawn by Leaflet with no tile server, each site with its uncertainty radius.
"use strict";
(function () {
  const box = document.getElementById("map");
  if (!box || typeof L === "undefined") return;
  const sites = JSON.parse(box.dataset.sites || "[]");
  const map = L.map(box, { attributionControl: true, zoomSnap: 0.5 });
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution("Natural Earth");
  // The Mekong border region (Yunnan, Shan State, northern Laos) when no site is known.
  map.fitBounds([[19.5, 96.5], [24.5, 102.5]]);
  fetch("/static/vendor/world-atlas/countries-50m.json")
    .then((r) => r.json())
    .then((world) => {
      // Only the countries around the Mekong border region: drawing the whole world would
      // cost the browser far more than the page itself.
      const region = new Set(["156", "104", "418", "764", "704", "356", "050", "116", "064", "524"]);
      const objects = world.objects.countries;
      const near = { type: "GeometryCollection",
        geometries: objects.geometries.filter((g) => region.has(g.id)) };
      const countries = topojson.feature(world, near);
      L.geoJSON(countries, { style: { color: "#5a5a5a", weight: 1, fillColor: "#f4f1e8", fillOpacity: 1 } }).addTo(map);
      const drawn = [];
      for (const s of sites) {
        const circle = L.circle([s.lat, s.lon], { radius: s.radius_km * 1000, color: "#b3001b", weight: 2, fillOpacity: 0.15 });
        circle.bindTooltip(`${s.name} ±${s.radius_km} km`).addTo(map);
        L.circleMarker([s.lat, s.lon], { radius: 5, color: "#b3001b", fillOpacity: 1 }).addTo(map);
        drawn.push(circle);
      }
      // Around the sites, with the borders within ~1.5 degrees so the region is recognisable.
      if (drawn.length) {
        const b = L.featureGroup(drawn).getBounds();
        map.fitBounds([[b.getSouth() - 1.5, b.getWest() - 1.5], [b.getNorth() + 1.5, b.getEast() + 1.5]]);
      }
      box.dataset.drawn = String(drawn.length);
      box.dataset.rendered = "true";
    });
})();
