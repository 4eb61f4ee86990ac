"""The interchange use cases: FollowTheMoney, STIX 2.1 and MISP, out and in.

Each takes the session it works in and the actor; exports apply a handling ceiling
and every export and import writes its audit entry here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from scamnet.core.access import Actor
from scamnet.core.errors import DomainError, InvalidIdentifier, NotFound
from scamnet.core.handling import DEFAULT_HANDLING, HandlingCode
from scamnet.core.identifiers import BankAccount, Phone, Url, Wallet
from scamnet.core.records import FraudType
from scamnet.interop import dossier, ftm, ftm_read, indicators, misp, stix
from scamnet.interop.files import check_writable, writing
from scamnet.settings import Settings
from scamnet.store.audit import AuditLog
from scamnet.store.interop import InteropQueries
from scamnet.store.persons import PersonRepository
from scamnet.store.records import StoreSink


class UnreadableFile(DomainError):
    """An input file that cannot be read as text."""


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnreadableFile(f"no file {path}") from None
    except (OSError, UnicodeError) as exc:
        raise UnreadableFile(
            f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"
        ) from None


@dataclass(frozen=True, slots=True)
class FtmExported:
    path: Path
    entities: int
    persons: int
    calls: int
    payments: int
    left_out: int


def export_ftm(
    session: Session,
    settings: Settings,
    actor: Actor,
    out: Path,
    group_ids: list[int] | None = None,
    ceiling: HandlingCode = DEFAULT_HANDLING,
) -> FtmExported:
    """Groups (all, or those named) as FollowTheMoney entities, one JSON object a line."""
    check_writable(out)
    ids = group_ids or [g.id for g in InteropQueries(session).groups()]
    if not ids:
        raise NotFound("no groups yet: run `scamnet network groups` first")
    entities: dict[str, object] = {}
    persons = calls = payments = left_out = 0
    for gid in ids:
        d = dossier.build(session, settings, gid, ceiling)
        for e in ftm.group_entities(d, actor.agency):
            entities.setdefault(e.id or "", e)
        persons, calls = persons + len(d.persons), calls + len(d.calls)
        payments, left_out = payments + len(d.transfers), left_out + d.left_out
    with writing(out) as fh:
        fh.writelines(ftm.jsonl(list(entities.values())))  # type: ignore[arg-type]
    AuditLog(session).append(
        actor.user,
        "interop.export",
        "groups:" + ",".join(map(str, ids)),
        {
            "format": "ftm",
            "path": str(out),
            "entities": len(entities),
            "persons": persons,
            "ceiling": ceiling.value,
            "left_out": left_out,
            "agency": actor.agency,
        },
    )
    return FtmExported(out, len(entities), persons, calls, payments, left_out)


@dataclass(slots=True)
class Imported:
    added: int = 0  # new persons (FtM) or reports (STIX)
    linked: int = 0  # persons already known by a document: the source joins them
    already: int = 0  # taken from this source before
    identifiers: int = 0
    skipped: list[str] = field(default_factory=list)


def _record_id(entity_id: str) -> str:
    # PersonSourceRow.record_id holds 64 characters; longer ids are hashed, stably.
    return entity_id if len(entity_id) <= 64 else hashlib.sha256(entity_id.encode()).hexdigest()


def import_ftm(session: Session, actor: Actor, path: Path, source: str) -> Imported:
    """FtM persons with their identifiers, as person records of ``source``: resolution
    and matching (`scamnet resolve persons|match`) then search them with every other.

    A person whose document is already known joins that person; a file read twice adds
    nothing the second time.
    """
    if not 1 <= len(source.strip()) <= 64:
        raise DomainError("a source is named with 1 to 64 characters (--source)")
    read = ftm_read.read_entities(ftm_read.parse_lines(_text(path).splitlines()))
    queries, repo = InteropQueries(session), PersonRepository(session)
    known = queries.sourced(source)
    done = Imported(skipped=read.skipped)
    for entity_id, person in read.persons.items():
        record_id = _record_id(entity_id)
        if record_id in known:
            done.already += 1
            continue
        existing = next(
            (
                p
                for d in person.documents
                if (p := repo.by_document(d.kind, d.number, d.country)) is not None
            ),
            None,
        )
        if existing is not None and existing.id is not None:
            pid = existing.id
            done.identifiers += sum(repo.add_identifier(pid, i) for i in person.identifiers)
            done.linked += 1
        else:
            pid = repo.add(person).id or 0
            done.identifiers += len(person.identifiers)
            done.added += 1
        queries.add_source(pid, source, record_id)
        known[record_id] = pid
    AuditLog(session).append(
        actor.user,
        "interop.import",
        f"ftm:{source}",
        {
            "path": str(path),
            "added": done.added,
            "linked": done.linked,
            "already": done.already,
            "skipped": len(done.skipped),
            "agency": actor.agency,
        },
    )
    return done


@dataclass(frozen=True, slots=True)
class IndicatorsExported:
    path: Path
    indicators: int
    sightings: int
    left_out: int


def export_stix(
    session: Session, actor: Actor, out: Path, ceiling: HandlingCode = DEFAULT_HANDLING
) -> IndicatorsExported:
    """The confirmed scam indicators as a STIX 2.1 bundle with sightings."""
    check_writable(out)
    found = indicators.confirmed(InteropQueries(session), ceiling)
    made = stix.bundle(found.found, actor.agency)
    with writing(out) as fh:
        fh.write(made.serialize(pretty=True) + "\n")
    sightings = sum(len(i.sightings) for i in found.found)
    _audit_indicators(session, actor, "stix", out, found, ceiling)
    return IndicatorsExported(out, len(found.found), sightings, found.left_out)


def export_misp(
    session: Session, actor: Actor, out: Path, ceiling: HandlingCode = DEFAULT_HANDLING
) -> IndicatorsExported:
    """The confirmed scam indicators as one MISP event (JSON, as MISP imports it)."""
    check_writable(out)
    found = indicators.confirmed(InteropQueries(session), ceiling)
    made = misp.event(found.found, actor.agency)
    with writing(out) as fh:
        fh.write(
            json.dumps({"Event": json.loads(made.to_json())}, ensure_ascii=False, indent=1) + "\n"
        )
    _audit_indicators(session, actor, "misp", out, found, ceiling)
    return IndicatorsExported(out, len(found.found), 0, found.left_out)


def _audit_indicators(
    session: Session,
    actor: Actor,
    fmt: str,
    out: Path,
    found: indicators.Indicators,
    ceiling: HandlingCode,
) -> None:
    AuditLog(session).append(
        actor.user,
        "interop.export",
        "indicators",
        {
            "format": fmt,
            "path": str(out),
            "indicators": len(found.found),
            "ceiling": ceiling.value,
            "left_out": found.left_out,
            "agency": actor.agency,
        },
    )


def _report_field(kind: str, value: str) -> tuple[str, str]:
    """The victim-report column and canonical value for an observed indicator value."""
    if kind == "tel":
        return "scammer_phone", Phone.parse(value).value
    if kind == "account":
        return "scammer_account", (Wallet if Wallet.is_valid(value) else BankAccount).parse(
            value
        ).value
    return "scammer_url", Url.parse(value).value  # a domain becomes http://domain/


def import_stix(session: Session, actor: Actor, path: Path, source: str | None = None) -> Imported:
    """A bundle's indicators as victim reports: each then seeds the network (phones,
    accounts) or lends its domain reputation (URLs), as a report taken by ``source``."""
    observed, skipped = stix.read_bundle(_text(path))
    done = Imported(skipped=skipped)
    rows = []
    counts: dict[str, int] = {}
    for o in observed:
        try:
            column, value = _report_field(o.kind, o.value)
        except InvalidIdentifier as exc:
            done.skipped.append(f"{o.indicator}: {exc}")
            continue
        n = counts[o.indicator] = counts.get(o.indicator, 0) + 1
        fraud = next((label for label in o.labels if label in set(FraudType)), FraudType.OTHER)
        bureau = (source or o.producer or "stix")[:64]
        rows.append(
            {
                "report_id": f"stix:{o.indicator}" + (f"#{n}" if n > 1 else ""),
                "filed_at": o.at,
                "bureau": bureau,
                "fraud_type": str(fraud),
                "scammer_phone": None,
                "scammer_account": None,
                "scammer_url": None,
                "loss": None,
                "currency": None,
                "victim_phone": None,
                "narrative": f"STIX indicator {o.indicator}: {o.name}"[:10_000],
            }
            | {column: value}
        )
    done.added = StoreSink(session).insert("reports", rows) if rows else 0
    done.already = len(rows) - done.added
    done.identifiers = len(rows)
    AuditLog(session).append(
        actor.user,
        "interop.import",
        "stix",
        {
            "path": str(path),
            "added": done.added,
            "already": done.already,
            "skipped": len(done.skipped),
            "agency": actor.agency,
        },
    )
    return done
