"""Places: Chinese provinces for subscribers, and the border towns where compounds sit.

Coordinates are those of the real towns (rounded); cell towers are scattered
around them so that a compound's position can be estimated from the cells its
SIMs use, as investigators do with cell-site analysis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Province, centroid (lat, lon) of its main population area; weights roughly by population.
PROVINCES: list[tuple[str, float, float, float]] = [
    ("Guangdong", 23.13, 113.26, 12.6),
    ("Shandong", 36.65, 117.12, 10.2),
    ("Henan", 34.75, 113.62, 9.9),
    ("Jiangsu", 32.06, 118.80, 8.5),
    ("Sichuan", 30.66, 104.07, 8.4),
    ("Hebei", 38.04, 114.51, 7.5),
    ("Hunan", 28.23, 112.94, 6.6),
    ("Zhejiang", 30.27, 120.15, 6.5),
    ("Anhui", 31.82, 117.23, 6.1),
    ("Hubei", 30.59, 114.31, 5.8),
    ("Guangxi", 22.82, 108.37, 5.0),
    ("Yunnan", 25.04, 102.71, 4.7),
    ("Jiangxi", 28.68, 115.86, 4.5),
    ("Liaoning", 41.80, 123.43, 4.3),
    ("Fujian", 26.07, 119.30, 4.2),
    ("Shaanxi", 34.34, 108.94, 4.0),
    ("Guizhou", 26.65, 106.63, 3.9),
    ("Beijing", 39.90, 116.41, 2.2),
    ("Shanghai", 31.23, 121.47, 2.5),
    ("Chongqing", 29.56, 106.55, 3.2),
]


@dataclass(frozen=True, slots=True)
class Town:
    name: str
    lat: float
    lon: float
    country: str
    region: str
    crossing: str  # the border crossing its handovers go through


# Compound towns in Myanmar's border regions, and the crossing used for handovers.
COMPOUND_TOWNS: list[Town] = [
    Town("Laukkai", 23.690, 98.765, "MM", "Kokang", "Qingshuihe (Nansan)"),
    Town("Muse", 23.990, 97.905, "MM", "Shan North", "Muse–Ruili"),
    Town("Myawaddy", 16.690, 98.510, "MM", "Kayin", "Myawaddy–Mae Sot"),
    Town("Shwe Kokko", 16.835, 98.485, "MM", "Kayin", "Myawaddy–Mae Sot"),
    Town("Tachileik", 20.450, 99.880, "MM", "Shan East", "Tachileik–Mengla"),
    Town("Mong La", 21.680, 101.900, "MM", "Shan Special Region 4", "Mong La–Daluo"),
]

# Chinese cells along the border whose coverage reaches into Myanmar.
BORDER_TOWNS_CN: list[tuple[str, float, float]] = [
    ("Nansan", 23.780, 98.830),
    ("Ruili", 24.010, 97.850),
    ("Mengla", 21.480, 101.560),
    ("Daluo", 21.700, 100.980),
]

EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def jitter(
    rng: np.random.Generator, lat: float, lon: float, km: float, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points scattered around (lat, lon) with a Gaussian of ``km`` standard deviation."""
    dlat = rng.normal(0, km, n) / 111.0
    dlon = rng.normal(0, km, n) / (111.0 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon
