"""Where groups work from, as GeoJSON (RFC 7946): the estimated sites with their
uncertainty radius, and the cells (towers) with their coordinates."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class SitePoint:
    name: str
    group_id: int | None
    group: str
    lat: float
    lon: float
    radius_km: float | None
    country: str
    region: str


@dataclass(frozen=True, slots=True)
class CellPoint:
    cell_id: str
    lat: float
    lon: float
    country: str
    region: str
    border: bool


def _point(lat: float, lon: float, properties: dict[str, Any]) -> dict[str, Any]:
    # RFC 7946 §3.1.1: longitude first.
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }


def feature_collection(sites: list[SitePoint], cells: list[CellPoint]) -> dict[str, Any]:
    """Sites, then cells; a site's circle is its point and ``radius_m`` (as Leaflet and
    MapLibre draw circles), with ``radius_km`` as the analysis gave it."""
    features = [
        _point(
            s.lat,
            s.lon,
            {
                "kind": "site",
                "name": s.name,
                "group_id": s.group_id,
                "group": s.group,
                "country": s.country,
                "region": s.region,
                "radius_km": s.radius_km,
                "radius_m": None if s.radius_km is None else s.radius_km * 1000,
                "estimate": "suspected compound, from the group's cell use",
            },
        )
        for s in sites
    ]
    features += [
        _point(
            c.lat,
            c.lon,
            {
                "kind": "cell",
                "cell_id": c.cell_id,
                "country": c.country,
                "region": c.region,
                "border": c.border,
            },
        )
        for c in cells
    ]
    return {"type": "FeatureCollection", "features": features}


def geojson_text(sites: list[SitePoint], cells: list[CellPoint]) -> str:
    return json.dumps(feature_collection(sites, cells), ensure_ascii=False, indent=1)
