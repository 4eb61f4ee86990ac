"""The ground truth: people, groups, compounds, subscribers, devices and cells.

Everything observable is generated from this world, so every later capability
can be scored against it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from scamnet.core.entities import Site
from scamnet.core.roles import Role
from scamnet.simulate import geo, names, numbering
from scamnet.simulate.config import SimConfig
from scamnet.simulate.handsets import SharedHandset, share_handsets

# Subscriber kinds (int8 codes in the arrays).
NORMAL, COURIER, TELEMARKETER, CALL_CENTRE, FRAUD = 0, 1, 2, 3, 4
KIND_NAMES = {
    NORMAL: "normal",
    COURIER: "courier",
    TELEMARKETER: "telemarketer",
    CALL_CENTRE: "call_centre",
    FRAUD: "fraud",
}

# Median calls a day of an imitating operator's SIM: a busy person's, not a call
# centre's (people make 3 a day on average, log-normally spread).
IMITATION_RATE = 3.0


@dataclass
class Person:
    """A member of a criminal group (or a domestic money mule)."""

    id: int
    han: str
    birth_date: date
    female: bool
    id_number: str
    passport: str
    group: int
    role: Role
    sub_role: str = ""  # team_leader, laundering, it for key members
    boss: int | None = None  # the person this one reports to
    trafficked: bool = False
    site: int | None = None


@dataclass
class Cells:
    ids: np.ndarray  # str
    lat: np.ndarray
    lon: np.ndarray
    country: np.ndarray  # str
    region: np.ndarray  # str
    border: np.ndarray  # bool
    province_cells: dict[int, np.ndarray] = field(default_factory=dict)
    site_cells: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


@dataclass
class Subscribers:
    """One row per SIM. Fraud SIMs belong to a person of a group."""

    msisdn: np.ndarray  # E.164 strings
    kind: np.ndarray  # int8
    province: np.ndarray  # int16; -1 for fraud SIMs, but for imitators' (carried about)
    home_cell: np.ndarray  # int32 index into cells
    device: np.ndarray  # int32 index into devices
    second_device: np.ndarray  # int32, -1 when none
    rate: np.ndarray  # float32 mean calls a day
    person: np.ndarray  # int32, -1 for non-criminals
    group: np.ndarray  # int16, -1 for non-criminals
    active_from: np.ndarray  # int16 day index
    active_to: np.ndarray  # int16 day index (inclusive)
    site: np.ndarray  # int16, -1 for non-criminals
    imitates: np.ndarray  # bool: a fraud SIM that imitates ordinary calling


@dataclass
class World:
    config: SimConfig
    persons: list[Person]
    sites: list[Site]
    group_names: list[str]
    cells: Cells
    subs: Subscribers
    imeis: np.ndarray  # str, one per device
    contacts_offsets: np.ndarray
    contacts: np.ndarray
    boss_sim: np.ndarray  # per subscriber: the SIM index of the boss, -1 if none
    handsets: list[SharedHandset] = field(default_factory=list)  # cloned and resold

    @property
    def n_subs(self) -> int:
        return len(self.subs.msisdn)

    def day(self, index: int) -> date:
        return self.config.start + timedelta(days=index)


def build_cells(rng: np.random.Generator, sites: list[Site], per_province: int) -> Cells:
    ids: list[str] = []
    lat: list[float] = []
    lon: list[float] = []
    country: list[str] = []
    region: list[str] = []
    border: list[bool] = []
    empty = np.empty(0)
    cells = Cells(empty, empty, empty, empty, empty, empty)

    def add(prefix: str, la: np.ndarray, lo: np.ndarray, ctry: str, reg: str, b: bool) -> None:
        start = len(ids)
        for k in range(len(la)):
            ids.append(f"{prefix}-{rng.integers(1000, 9999)}-{start + k:05d}")
        lat.extend(la.tolist())
        lon.extend(lo.tolist())
        country.extend([ctry] * len(la))
        region.extend([reg] * len(la))
        border.extend([b] * len(la))

    for p, (prov, plat, plon, _w) in enumerate(geo.PROVINCES):
        start = len(ids)
        la, lo = geo.jitter(rng, plat, plon, 25.0, per_province)
        add("460-00", la, lo, "CN", prov, False)
        cells.province_cells[p] = np.arange(start, len(ids))
    border_cn_start = len(ids)
    for border_town, tlat, tlon in geo.BORDER_TOWNS_CN:
        la, lo = geo.jitter(rng, tlat, tlon, 3.0, 6)
        add("460-01", la, lo, "CN", f"Yunnan border ({border_town})", True)
    border_cn = np.arange(border_cn_start, len(ids))
    for town in geo.COMPOUND_TOWNS:
        la, lo = geo.jitter(rng, town.lat, town.lon, 4.0, 14)
        add("414-06", la, lo, "MM", town.region, True)
    all_lat, all_lon = np.array(lat), np.array(lon)
    foreign_or_border = np.concatenate([border_cn, np.arange(border_cn[-1] + 1, len(ids))])
    for k, site in enumerate(sites):  # site k is sites[k]
        # A compound's SIMs attach to the towers nearest to it, the nearest most often.
        d = np.array(
            [
                geo.haversine_km(site.lat, site.lon, all_lat[i], all_lon[i])
                for i in foreign_or_border
            ]
        )
        near = np.argsort(d)[:6]
        weights = np.exp(-d[near] / 2.0)
        cells.site_cells[k] = (foreign_or_border[near], weights / weights.sum())
    cells.ids, cells.lat, cells.lon = np.array(ids), all_lat, all_lon
    cells.country, cells.region, cells.border = (
        np.array(country),
        np.array(region),
        np.array(border),
    )
    return cells


def build_groups(cfg: SimConfig, rng: random.Random, nrng: np.random.Generator) -> tuple[
    list[Person], list[Site], list[str]
]:  # fmt: skip
    persons: list[Person] = []
    sites: list[Site] = []
    group_names: list[str] = []

    def person(group: int, role: Role, surname: str | None = None, **kw: object) -> Person:
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 42))
        female = rng.random() < (0.15 if role.is_key_figure else 0.35)
        p = Person(
            id=len(persons), han=names.han_name(rng, surname), birth_date=born, female=female,
            id_number=names.resident_id(rng, born, female), passport=names.passport_number(rng),
            group=group, role=role, **kw,  # type: ignore[arg-type]
        )  # fmt: skip
        persons.append(p)
        return p

    for g in range(cfg.groups):
        town = geo.COMPOUND_TOWNS[g % len(geo.COMPOUND_TOWNS)]
        family = names.FAMILY_GANG_SURNAMES[g % 5] if town.name == "Laukkai" else None
        group_names.append(f"{family or names.SURNAMES[g * 7 % len(names.SURNAMES)]}-{town.name}")
        group_sites = []
        for _ in range(1 if rng.random() < 0.6 else 2):
            la, lo = geo.jitter(nrng, town.lat, town.lon, 2.5, 1)
            site = Site(float(la[0]), float(lo[0]), None, town.country, town.region,
                        name=f"{town.name} compound {len(sites) + 1}", crossing=town.crossing,
                        group_id=g, id=len(sites))  # fmt: skip
            group_sites.append(len(sites))
            sites.append(site)
        size = max(20, int(nrng.lognormal(np.log(cfg.workers_per_group), 0.35)))
        boss = person(g, Role.MASTERMIND, family, site=group_sites[0])
        # Two organisers whatever the workforce: a bigger group adds key
        # members and team leaders, not bosses (the reference case: 63 key
        # figures among 31,000 handed over).
        organisers = [
            person(g, Role.ORGANISER, family if rng.random() < 0.6 else None, boss=boss.id,
                   site=rng.choice(group_sites))
            for _ in range(2)
        ]  # fmt: skip
        leaders = []
        for k in range(max(3, size // 30)):
            sub = ("laundering", "it", "team_leader")[k % 3] if k < 3 else "team_leader"
            org = organisers[k % len(organisers)]
            leaders.append(person(g, Role.KEY_MEMBER, sub_role=sub, boss=org.id, site=org.site))
        team_leaders = [p for p in leaders if p.sub_role == "team_leader"]
        for _ in range(max(1, size // 80)):
            person(g, Role.RECRUITER, boss=rng.choice(organisers).id, site=group_sites[0])
        for _ in range(size):
            tl = rng.choice(team_leaders)
            person(g, Role.MEMBER, boss=tl.id, site=tl.site, trafficked=rng.random() < 0.2)
        launderer = next(p for p in leaders if p.sub_role == "laundering")
        for _ in range(max(4, size // 12)):  # domestic mules, not in the compound
            person(g, Role.MONEY_MULE, boss=launderer.id)
    return persons, sites, group_names


def build_world(cfg: SimConfig) -> World:
    seq = np.random.SeedSequence(cfg.seed)
    nrng = np.random.default_rng(seq.spawn(1)[0])
    rng = random.Random(cfg.seed)
    persons, sites, group_names = build_groups(cfg, rng, nrng)
    cells = build_cells(nrng, sites, per_province=max(20, cfg.subscribers // 2000))
    subs, imeis, boss_sim = build_subscribers(cfg, nrng, persons, cells)
    offsets, contacts = build_contacts(nrng, subs)
    handsets = share_handsets(
        cfg,
        nrng,
        subs,
        imeis,
        np.flatnonzero(subs.kind == FRAUD),
        np.flatnonzero(subs.kind == NORMAL),
    )
    return World(cfg, persons, sites, group_names, cells, subs, imeis, offsets, contacts, boss_sim,
                 handsets)  # fmt: skip


def build_subscribers(
    cfg: SimConfig, rng: np.random.Generator, persons: list[Person], cells: Cells
) -> tuple[Subscribers, np.ndarray, np.ndarray]:
    n_norm = cfg.subscribers
    weights = np.array([p[3] for p in geo.PROVINCES])
    province = rng.choice(len(geo.PROVINCES), n_norm, p=weights / weights.sum()).astype(np.int16)
    kind = np.zeros(n_norm, dtype=np.int8)
    n_hard = int(n_norm * cfg.hard_negative_share)
    hard_idx = rng.choice(n_norm, n_hard, replace=False)
    kind[hard_idx] = rng.choice([COURIER, TELEMARKETER, CALL_CENTRE], n_hard, p=[0.5, 0.3, 0.2])
    # Calls a day: log-normal, so a few people call a lot (heavy tail).
    rate = rng.lognormal(np.log(cfg.calls_per_day) - 0.32, 0.8, n_norm).astype(np.float32)
    rate[kind == COURIER] = rng.lognormal(np.log(22), 0.4, (kind == COURIER).sum())
    rate[kind == TELEMARKETER] = rng.lognormal(np.log(30), 0.5, (kind == TELEMARKETER).sum())
    rate[kind == CALL_CENTRE] = rng.lognormal(np.log(12), 0.5, (kind == CALL_CENTRE).sum())
    home_cell = np.array(
        [rng.choice(cells.province_cells[int(p)]) for p in province], dtype=np.int32
    )
    device = np.arange(n_norm, dtype=np.int32)
    second = np.full(n_norm, -1, dtype=np.int32)
    n_dev = n_norm
    changers = rng.random(n_norm) < 0.04  # a new phone during the period
    second[changers] = np.arange(n_dev, n_dev + changers.sum())
    n_dev += int(changers.sum())
    tele = np.flatnonzero(kind == TELEMARKETER)
    if len(tele):  # SIM banks: three telemarketing SIMs share one multi-SIM device
        device[tele] = n_dev + np.arange(len(tele)) // 3
        n_dev += (len(tele) + 2) // 3
    days = cfg.days

    # --- criminal SIMs: rotation on few devices, near the compound ------------------
    f_person, f_group, f_site, f_from, f_to, f_dev, f_rate = [], [], [], [], [], [], []
    f_imitates: list[bool] = []
    sim_of_person: dict[int, int] = {}
    for p in persons:
        if p.role is Role.MONEY_MULE:
            continue
        n_devices = 1 if rng.random() < 0.6 else 2
        devs = list(range(n_dev, n_dev + n_devices))
        n_dev += n_devices
        # An operator who imitates ordinary calling keeps one domestic SIM in one
        # handset all period, calls less, mostly a circle of contacts (build_contacts).
        imitator = p.role is Role.MEMBER and bool(cfg.imitation) and rng.random() < cfg.imitation
        if imitator:
            n_sims, n_devices = 1, 1
            base = rng.lognormal(np.log(IMITATION_RATE), 0.5)
        elif p.role is Role.MEMBER:
            n_sims = int(rng.integers(2, 7))
            base = rng.lognormal(np.log(14), 0.7)
        else:  # leaders keep a stable number and call mostly inside the group
            n_sims = 1
            base = 0.0
        t = 0
        for s in range(n_sims):
            length = days if n_sims == 1 else int(rng.integers(1, max(2, days // 2)))
            start = int(rng.integers(0, days)) if s == 0 and n_sims > 1 else t
            if start >= days:
                break
            f_person.append(p.id)
            f_group.append(p.group)
            # A quarter of operators' SIMs sit in relay boxes (GoIP) inside China,
            # so their calls come from domestic cells, not from the compound.
            relay = p.role is Role.MEMBER and (rng.random() < cfg.relay_share or imitator)
            f_site.append(p.site if p.site is not None and not relay else -1)
            f_imitates.append(imitator)
            f_from.append(start)
            f_to.append(min(days - 1, start + length - 1))
            f_dev.append(devs[s % n_devices])
            f_rate.append(base * rng.lognormal(0, 0.5) if base else 0.0)
            sim_of_person.setdefault(p.id, len(f_person) - 1)
            t = start + length
    n_f = len(f_person)
    mm_share = rng.random(n_f) < 0.3
    numbers = numbering.cn_numbers(rng, n_norm + n_f)
    f_numbers = numbers[n_norm:].copy()
    if cfg.drift:  # SIMs first used in the second week come from other ranges
        late = np.array(f_from) >= 7
        f_numbers[late] = numbering.cn_numbers(rng, int(late.sum()), numbering.CN_NEW_PREFIXES)
    imitates = np.array(f_imitates, dtype=bool)
    mm_share &= ~imitates  # an imitator's one SIM is a domestic number, as a person's is
    f_numbers[mm_share] = numbering.mm_numbers(rng, int(mm_share.sum()))
    f_cells = np.empty(n_f, dtype=np.int32)
    f_province = np.full(n_f, -1, dtype=np.int16)
    for i, s in enumerate(f_site):  # one draw after the other, in the SIMs' order
        if s >= 0:
            f_cells[i] = rng.choice(cells.site_cells[s][0], p=cells.site_cells[s][1])
        else:  # a relay box, or an imitator's SIM, somewhere in China
            f_province[i] = int(rng.integers(len(geo.PROVINCES)))
            f_cells[i] = rng.choice(cells.province_cells[int(f_province[i])])
    # An imitator's SIM is carried about its province like anybody's phone (cdr roams
    # it); relay boxes stay put, so the other SIMs keep no province.
    f_province[~imitates] = -1
    subs = Subscribers(
        msisdn=np.concatenate([numbers[:n_norm], f_numbers]),
        kind=np.concatenate([kind, np.full(n_f, FRAUD, dtype=np.int8)]),
        province=np.concatenate([province, f_province]),
        home_cell=np.concatenate([home_cell, f_cells]),
        device=np.concatenate([device, np.array(f_dev, dtype=np.int32)]),
        second_device=np.concatenate([second, np.full(n_f, -1, dtype=np.int32)]),
        rate=np.concatenate([rate, np.array(f_rate, dtype=np.float32)]),
        person=np.concatenate([np.full(n_norm, -1, np.int32), np.array(f_person, np.int32)]),
        group=np.concatenate([np.full(n_norm, -1, np.int16), np.array(f_group, np.int16)]),
        active_from=np.concatenate([np.zeros(n_norm, np.int16), np.array(f_from, np.int16)]),
        active_to=np.concatenate([np.full(n_norm, days - 1, np.int16), np.array(f_to, np.int16)]),
        site=np.concatenate([np.full(n_norm, -1, np.int16), np.array(f_site, np.int16)]),
        imitates=np.concatenate([np.zeros(n_norm, dtype=bool), imitates]),
    )
    boss_sim = np.full(n_norm + n_f, -1, dtype=np.int32)
    for i, pid in enumerate(f_person):
        boss = persons[pid].boss
        if boss is not None and boss in sim_of_person:
            boss_sim[n_norm + i] = n_norm + sim_of_person[boss]
    return subs, numbering.imeis(rng, n_dev), boss_sim


def build_contacts(rng: np.random.Generator, subs: Subscribers) -> tuple[np.ndarray, np.ndarray]:
    """An undirected social graph among normal subscribers, as CSR arrays.

    Degrees are drawn from a discrete log-normal (heavy-tailed, as measured in
    mobile call graphs: Onnela et al., PNAS 2007); 80% of ties stay inside the
    subscriber's province, which gives the graph its communities.
    """
    # An imitator's SIM is a person's phone in the graph: it has a contact list drawn
    # like anybody's, in its province, and its contacts call it as they call anyone
    # (its long-con targets among them).
    normal = np.flatnonzero((subs.kind == NORMAL) | subs.imitates)
    n = len(normal)
    want = np.clip(rng.lognormal(np.log(6), 1.0, n), 2, 1000).astype(np.int64)
    stubs = np.repeat(np.arange(n), want // 2 + 1)
    prov = subs.province[normal]
    order = np.argsort(prov, kind="stable")
    pos_in_order = np.empty(n, dtype=np.int64)
    pos_in_order[order] = np.arange(n)
    bounds = np.searchsorted(prov[order], np.arange(len(geo.PROVINCES) + 1))
    local = rng.random(len(stubs)) < 0.8
    lo, hi = bounds[prov[stubs]], bounds[prov[stubs] + 1]
    local_pick = order[lo + (rng.random(len(stubs)) * (hi - lo)).astype(np.int64)]
    far_pick = rng.integers(0, n, len(stubs))
    other = np.where(local, local_pick, far_pick)
    a, b = normal[stubs], normal[other]
    # Call centres are everybody's occasional contact.
    centres = np.flatnonzero(subs.kind == CALL_CENTRE)
    if len(centres):
        who = rng.choice(normal, n // 10, replace=False)
        a = np.concatenate([a, who])
        b = np.concatenate([b, rng.choice(centres, len(who))])
    keep = a != b
    a, b = a[keep], b[keep]
    src = np.concatenate([a, b])
    dst = np.concatenate([b, a])
    pairs = np.unique(src.astype(np.int64) * (1 << 32) + dst)
    src, dst = (pairs >> 32).astype(np.int32), (pairs & 0xFFFFFFFF).astype(np.int32)
    offsets = np.zeros(len(subs.msisdn) + 1, dtype=np.int64)
    np.add.at(offsets, src + 1, 1)
    return np.cumsum(offsets), dst
