"""The entity-resolution use cases: resolve every record, record an analyst's judgement,
search by example, read a resolved person. Searches and reads are audited here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from scamnet.core.access import Actor
from scamnet.core.description import SourceRecord
from scamnet.core.errors import DomainError, NotFound
from scamnet.settings import Settings
from scamnet.store.audit import AuditLog
from scamnet.store.resolution import ResolutionRepository, source_records

if TYPE_CHECKING:  # Splink and the engines load with a resolution or a search, not before:
    # reading a person or recording a judgement (the web pages, the API) needs neither.
    from scamnet.resolve.model import Pair
    from scamnet.resolve.run import Resolution


class NotEnoughRecords(DomainError):
    """Resolution needs at least two person records."""


@dataclass(frozen=True, slots=True)
class ResolveSummary:
    records: list[SourceRecord]
    result: Resolution
    judgements: int

    def sources(self) -> Counter[str]:
        """How many resolved persons join records of which sources (``person + warrant``)."""
        by_cluster: dict[str, set[str]] = {}
        for uid, cid in self.result.clusters.items():
            by_cluster.setdefault(cid, set()).add(uid.split(":")[0])
        return Counter(" + ".join(sorted(kinds)) for kinds in by_cluster.values())


def resolve_persons(session: Session, settings: Settings, actor: Actor) -> ResolveSummary:
    """Resolve every person record, warrant and manifest line into persons (stable ids)."""
    records = source_records(session)
    if len(records) < 2:
        raise NotEnoughRecords(
            "fewer than two person records: ingest persons, wanted or handovers first"
        )
    repo = ResolutionRepository(session)
    same, apart = repo.judgements()
    from scamnet.engine import open_engine
    from scamnet.resolve import model as er_model
    from scamnet.resolve.run import resolve

    with open_engine(settings) as engine:  # Splink on the chosen engine (SCAMNET_ENGINE)
        result = resolve(records, repo.clusters(), same, apart, engine=engine)
    repo.replace_clusters(result.clusters, actor.user)
    er_model.save(result.model, settings.er_model_path)
    return ResolveSummary(records, result, len(same) + len(apart))


def judge(session: Session, actor: Actor, uid_a: str, uid_b: str, same: bool, note: str) -> None:
    """Record that two records are (or are not) the same person; it overrides the model."""
    ResolutionRepository(session).judge(uid_a, uid_b, same, actor.user, note)


@dataclass(frozen=True, slots=True)
class Candidate:
    person: str  # the resolved person id, or "?" before the next resolution
    record: SourceRecord
    probability: float
    reasons: tuple[str, ...]


def search(
    session: Session,
    settings: Settings,
    actor: Actor,
    name: str,
    born: date | None = None,
    phone: str | None = None,
    document: str | None = None,
    limit: int = 5,
) -> list[Candidate]:
    """Query by example with whatever is known: candidates with probability and reasons."""
    from scamnet.engine import open_engine
    from scamnet.resolve import model as er_model
    from scamnet.resolve.records import record_table

    path = settings.er_model_path
    if not path.exists():
        raise NotFound("no resolution model yet: run `scamnet resolve persons` first")
    doc = document or None
    # An 18-character document is a resident ID; anything else is taken as a passport.
    query = SourceRecord("query:1", "query", name, born, doc if doc and len(doc) == 18 else None,
                         doc if doc and len(doc) != 18 else None, phone)  # fmt: skip
    clusters = ResolutionRepository(session).clusters()
    records = {r.uid: r for r in source_records(session)}
    with open_engine(settings) as engine:
        found: list[Pair] = er_model.match(
            er_model.load(path), record_table(list(records.values())), record_table([query]),
            limit, engine=engine,
        )  # fmt: skip
    AuditLog(session).append(actor.user, "resolve.match", name,
                             {"dob": str(born) if born else None, "phone": phone,
                              "document": document, "results": len(found)})  # fmt: skip
    return [
        Candidate(clusters.get(p.uid_r, "?"), records[p.uid_r], p.probability, tuple(p.reasons))
        for p in found
    ]


def read_person(session: Session, actor: Actor, person: str) -> list[SourceRecord]:
    """The records resolved into one person: an audited read."""
    uids = ResolutionRepository(session).members(person)
    if not uids:
        raise NotFound(f"no resolved person {person!r}")
    records = {r.uid: r for r in source_records(session, uids)}
    AuditLog(session).append(actor.user, "resolve.show", person,
                             {"agency": actor.agency, "why": actor.why})  # fmt: skip
    return [records[u] for u in uids if u in records]
