"""Law-enforcement events and the person records agencies hold.

Domestic bureaus know persons by 汉字 name, resident ID and phone; warrants add
pinyin; the foreign partner's handover manifests spell names in Latin letters,
each clerk in their own way, and sometimes swap day and month in birth dates.
The handed-over population is calibrated to the reference case: about 0.2%
key figures and about 5% fugitives among those transferred.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from scamnet.core.roles import Role
from scamnet.simulate import names
from scamnet.simulate.world import World

GIVING_AGENCY = {
    "Laukkai": "MM-LAUKKAI", "Muse": "MM-MUSE", "Myawaddy": "MM-MYAWADDY",
    "Shwe Kokko": "MM-MYAWADDY", "Tachileik": "MM-TACHILEIK", "Mong La": "MM-MONGLA",
}  # fmt: skip
RECEIVING_AGENCY = {
    "Laukkai": "CN-YN-LC", "Muse": "CN-YN-DH", "Myawaddy": "CN-MPS", "Shwe Kokko": "CN-MPS",
    "Tachileik": "CN-YN-XSBN", "Mong La": "CN-YN-XSBN",
}  # fmt: skip
BUREAUS = ["CN-YN-XSBN", "CN-YN-PE", "CN-YN-LC", "CN-YN-DH"]
MAX_BATCH = 600


@dataclass
class Records:
    persons: list[dict[str, str]] = field(default_factory=list)
    wanted: list[dict[str, str]] = field(default_factory=list)
    handovers: list[dict[str, str]] = field(default_factory=list)
    events: list[dict[str, str]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    status: dict[int, str] = field(default_factory=dict)


def _event(rec: Records, pid: int, event: str, when: date, ref: str = "") -> None:
    rec.events.append({"person_id": str(pid), "event": event, "date": when.isoformat(), "ref": ref})


def _town(world: World, pid: int) -> str:
    p = world.persons[pid]
    site = world.sites[p.site] if p.site is not None else world.sites[0]
    return site.name.split(" compound")[0]


def _manifest_dob(born: date, rng: random.Random) -> str:
    if born.day <= 12 and rng.random() < 0.05:  # day and month swapped by the clerk
        return date(born.year, born.day, born.month).isoformat()
    return born.isoformat()


def generate_enforcement(world: World, rng: random.Random, phones: dict[int, str]) -> Records:
    rec = Records()
    cfg = world.config
    end = cfg.start + timedelta(days=cfg.days)
    in_compound = [p for p in world.persons if p.role is not Role.MONEY_MULE]
    workers = [p for p in in_compound if p.role in (Role.MEMBER, Role.RECRUITER)]
    key = [p for p in in_compound if p.role.is_key_figure]

    transferred = [p for p in workers if rng.random() < 0.85]
    share = cfg.key_figure_share
    n_key = min(len(key), max(1, round(share * len(transferred) / (1 - share))))
    ranked = sorted(key, key=lambda p: (-p.role.rank, rng.random()))  # key members before bosses
    transferred += ranked[:n_key]
    rng.shuffle(transferred)
    n_fugitive = round(cfg.fugitive_share * len(transferred))
    fugitives = set(p.id for p in rng.sample(transferred, n_fugitive))
    # Key figures left abroad are mostly on the wanted list; the Kokang family's boss dies.
    at_large = [p for p in key if p not in transferred]
    for p in at_large:
        if rng.random() < 0.6:
            fugitives.add(p.id)
    deceased = next(
        (p for p in key if p.role is Role.MASTERMIND and _town(world, p.id) == "Laukkai"), None
    )

    for pid in sorted(fugitives):
        p = world.persons[pid]
        issued = cfg.start - timedelta(days=rng.randint(30, 700))
        wid = f"W{len(rec.wanted) + 1:05d}"
        rec.wanted.append({
            "warrant_id": wid, "issued_at": issued.isoformat(), "agency": rng.choice(BUREAUS),
            "name": p.han, "pinyin": names.standard_pinyin(p.han),
            "birth_date": p.birth_date.isoformat(),
            "id_number": p.id_number, "offence": "suspected telecom and online fraud",
        })  # fmt: skip
        rec.links.append({"source": "wanted", "record_id": wid, "person_id": str(pid)})
        _event(rec, pid, "warrant", issued, wid)
        rec.status[pid] = "wanted"

    for p in world.persons:  # domestic registry extracts
        if rng.random() < (0.9 if p.role is Role.MONEY_MULE else 0.7):
            rid = f"P{len(rec.persons) + 1:06d}"
            rec.persons.append({
                "record_id": rid, "source_agency": rng.choice(BUREAUS), "name": p.han,
                "birth_date": p.birth_date.isoformat(), "id_number": p.id_number,
                "phone": phones.get(p.id, ""), "gender": "F" if p.female else "M",
                "nationality": "CN",
            })  # fmt: skip
            rec.links.append({"source": "persons", "record_id": rid, "person_id": str(p.id)})

    by_town: dict[str, list[int]] = {}
    for p in transferred:
        by_town.setdefault(_town(world, p.id), []).append(p.id)
    day = end + timedelta(days=5)
    for town, pids in sorted(by_town.items()):
        for i in range(0, len(pids), MAX_BATCH):
            batch = pids[i : i + MAX_BATCH]
            bid = f"H-{day:%Y%m%d}-{town.replace(' ', '')[:8].upper()}"
            crossing = world.sites[world.persons[batch[0]].site or 0].crossing
            for seq, pid in enumerate(batch, 1):
                p = world.persons[pid]
                variant = rng.choice(names.VARIANTS)
                rec.handovers.append({
                    "batch_id": bid, "date": day.isoformat(), "crossing": crossing,
                    "from_agency": GIVING_AGENCY[town], "to_agency": RECEIVING_AGENCY[town],
                    "seq": str(seq), "name": names.latin_variant(p.han, variant, rng),
                    "birth_date": _manifest_dob(p.birth_date, rng),
                    "document": p.passport if rng.random() < 0.7 else "", "nationality": "CN",
                })  # fmt: skip
                rec.links.append({"source": "handovers", "record_id": f"{bid}#{seq}",
                                  "person_id": str(pid)})  # fmt: skip
                _event(rec, pid, "detained_abroad", day - timedelta(days=rng.randint(3, 20)))
                _event(rec, pid, "handed_over", day, bid)
                rec.status[pid] = "handed_over"
            day += timedelta(days=rng.randint(1, 4))
    if deceased is not None:
        _event(rec, deceased.id, "deceased", end + timedelta(days=rng.randint(10, 40)))
        rec.status[deceased.id] = "deceased"
    return rec
