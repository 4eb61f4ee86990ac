"""Where a group works from: compounds located from the towers its numbers use.

Only foreign cells and Chinese border cells count (calls relayed from inside
China say nothing about the compound). The estimate is a maximum-likelihood
fix under a path-loss model, as cell-site analysis does it: a phone at ``x``
attaches to one of the ``NEIGHBOURS`` towers nearest to it with a chance
proportional to ``exp(-distance / DECAY_KM)``. So the towers a number uses *and* the ones nearby
that it never uses both say where it is, which a call-weighted centre of the
used towers cannot: that centre is pulled towards the middle of the towers'
town.

1. All the numbers' calls together give one fix: the grid point (``GRID_KM``
   apart) where they are likeliest.
2. Two fixes are tried, each number going to the one that explains its own
   calls better. They stand when they explain the calls better by more than the
   BIC penalty and lie ``SPLIT_KM`` apart; each is then tried again. A group with
   two compounds a few kilometres apart has two sites, because its numbers say so.
3. A compound carrying less than ``MIN_SHARE`` of the calls is dropped.

The uncertainty radius is the call-weighted 80th percentile distance of the
compound's numbers' own fixes from it (at least ``GRID_KM``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from scamnet.core.entities import Site

DECAY_KM = 2.0  # attachment chance falls by e every 2 km (dense towers in border towns)
NEIGHBOURS = 6  # a handset hears a handful of the strongest towers, no more
FLOOR = math.log(1e-4)  # a call through a tower out of reach: rare (a mislocated cell), not -inf
GRID_KM = 0.25
SPLIT_KM = 2.5  # compounds closer than this are reported as one site
MAX_SITES = 4  # per area
ITERATIONS = 8
MARGIN_KM = 3.0  # candidate points and tower area beyond the towers used
AREA_KM = 15.0  # towers used further apart than this are located separately
MIN_SHARE = 0.1
KM_PER_DEG = 111.0


@dataclass(frozen=True, slots=True)
class Cell:
    """A tower: where it stands (the operator's cell list)."""

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


def estimate(usage: Mapping[int, Mapping[str, float]], cells: dict[str, Cell]) -> list[Site]:
    """Sites from each number's calls per cell (``usage[number][cell]``), busiest first.

    Towers used more than ``AREA_KM`` apart (a group working from two towns) are
    located separately, so the grid stays small.
    """
    used = sorted({c for per in usage.values() for c, n in per.items() if c in cells and n > 0})
    if not used:
        return []
    total = sum(n for per in usage.values() for c, n in per.items() if c in cells and n > 0)
    out: list[Site] = []
    for area in _areas(used, cells):
        part = [{c: n for c, n in per.items() if c in area and n > 0} for per in usage.values()]
        out += _locate([p for p in part if p], cells, total)
    return sorted(out, key=lambda s: -(s.share or 0.0))


def _areas(used: list[str], cells: dict[str, Cell]) -> list[set[str]]:
    """Used towers in groups whose members lie within ``AREA_KM`` of one another (chained)."""
    lat = np.array([cells[c].lat for c in used])
    lon = np.array([cells[c].lon for c in used])
    label = np.arange(len(used))
    for i in range(len(used)):
        close = np.flatnonzero(haversine_km(lat, lon, lat[i], lon[i]) <= AREA_KM)
        label[np.isin(label, label[close])] = label[i]
    return [{used[i] for i in np.flatnonzero(label == x)} for x in np.unique(label)]


def _attachment(grid: np.ndarray, towers: np.ndarray) -> np.ndarray:
    """log P(a call goes through each tower | the phone stands at each grid point)."""
    dist = np.linalg.norm(grid[:, None, :] - towers[None, :, :], axis=2)
    k = min(NEIGHBOURS, towers.shape[0])
    nearest = np.argpartition(dist, k - 1, axis=1)[:, :k]
    logit = -np.take_along_axis(dist, nearest, axis=1) / DECAY_KM
    out = np.full(dist.shape, FLOOR)
    rows = np.arange(len(grid))[:, None]
    out[rows, nearest] = logit - np.log(np.exp(logit).sum(axis=1, keepdims=True))
    return np.maximum(out, FLOOR)


def _locate(numbers: list[dict[str, float]], cells: dict[str, Cell], total: float) -> list[Site]:
    used = sorted({c for per in numbers for c in per})
    lat0 = float(np.mean([cells[c].lat for c in used]))
    scale = KM_PER_DEG * math.cos(math.radians(lat0))  # km per degree of longitude here

    def xy(ids: list[str]) -> np.ndarray:
        lat = np.array([cells[c].lat for c in ids])
        lon = np.array([cells[c].lon for c in ids])
        return np.column_stack([(lat - lat0) * KM_PER_DEG, lon * scale])

    used_xy = xy(used)
    lo, hi = used_xy.min(axis=0) - MARGIN_KM, used_xy.max(axis=0) + MARGIN_KM
    # The area's towers: every tower of the list near the ones used, used or not.
    ids = list(cells)
    all_xy = xy(ids)
    near = np.all((all_xy >= lo - MARGIN_KM) & (all_xy <= hi + MARGIN_KM), axis=1)
    area = [ids[i] for i in np.flatnonzero(near)]
    column = {c: k for k, c in enumerate(area)}
    towers = all_xy[near]
    gx, gy = np.meshgrid(np.arange(lo[0], hi[0], GRID_KM), np.arange(lo[1], hi[1], GRID_KM))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    log_p = _attachment(grid, towers)  # grid × towers

    counts = np.zeros((len(numbers), len(area)))
    for r, per in enumerate(numbers):
        for c, n in per.items():
            counts[r, column[c]] += n
    loglik = counts @ log_p.T  # numbers × grid
    weight = counts.sum(axis=1)
    out = []
    for part in _split(loglik, grid, weight, np.ones(len(numbers), dtype=bool), MAX_SITES):
        share = weight[part].sum() / total
        if share < MIN_SHARE:
            continue
        best = grid[int(np.argmax(loglik[part].sum(axis=0)))]
        fix = grid[np.argmax(loglik[part], axis=1)]  # each number's own fix
        spread = np.linalg.norm(fix - best, axis=1)
        order = np.argsort(spread)
        cum = np.cumsum(weight[part][order]) / weight[part].sum()
        radius = float(spread[order][np.searchsorted(cum, 0.8)])
        nearest = area[int(np.argmin(np.linalg.norm(towers - best, axis=1)))]
        out.append(
            Site(
                round(lat0 + float(best[0]) / KM_PER_DEG, 5),
                round(float(best[1]) / scale, 5),
                round(max(radius, GRID_KM), 2),
                cells[nearest].country,
                cells[nearest].region,
                share=round(float(share), 3),
                cells=int((counts[part].sum(axis=0) > 0).sum()),
            )
        )
    return out


def _split(
    loglik: np.ndarray, grid: np.ndarray, weight: np.ndarray, part: np.ndarray, room: int
) -> list[np.ndarray]:
    """The numbers of ``part`` as one compound, or as two (then each split again) when
    two fixes explain their calls better by more than chance and lie ``SPLIT_KM`` apart.

    Two sites always fit a little better; the gain must beat the BIC penalty for a
    site's three parameters (position and share), 1.5 ln(calls).
    """
    pooled = loglik[part].sum(axis=0)
    one = int(np.argmax(pooled))
    if room < 2 or part.sum() < 2:
        return [part]
    # Start from the pooled fix and the number whose own fix lies furthest from it.
    own = np.argmax(loglik, axis=1)
    far = np.where(part, np.linalg.norm(grid[own] - grid[one], axis=1), -1.0)
    a, b = one, int(own[int(np.argmax(far))])
    for _ in range(ITERATIONS):
        to_a = part & (loglik[:, a] >= loglik[:, b])
        to_b = part & ~to_a
        if not to_a.any() or not to_b.any():
            return [part]
        a, b = int(np.argmax(loglik[to_a].sum(axis=0))), int(np.argmax(loglik[to_b].sum(axis=0)))
    gain = loglik[to_a, a].sum() + loglik[to_b, b].sum() - pooled[one]
    apart = float(np.linalg.norm(grid[a] - grid[b]))
    if gain <= 1.5 * math.log(max(weight[part].sum(), 2.0)) or apart < SPLIT_KM:
        return [part]
    room -= 1
    first = _split(loglik, grid, weight, to_a, room)
    return first + _split(loglik, grid, weight, to_b, room - len(first) + 1)
