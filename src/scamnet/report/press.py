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

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from scamnet.core.errors import InvalidRecord
from scamnet.report.statistics import REMAINDER, UNSPLIT_KEY_FIGURE
from scamnet.store.audit import AuditLog
from scamnet.store.models import HandoverBatchRow, ManifestEntryRow

UNNAMED = "(not named in the published figures)"
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


def load_press(session: Session, batches: list[PressBatch], actor: str) -> int:
    """Store the batches; ones already loaded are skipped. Returns the entries written."""
    known = set(session.scalars(select(HandoverBatchRow.batch_id)))
    written = 0
    for b in batches:
        if b.batch_id in known:
            continue
        session.add(
            HandoverBatchRow(
                batch_id=b.batch_id,
                date=b.date,
                crossing=b.crossing,
                from_agency=b.from_agency,
                to_agency=b.to_agency,
                source=b.source,
                note=b.note,
            )
        )
        session.flush()
        entries = [
            {
                "batch_id": b.batch_id,
                "seq": i + 1,
                "name": UNNAMED,
                "fugitive": i < b.fugitives,
                "declared_role": UNSPLIT_KEY_FIGURE
                if b.fugitives <= i < b.fugitives + b.key_figures
                else None,
            }
            for i in range(b.persons)
        ]
        session.execute(insert(ManifestEntryRow), entries)
        written += len(entries)
    AuditLog(session).append(actor, "press.load", "handovers", {"entries": written})
    return written
