"""Reading a handover manifest file, all or nothing.

A manifest is a legal document: a batch with one bad line is refused whole, with
every bad line and its reason, rather than half imported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from scamnet.core.entities import PersonName
from scamnet.core.errors import DomainError, InvalidRecord
from scamnet.core.handovers import BatchHeader, ManifestLine
from scamnet.core.roles import Role

COLUMNS = ("batch_id", "date", "crossing", "from_agency", "to_agency", "seq", "name")
OPTIONAL = ("birth_date", "document", "nationality", "role")
MAX_LINES = 100_000
# A giving side may say only "key figure" without saying which kind.
ROLES = {r.value for r in Role} | {"key_figure"}


@dataclass
class Manifest:
    batches: list[tuple[BatchHeader, list[ManifestLine]]] = field(default_factory=list)

    @property
    def persons(self) -> int:
        return sum(len(lines) for _h, lines in self.batches)


class ManifestError(InvalidRecord):
    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.problems = problems
        name = path.name if isinstance(path, Path) else path
        shown = "; ".join(problems[:10]) + (
            f"; … {len(problems) - 10} more" if len(problems) > 10 else ""
        )
        super().__init__(f"{name} refused, nothing imported: {shown}")


def read_manifest(path: Path, request_ref: str | None = None) -> Manifest:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(path, [f"cannot read: {exc}"]) from None
    return parse_manifest(text, path.name, request_ref)


def parse_manifest(text: str, name: str, request_ref: str | None = None) -> Manifest:
    """A manifest's text, all or nothing: ManifestError lists every bad line."""
    path = name
    # A quoted field may hold a line break; the name's own check then refuses it by line.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ManifestError(path, [f"missing columns: {', '.join(missing)}"])
    problems: list[str] = []
    parsed: list[tuple[int, BatchHeader, ManifestLine]] = []
    for n, row in enumerate(reader, start=2):
        if n > MAX_LINES:
            raise ManifestError(path, [f"more than {MAX_LINES} lines"])
        try:
            parsed.append((n, *parse_row(row, request_ref)))
        except (ValueError, DomainError) as exc:
            problems.append(f"line {n}: {exc}")
    batches = group_batches(parsed, problems)
    if problems:
        raise ManifestError(path, problems)
    return Manifest(batches)


def group_batches(
    parsed: list[tuple[int, BatchHeader, ManifestLine]], problems: list[str]
) -> list[tuple[BatchHeader, list[ManifestLine]]]:
    """Lines grouped by batch; a batch's lines must agree on its header, and each seq
    appears once. Disagreements are added to ``problems`` with their line number."""
    batches: dict[str, tuple[BatchHeader, list[ManifestLine]]] = {}
    for n, header, line in parsed:
        known = batches.setdefault(header.batch_id, (header, []))
        if known[0] != header:
            problems.append(
                f"line {n}: batch {header.batch_id} with another date, crossing or agencies"
            )
            continue
        if any(x.seq == line.seq for x in known[1]):
            problems.append(f"line {n}: seq {line.seq} repeats an earlier line of the batch")
            continue
        known[1].append(line)
    return list(batches.values())


def batches_from_rows(
    rows: list[dict[str, Any]], source: str
) -> list[tuple[BatchHeader, list[ManifestLine]]]:
    """Rows already validated by ingestion (typed values), as batches; all or nothing."""
    problems: list[str] = []
    parsed = []
    for n, r in enumerate(rows, start=1):
        header = BatchHeader(r["batch_id"], r["date"], r["crossing"], r["from_agency"],
                             r["to_agency"], source=source)  # fmt: skip
        role = r.get("role") or None
        if role is not None and role not in ROLES:
            problems.append(f"row {n}: unknown role {role!r}")
            continue
        parsed.append((n, header, ManifestLine(int(r["seq"]), r["name"], r.get("birth_date"),
                                               r.get("document") or None,
                                               r.get("nationality") or None, role)))  # fmt: skip
    batches = group_batches(parsed, problems)
    if problems:
        raise InvalidRecord("handover rows refused, nothing imported: " + "; ".join(problems[:10]))
    return batches


def parse_row(
    row: dict[str, str | None], request_ref: str | None = None
) -> tuple[BatchHeader, ManifestLine]:
    """One manifest line; raises ValueError or DomainError with the reason."""
    if None in row.values() or None in row:
        raise ValueError("wrong number of columns")
    v = {k: (x or "").strip() for k, x in row.items() if k}
    for c in COLUMNS:
        if not v[c]:
            raise ValueError(f"missing {c}")
    header = BatchHeader(
        v["batch_id"],
        date.fromisoformat(v["date"]),
        v["crossing"],
        v["from_agency"],
        v["to_agency"],
        request_ref,
    )
    name = PersonName.of(v["name"]).text  # refuses control characters and overlong names
    born = date.fromisoformat(v["birth_date"]) if v.get("birth_date") else None
    if v.get("role") and v["role"] not in ROLES:
        raise ValueError(f"unknown role {v['role']!r}; one of {', '.join(sorted(ROLES))}")
    seq = int(v["seq"])
    if seq < 1:
        raise ValueError("seq must be a positive number")
    return header, ManifestLine(
        seq,
        name,
        born,
        v.get("document") or None,
        v.get("nationality") or None,
        v.get("role") or None,
    )
