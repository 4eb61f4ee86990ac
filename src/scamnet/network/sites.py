"""Where a group works from: compounds estimated from the cells its numbers use.

Only foreign cells and Chinese border cells count (calls relayed from inside
China say nothing about the compound). Cells are gathered greedily around the
busiest one within ``RADIUS_KM``; the call-weighted centre of each gathering
that carries at least ``MIN_SHARE`` of the group's calls is a site. Its
uncertainty is the call-weighted 80th percentile distance of its cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

RADIUS_KM = 6.0  # compounds of one group can be a town apart (Myawaddy, Shwe Kokko)
MIN_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class SiteEstimate:
    lat: float
    lon: float
    radius_km: float
    share: float  # of the group's calls from foreign and border cells
    cells: int
    region: str
    country: str


@dataclass(frozen=True, slots=True)
class Cell:
    lat: float
    lon: float
    country: str
    region: str


def haversine_km(
    lat1: np.ndarray | float, lon1: np.ndarray | float, lat2: float, lon2: float
) -> np.ndarray:
    p1, p2 = np.radians(lat1), math.radians(lat2)
    dphi, dlmb = p2 - p1, math.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * math.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * 6371.0 * np.arcsin(np.sqrt(a)))


def estimate(usage: dict[str, float], cells: dict[str, Cell]) -> list[SiteEstimate]:
    """Sites from calls per cell (``usage``), busiest first."""
    known = [(c, n) for c, n in usage.items() if c in cells and n > 0]
    if not known:
        return []
    lat = np.array([cells[c].lat for c, _ in known])
    lon = np.array([cells[c].lon for c, _ in known])
    calls = np.array([n for _, n in known], dtype=float)
    total = calls.sum()
    left = np.ones(len(known), dtype=bool)
    out = []
    while left.any():
        seed = int(np.argmax(np.where(left, calls, -1)))
        c_lat, c_lon = lat[seed], lon[seed]
        for _ in range(3):  # re-centre on the weighted mean of what is near
            near = left & (haversine_km(lat, lon, c_lat, c_lon) <= RADIUS_KM)
            c_lat = float(np.average(lat[near], weights=calls[near]))
            c_lon = float(np.average(lon[near], weights=calls[near]))
        near = left & (haversine_km(lat, lon, c_lat, c_lon) <= RADIUS_KM)
        left &= ~near
        share = calls[near].sum() / total
        if share < MIN_SHARE:
            continue
        dist = haversine_km(lat[near], lon[near], c_lat, c_lon)
        order = np.argsort(dist)
        cum = np.cumsum(calls[near][order]) / calls[near].sum()
        radius = float(dist[order][np.searchsorted(cum, 0.8)])
        first = known[int(np.flatnonzero(near)[np.argmax(calls[near])])][0]
        out.append(
            SiteEstimate(
                round(c_lat, 5),
                round(c_lon, 5),
                round(max(radius, 0.5), 2),
                round(float(share), 3),
                int(near.sum()),
                cells[first].region,
                cells[first].country,
            )
        )
    return out
