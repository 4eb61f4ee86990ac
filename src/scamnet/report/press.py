"""Published handover figures loaded as handover batches.

Each reported batch becomes a batch of that many unnamed entries, the reported
fugitives flagged. A cumulative announcement larger than the batches itemised
so far becomes a "remainder" batch holding the difference, so that statistics
computed from the entries give back every published figure: each batch, each
cumulative total, its fugitives and its key figures.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from scamnet.cases.handovers import import_batch
from scamnet.cases.ports import UnitOfWork
from scamnet.core.access import Actor
from scamnet.core.errors import InvalidRecord
from scamnet.core.handovers import UNNAMED, BatchHeader, ManifestLine
from scamnet.report.statistics import REMAINDER, UNSPLIT_KEY_FIGURE

# Who the press names, as agency codes of the reference data.
AGENCIES = {
    "Myanmar law enforcement": "MM-MPF",
    "Muse authorities (Myanmar)": "MM-MUSE",
    "Xishuangbanna public security": "CN-YN-XSBN",
    "Pu'er public security": "CN-YN-PE",
    "Yunnan public security": "CN-YN",
    "Dehong public security": "CN-YN-DH",
    "Lincang public security": "CN-YN-LC",
}


@dataclass(frozen=True, slots=True)
class PressBatch:
    batch_id: str
    date: date
    crossing: str
    from_agency: str
    to_agency: str
    persons: int
    fugitives: int
    key_figures: int
    source: str
    note: str


def read_press(path: Path) -> list[PressBatch]:
    """The batches the published figures imply, in date order."""
    text = path.read_text(encoding="utf-8")
    header_at = text.find("date,event,")
    if header_at < 0:
        raise InvalidRecord(f"{path}: no 'date,event,…' header line")
    rows = sorted(csv.DictReader(io.StringIO(text[header_at:])), key=lambda r: r["date"])
    out: list[PressBatch] = []
    done = fugitives = key_figures = 0
    for r in rows:
        day = date.fromisoformat(r["date"])
        if r["persons"]:
            batch = _batch(r, day)
            out.append(batch)
            done += batch.persons
            fugitives += batch.fugitives
        cumulative = _int(r["cumulative_reported"])
        if cumulative is not None and cumulative > done:
            fug = (
                max(0, (_int(r["of_which_fugitives"]) or 0) - fugitives) if not r["persons"] else 0
            )
            key = max(0, (_int(r["of_which_key_figures"]) or 0) - key_figures)
            out.append(
                PressBatch(
                    f"PRESS-{day:%Y%m%d}-REMAINDER",
                    day,
                    "(not itemised)",
                    "MM-MPF",
                    "CN-MPS",
                    cumulative - done,
                    fug,
                    key,
                    REMAINDER,
                    f"difference between the cumulative figure reported on {day} "
                    f"({cumulative}) and the batches itemised before it",
                )
            )
            done, fugitives, key_figures = cumulative, fugitives + fug, key_figures + key
    return out


def _batch(r: dict[str, str], day: date) -> PressBatch:
    persons = _int(r["persons"]) or 0
    slug = re.sub(r"[^A-Z0-9]+", "-", r["place"].upper()).strip("-")[:30]
    return PressBatch(
        f"PRESS-{day:%Y%m%d}-{slug}",
        day,
        r["place"],
        AGENCIES.get(r["giving_side"], "MM-MPF"),
        AGENCIES.get(r["receiving_side"], "CN-YN"),
        persons,
        _int(r["of_which_fugitives"]) or 0,
        _int(r["of_which_key_figures"]) or 0,
        "press",
        f"published figure: {r['source']}",
    )


def _int(text: str | None) -> int | None:
    return int(text.replace(",", "")) if text and text.strip() else None


def load_press(uow: UnitOfWork, actor: Actor, batches: list[PressBatch]) -> int:
    """Store the batches through the one handover writer; returns the entries written.

    Batches already loaded are reported by the writer as already stored.
    """
    written = 0
    for b in batches:
        header = BatchHeader(b.batch_id, b.date, b.crossing, b.from_agency, b.to_agency,
                             source=b.source, note=b.note)  # fmt: skip
        lines = [
            ManifestLine(
                i + 1, UNNAMED, declared_fugitive=i < b.fugitives,
                role=UNSPLIT_KEY_FIGURE if b.fugitives <= i < b.fugitives + b.key_figures
                else None,
            )
            for i in range(b.persons)
        ]  # fmt: skip
        written += import_batch(uow, actor, header, lines).entries
    uow.audit.append(actor.user, "press.load", "handovers", {"entries": written})
    return written
