"""Handsets that cross the line between a compound and ordinary life.

A handset shared with a fraud SIM is not proof of fraud, and the network must
not treat it as such. Two real mechanisms make ordinary subscribers share one:

- **cloned**: cheap handsets ship with a copied IMEI, so a phone in a province
  reports the same IMEI as a handset in a compound, at the same time;
- **resold**: a compound sells a handset on once the SIMs used in it are burnt;
  the buyer uses it from the middle of the period, after the fraud SIMs stopped.

Both are listed in ``truth/handsets.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from scamnet.simulate.config import SimConfig

if TYPE_CHECKING:  # world.py builds the handsets through this module
    from scamnet.simulate.world import Subscribers


@dataclass(frozen=True, slots=True)
class SharedHandset:
    device: int  # the compound's device index
    subscriber: int  # the ordinary subscriber's index
    kind: str  # cloned or resold


def share_handsets(
    cfg: SimConfig,
    rng: np.random.Generator,
    subs: Subscribers,
    imeis: np.ndarray,
    fraud: np.ndarray,
    ordinary: np.ndarray,
) -> list[SharedHandset]:
    """Clone and resell some of the compounds' handsets to ordinary subscribers, in place.

    A clone copies the compound handset's IMEI onto the buyer's own phone; a resold
    handset becomes the buyer's second phone, which the call records switch to at
    ``days // 2`` (see ``CallGenerator._table``).

    Args:
        cfg: the shares of cloned and resold handsets.
        rng: the world's generator.
        subs: the subscribers; second devices change in place.
        imeis: one IMEI per device; clones change in place.
        fraud: indices of the fraud SIMs.
        ordinary: indices of the ordinary people who may buy a handset.
    """
    devices = np.unique(subs.device[fraud])
    # Buyers keep one phone all period (they are not already changing it).
    buyers = ordinary[subs.second_device[ordinary] < 0].copy()
    rng.shuffle(buyers)
    out: list[SharedHandset] = []
    half = cfg.days // 2
    last_use = np.full(int(subs.device.max()) + 1, -1, dtype=np.int64)
    np.maximum.at(last_use, subs.device[fraud], subs.active_to[fraud].astype(np.int64))
    burnt = devices[last_use[devices] < half]
    for device in rng.permutation(burnt)[: round(cfg.resold_handsets * len(devices))]:
        buyer = int(buyers[len(out)])
        subs.second_device[buyer] = device
        out.append(SharedHandset(int(device), buyer, "resold"))
    for device in rng.permutation(devices)[: round(cfg.cloned_handsets * len(devices))]:
        buyer = int(buyers[len(out)])
        imeis[subs.device[buyer]] = imeis[device]
        out.append(SharedHandset(int(device), buyer, "cloned"))
    return out
