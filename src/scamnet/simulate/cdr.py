"""Call detail records, generated a day at a time with vectorised numpy.

Each day is independent given the world, so memory stays flat however many
days or subscribers there are: the bench preset streams 20 M+ records.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

from scamnet.simulate.world import CALL_CENTRE, COURIER, FRAUD, NORMAL, TELEMARKETER, World

CST_OFFSET_S = 8 * 3600  # China Standard Time; the records are written in UTC

# Probability that a callee returns the call (within hours): the strongest
# behavioural difference between scam operators and everybody else.
CALLBACK = {NORMAL: 0.30, COURIER: 0.25, TELEMARKETER: 0.03, CALL_CENTRE: 0.10, FRAUD: 0.03}
INTERNAL_CALLBACK = 0.5
# A shop or a service a person rang rarely rings back; a stranger who was called may.
STRANGER_CALLBACK = 0.1
INTERNAL_RATE = 0.6  # calls a day from a group member to the one they report to
# Share of the calls of a SIM that imitates ordinary calling that go to its circle
# of contacts, with a person's hours, lengths and callbacks. The circle is the
# handful of targets a long con works for weeks (romance, investment), who trust
# the caller and ring back; the rest are cold calls to strangers.
SOCIAL_SHARE = 0.9
# An imitator's cold calls open a long con ("sorry, wrong number", a friendly chat),
# so they are shaped like a person's calls to strangers: a person's hours and call
# lengths, and returned as often as a stranger's call is. Only a long one hooks a
# victim, as with any scam call.

# Hour-of-day profiles (local time). People call late morning and evening; the
# compounds work long shifts; businesses keep office hours.
_H = np.arange(24)
PROFILE_PEOPLE = np.exp(-((_H - 11) ** 2) / 8) + 1.2 * np.exp(-((_H - 20) ** 2) / 6) + 0.02
PROFILE_OFFICE = np.where((_H >= 9) & (_H <= 18), 1.0, 0.02)
PROFILE_COMPOUND = np.where((_H >= 9) & (_H <= 23), 1.0, 0.15)


def _p(profile: np.ndarray) -> np.ndarray:
    normalised: np.ndarray = profile / profile.sum()
    return normalised


def _hours(rng: np.random.Generator, kinds: np.ndarray) -> np.ndarray:
    out = rng.choice(24, len(kinds), p=_p(PROFILE_PEOPLE))
    office = (kinds == COURIER) | (kinds == TELEMARKETER) | (kinds == CALL_CENTRE)
    out[office] = rng.choice(24, int(office.sum()), p=_p(PROFILE_OFFICE))
    fraud = kinds == FRAUD
    out[fraud] = rng.choice(24, int(fraud.sum()), p=_p(PROFILE_COMPOUND))
    return out


def _durations(rng: np.random.Generator, kinds: np.ndarray, internal: np.ndarray) -> np.ndarray:
    n = len(kinds)
    dur = rng.lognormal(np.log(70), 1.0, n)  # people: median about a minute
    c = kinds == COURIER
    dur[c] = rng.lognormal(np.log(28), 0.6, c.sum())
    t = kinds == TELEMARKETER
    dur[t] = np.where(rng.random(t.sum()) < 0.5, rng.exponential(9, t.sum()),
                      rng.lognormal(np.log(40), 0.7, t.sum()))  # fmt: skip
    cc = kinds == CALL_CENTRE
    dur[cc] = rng.lognormal(np.log(150), 0.8, cc.sum())
    f = (kinds == FRAUD) & ~internal
    u = rng.random(f.sum())
    # Most scam calls are hung up at once; a few victims stay on the line for long.
    dur[f] = np.where(u < 0.55, rng.exponential(10, f.sum()),
             np.where(u < 0.95, rng.lognormal(np.log(50), 0.8, f.sum()),
                      rng.lognormal(np.log(900), 0.6, f.sum())))  # fmt: skip
    fi = (kinds == FRAUD) & internal
    dur[fi] = rng.lognormal(np.log(90), 0.7, fi.sum())
    return np.clip(dur, 0, 4 * 3600).astype(np.int32)


class CallGenerator:
    """Generates the calls of one day as an Arrow table (see :meth:`day`)."""

    def __init__(self, world: World) -> None:
        self.w = world
        s = world.subs
        self.normals = np.flatnonzero(s.kind == NORMAL)
        # Whom strangers ring (businesses, scammers, people outside one's contacts): any
        # person's phone, an imitator's too (a scam call to it finds no victim).
        self.people = np.flatnonzero((s.kind == NORMAL) | s.imitates)
        prov = s.province[self.people]
        order = np.argsort(prov, kind="stable")
        self.by_province = self.people[order]
        self.prov_bounds = np.searchsorted(prov[order], np.arange(prov.max() + 2))
        self.degree = np.diff(world.contacts_offsets)
        self.base = datetime.combine(world.config.start, datetime.min.time(), tzinfo=UTC)
        rng = np.random.default_rng(world.config.seed + 1)
        # A few people trade or travel across the Yunnan border: border cells, not fraud.
        self.travellers = rng.choice(self.normals, max(1, len(self.normals) // 200), replace=False)
        self.border_cells = np.flatnonzero(world.cells.border & (world.cells.country == "CN"))
        self.foreign_cells = np.flatnonzero(world.cells.country == "MM")
        # Border residents (Ruili, Nansan …) cross into Myanmar daily: their phones use
        # Myanmar cells as a matter of course. They are the hard negatives of roaming.
        self.residents = rng.choice(self.normals, max(1, len(self.normals) // 100), replace=False)
        self.engaged: list[tuple[int, int, int]] = []
        self.msisdn = pa.array(s.msisdn.tolist(), pa.string())
        self.imeis = pa.array(world.imeis.tolist(), pa.string())
        self.cell_ids = pa.array(world.cells.ids.tolist(), pa.string())

    def day(self, d: int) -> pa.Table:
        w, s = self.w, self.w.subs
        rng = np.random.default_rng([w.config.seed, 1000 + d])
        weekday = (w.config.start + timedelta(days=d)).weekday()
        factor = 0.8 if weekday >= 5 else 1.0
        active = (s.active_from <= d) & (s.active_to >= d)

        counts = rng.poisson(s.rate * factor * active)
        callers = np.repeat(np.arange(len(counts)), counts)
        kinds = s.kind[callers]
        callees = np.empty(len(callers), dtype=np.int64)
        nm = kinds == NORMAL
        deg = self.degree[callers[nm]]
        rank = (deg * rng.random(nm.sum()) ** 2).astype(np.int64)  # favourites more often
        callees[nm] = w.contacts[w.contacts_offsets[callers[nm]] + rank]
        # People also call numbers outside their contacts (a shop, a plumber, a new
        # acquaintance), mostly in their own province.
        stranger = np.zeros(len(callers), dtype=bool)
        if w.config.ordinary_strangers:
            odd = np.flatnonzero(nm)[rng.random(nm.sum()) < w.config.ordinary_strangers]
            callees[odd] = self._nearby(rng, s.province[callers[odd]])
            stranger[odd] = True
        co = kinds == COURIER
        p = s.province[callers[co]]
        lo, hi = self.prov_bounds[p], self.prov_bounds[p + 1]
        callees[co] = self.by_province[lo + (rng.random(co.sum()) * (hi - lo)).astype(np.int64)]
        social = s.imitates[callers] & (self.degree[callers] > 0)
        if social.any():
            social &= rng.random(len(callers)) < SOCIAL_SHARE
            deg = self.degree[callers[social]]
            pick = (deg * rng.random(social.sum()) ** 2).astype(np.int64)  # favourites, too
            callees[social] = w.contacts[w.contacts_offsets[callers[social]] + pick]
        rnd = ~nm & ~co & ~social
        callees[rnd] = rng.choice(self.people, rnd.sum())  # strangers, nationwide
        stranger |= s.imitates[callers] & ~social  # an imitator's cold calls
        internal = np.zeros(len(callers), dtype=bool)

        # Inside a group: members report up the chain of command.
        has_boss = active & (w.boss_sim >= 0) & active[np.maximum(w.boss_sim, 0)]
        up = rng.poisson(INTERNAL_RATE * has_boss)
        up_callers = np.repeat(np.arange(len(up)), up)
        callers = np.concatenate([callers, up_callers])
        callees = np.concatenate([callees, w.boss_sim[up_callers]])
        internal = np.concatenate([internal, np.ones(len(up_callers), dtype=bool)])
        social = np.concatenate([social, np.zeros(len(up_callers), dtype=bool)])
        stranger = np.concatenate([stranger, np.zeros(len(up_callers), dtype=bool)])

        # An imitator's calls look like anybody's: a social call has the hours, length
        # and callbacks of people, a cold call those of a person's call to a stranger.
        # Only its calls up to its boss keep the compound's ways.
        person_like = s.imitates[callers] & ~internal
        cold = person_like & ~social  # the scam calls among them
        kinds = np.where(person_like, NORMAL, s.kind[callers]).astype(np.int8)
        seconds = _hours(rng, kinds) * 3600 + rng.integers(0, 3600, len(callers))
        seconds = seconds - CST_OFFSET_S + d * 86400

        # Callbacks: the callee rings back a few hours later.
        p_cb = np.vectorize(CALLBACK.get)(kinds).astype(float)
        p_cb[internal] = INTERNAL_CALLBACK
        p_cb[stranger] = STRANGER_CALLBACK
        back = rng.random(len(callers)) < p_cb
        cb_callers, cb_callees = callees[back], callers[back]
        cb_seconds = seconds[back] + rng.exponential(3 * 3600, back.sum()).astype(np.int64) + 60
        callers = np.concatenate([callers, cb_callers])
        callees = np.concatenate([callees, cb_callees])
        internal = np.concatenate([internal, internal[back]])
        cold = np.concatenate([cold, np.zeros(back.sum(), dtype=bool)])
        seconds = np.concatenate([seconds, cb_seconds])
        keep = (seconds < w.config.days * 86400 - CST_OFFSET_S) & (callers != callees)
        # Nobody places two calls to the same number in the same second.
        key = (callers.astype(np.int64) * w.n_subs + callees) * (w.config.days * 86400) + seconds
        first = np.zeros(len(key), dtype=bool)
        first[np.unique(key, return_index=True)[1]] = True
        keep &= first
        # The caller's active window decides whether a callback can be made at all.
        keep &= active[callers] | (s.kind[callers] != FRAUD)
        callers, callees, internal, cold, seconds = (
            callers[keep],
            callees[keep],
            internal[keep],
            cold[keep],
            seconds[keep],
        )

        # Callbacks too: an imitator rings back as a person does.
        person_like = s.imitates[callers] & ~internal
        kinds = np.where(person_like, NORMAL, s.kind[callers]).astype(np.int8)
        durations = _durations(rng, kinds, internal)
        # Victims who stayed on the line for ten minutes or more: some of them will pay.
        scam = ((kinds == FRAUD) | cold) & ~internal
        hooked = scam & (durations >= 600) & (s.kind[callees] == NORMAL)
        self.engaged = list(zip(callees[hooked].tolist(), callers[hooked].tolist(),
                                seconds[hooked].tolist(), strict=True))  # fmt: skip
        return self._table(rng, d, callers, callees, seconds, durations)

    def _table(self, rng: np.random.Generator, d: int, callers: np.ndarray, callees: np.ndarray,
               seconds: np.ndarray, durations: np.ndarray) -> pa.Table:  # fmt: skip
        w, s = self.w, self.w.subs
        device = s.device[callers].copy()
        later = (s.second_device[callers] >= 0) & (d >= w.config.days // 2)
        device[later] = s.second_device[callers][later]
        cells = s.home_cell[callers].copy()
        kinds = s.kind[callers]
        carried = (kinds != FRAUD) | s.imitates[callers]  # a phone in a pocket, not a box
        roam = carried & (rng.random(len(callers)) < 0.25)
        pv = s.province[callers[roam]]
        cells[roam] = self._province_cells(rng, pv)
        fraud = ~carried
        cells[fraud] = self._site_cells(rng, s.site[callers[fraud]], s.home_cell[callers[fraud]])
        trav = np.isin(callers, self.travellers) & (rng.random(len(callers)) < 0.5)
        cells[trav] = rng.choice(self.border_cells, trav.sum())
        res = np.isin(callers, self.residents)
        where = rng.random(len(callers))
        cells[res & (where < 0.5)] = rng.choice(self.border_cells, (res & (where < 0.5)).sum())
        abroad = res & (where >= 0.5) & (where < 0.85)
        cells[abroad] = rng.choice(self.foreign_cells, abroad.sum())
        order = np.argsort(seconds, kind="stable")
        start = pa.array(seconds[order].astype("int64") + int(self.base.timestamp()),
                         pa.int64()).cast(pa.timestamp("s", tz="UTC"))  # fmt: skip
        # Arrow's take keeps strings compact (no fixed-width numpy unicode copies).
        return pa.table(
            {
                "caller": self.msisdn.take(pa.array(callers[order])),
                "callee": self.msisdn.take(pa.array(callees[order])),
                "start": start,
                "duration_s": pa.array(durations[order]),
                "imei": self.imeis.take(pa.array(device[order])),
                "cell_id": self.cell_ids.take(pa.array(cells[order])),
            }
        )

    def _nearby(self, rng: np.random.Generator, provinces: np.ndarray) -> np.ndarray:
        """Random people, 80% in the given provinces, the rest anywhere."""
        lo, hi = self.prov_bounds[provinces], self.prov_bounds[provinces + 1]
        out: np.ndarray = self.by_province[
            lo + (rng.random(len(provinces)) * (hi - lo)).astype(np.int64)
        ]
        far = rng.random(len(provinces)) >= 0.8
        out[far] = rng.choice(self.people, int(far.sum()))
        return out

    def _province_cells(self, rng: np.random.Generator, provinces: np.ndarray) -> np.ndarray:
        out = np.empty(len(provinces), dtype=np.int64)
        for p in np.unique(provinces):
            m = provinces == p
            out[m] = rng.choice(self.w.cells.province_cells[int(p)], m.sum())
        return out

    def _site_cells(
        self, rng: np.random.Generator, sites: np.ndarray, home: np.ndarray
    ) -> np.ndarray:
        out = home.astype(np.int64).copy()
        for site in np.unique(sites):
            if site < 0:
                continue
            m = sites == site
            ids, weights = self.w.cells.site_cells[int(site)]
            out[m] = rng.choice(ids, m.sum(), p=weights)
        return out

    def days(self) -> Iterator[tuple[int, pa.Table]]:
        for d in range(self.w.config.days):
            yield d, self.day(d)
