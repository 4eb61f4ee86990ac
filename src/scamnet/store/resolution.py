"""The records entity resolution reads, the clusters it writes, analysts' judgements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, delete, false, insert, or_, select
from sqlalchemy.orm import Session

from scamnet.core.description import SourceRecord
from scamnet.core.errors import InvalidRecord
from scamnet.core.identifiers.phone import Phone
from scamnet.store.audit import AuditLog
from scamnet.store.models import (
    DocumentRow,
    HandoverBatchRow,
    ManifestEntryRow,
    PersonIdentifierRow,
    PersonNameRow,
    PersonRow,
    PersonSourceRow,
    WarrantRow,
)
from scamnet.store.tables.resolution import JudgementRow, ResolvedRecordRow

_Q = TypeVar("_Q", bound=Select)  # type: ignore[type-arg]


def source_records(session: Session, uids: Collection[str] | None = None) -> list[SourceRecord]:
    """Person records of every agency, warrants, and named manifest lines; with ``uids``,
    only those records (a person's page reads its few records, not every one)."""
    wanted = _Wanted.of(uids) if uids is not None else None
    pids: list[int] | None = None
    if wanted is not None:
        pids = [] if not wanted.persons else list(session.scalars(
            select(PersonSourceRow.person_id).where(or_(*(
                and_(PersonSourceRow.source_agency == a, PersonSourceRow.record_id == r)
                for a, r in wanted.persons)))
        ))  # fmt: skip

    def of_persons(query: _Q, column: Any) -> _Q:
        return query if pids is None else query.where(column.in_(pids))

    names: dict[int, str] = {}
    for pid, text in session.execute(of_persons(
        select(PersonNameRow.person_id, PersonNameRow.text).order_by(PersonNameRow.position.desc()),
        PersonNameRow.person_id,
    )):  # fmt: skip
        names[pid] = text  # the first name (position 0) wins
    ids: dict[int, str] = {}
    for pid, number in session.execute(of_persons(
        select(DocumentRow.person_id, DocumentRow.number).where(DocumentRow.kind == "cn_id"),
        DocumentRow.person_id,
    )):  # fmt: skip
        ids[pid] = number
    phones: dict[int, str] = {}
    for pid, value in session.execute(of_persons(
        select(PersonIdentifierRow.person_id, PersonIdentifierRow.value).where(
            PersonIdentifierRow.kind == Phone.kind), PersonIdentifierRow.person_id,
    )):  # fmt: skip
        phones.setdefault(pid, value)
    born = {pid: d for pid, d in session.execute(
        of_persons(select(PersonRow.id, PersonRow.birth_date), PersonRow.id))}  # fmt: skip
    sourced: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for pid, agency, rid in session.execute(of_persons(
        select(PersonSourceRow.person_id, PersonSourceRow.source_agency, PersonSourceRow.record_id),
        PersonSourceRow.person_id,
    )):  # fmt: skip
        sourced[pid].append((agency, rid))
    out = []
    for pid, agency, rid in ((p, a, r) for p, refs in sourced.items() for a, r in refs):
        if pid in names:
            out.append(
                SourceRecord(
                    f"person:{agency}:{rid}",
                    "persons",
                    names[pid],
                    born.get(pid),
                    ids.get(pid),
                    None,
                    phones.get(pid),
                )
            )
    warrants = select(WarrantRow)
    if wanted is not None:
        warrants = warrants.where(WarrantRow.warrant_id.in_(wanted.warrants))
    for w in session.scalars(warrants):
        out.append(
            SourceRecord(f"warrant:{w.warrant_id}", "wanted", w.name, w.birth_date, w.id_number)
        )
    named = (
        select(ManifestEntryRow)
        .join(HandoverBatchRow, HandoverBatchRow.batch_id == ManifestEntryRow.batch_id)
        .where(HandoverBatchRow.source.not_in(("press", "press_remainder")))
    )
    if wanted is not None:
        named = named.where(or_(false(), *(
            and_(ManifestEntryRow.batch_id == b, ManifestEntryRow.seq == q)
            for b, q in wanted.lines)))  # fmt: skip
    for e in session.scalars(named):
        out.append(
            SourceRecord(
                f"manifest:{e.batch_id}#{e.seq}",
                "handovers",
                e.name,
                e.birth_date,
                None,
                e.document,
            )
        )
    if uids is not None:
        keep = set(uids)
        out = [r for r in out if r.uid in keep]
    return out


@dataclass(frozen=True, slots=True)
class _Wanted:
    """Record uids split by source: person:<agency>:<id>, warrant:<id>, manifest:<batch>#<seq>."""

    persons: list[tuple[str, str]]
    warrants: list[str]
    lines: list[tuple[str, int]]

    @classmethod
    def of(cls, uids: Collection[str]) -> _Wanted:
        persons, warrants, lines = [], [], []
        for uid in uids:
            source, _, rest = uid.partition(":")
            if source == "person" and ":" in rest:
                agency, _, rid = rest.partition(":")
                persons.append((agency, rid))
            elif source == "warrant":
                warrants.append(rest)
            elif source == "manifest" and "#" in rest:
                batch, _, seq = rest.rpartition("#")
                if seq.isdigit():
                    lines.append((batch, int(seq)))
        return cls(persons, warrants, lines)


class ResolutionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def clusters(self) -> dict[str, str]:
        rows = self.session.execute(select(ResolvedRecordRow.uid, ResolvedRecordRow.cluster_id))
        return {uid: cid for uid, cid in rows}

    def replace_clusters(self, mapping: dict[str, str], actor: str) -> None:
        now = datetime.now(UTC)
        self.session.execute(delete(ResolvedRecordRow))
        if mapping:
            self.session.execute(
                insert(ResolvedRecordRow),
                [{"uid": u, "cluster_id": c, "updated_at": now} for u, c in mapping.items()],
            )
        AuditLog(self.session).append(
            actor,
            "resolve.persons",
            "resolved_records",
            {"records": len(mapping), "clusters": len(set(mapping.values()))},
        )

    def members(self, cluster_id: str) -> list[str]:
        return list(
            self.session.scalars(
                select(ResolvedRecordRow.uid)
                .where(ResolvedRecordRow.cluster_id == cluster_id)
                .order_by(ResolvedRecordRow.uid)
            )
        )

    def judge(self, uid_a: str, uid_b: str, same: bool, author: str, note: str = "") -> None:
        """Record (or change) an analyst's judgement; it overrides the model from the next run."""
        a, b = sorted((uid_a, uid_b))
        if a == b:
            raise InvalidRecord("a judgement compares two different records")
        row = self.session.scalar(
            select(JudgementRow).where(JudgementRow.uid_a == a, JudgementRow.uid_b == b)
        )
        if row is None:
            self.session.add(
                JudgementRow(
                    uid_a=a, uid_b=b, same=same, author=author, at=datetime.now(UTC), note=note
                )
            )
        else:
            row.same, row.author, row.at, row.note = same, author, datetime.now(UTC), note
        AuditLog(self.session).append(
            author, "resolve.judge", f"{a}|{b}", {"same": same, "note": note}
        )

    def judgements(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        same: list[tuple[str, str]] = []
        apart: list[tuple[str, str]] = []
        for r in self.session.scalars(select(JudgementRow)):
            (same if r.same else apart).append((r.uid_a, r.uid_b))
        return same, apart
