"""The demo's casework step: a handover through the signed exchange, then the bulletin.

The demo store plays the Dehong prefecture bureau. A second instance, with its
own store and key, plays the Muse partner. Dehong asks for the persons it knows
are held in Muse, Muse acknowledges and hands them over with its manifest, all
as signed bundle files (as over an air-gapped link), and both ledgers agree.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from scamnet.cases import suspects as cases
from scamnet.cases import transfers
from scamnet.cases.manifest import parse_row, read_manifest
from scamnet.cli.context import console
from scamnet.cli.output import Table
from scamnet.core.access import Actor
from scamnet.core.cases import CaseOrigin, RequestedPerson, TransferStatus
from scamnet.core.csvsafe import neutralise_row
from scamnet.core.errors import DomainError
from scamnet.core.handovers import BatchHeader, ManifestLine
from scamnet.core.reference import reference_agencies
from scamnet.core.suspect import SuspectStatus
from scamnet.exchange.keys import Instance, init_instance
from scamnet.exchange.service import receive, send_manifest, send_request, send_status
from scamnet.exchange.transport import read_bundle, write_bundle
from scamnet.report.bulletin import Lang, compose
from scamnet.report.statistics import Period, breakdown, totals
from scamnet.settings import sqlite_url
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.exchange import PartnerKeys, ledger_digest
from scamnet.store.uow import SqlUnitOfWork

PARTNER = "MM-MUSE"
HOME = "CN-YN-DH"


def hold_back_partner_batch(world: Path) -> Path | None:
    """Move the partner's clean manifest lines out of the file the demo ingests.

    They arrive later through the exchange instead. The partner sends only the
    lines its manifest can vouch for: the simulator's deliberately broken rows
    of that batch are dropped (a manifest is refused whole over one bad line).
    """
    source = world / "handovers.csv"
    with source.open(encoding="utf-8", errors="replace", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    col = header.index("from_agency")
    partner = [r for r in body if len(r) == len(header) and r[col] == PARTNER]
    if not partner:
        return None
    target = world / "exchange" / "muse-manifest.csv"
    target.parent.mkdir(exist_ok=True)
    kept = [row for row in partner if _readable(dict(zip(header, row, strict=True)))]
    # One batch per manifest: a row whose date or crossing disagrees is a broken row too.
    batch_cols = [header.index(c) for c in ("batch_id", "date", "crossing", "to_agency")]
    keys = Counter(tuple(r[i] for i in batch_cols) for r in kept)
    common = keys.most_common(1)[0][0] if keys else ()
    kept = [r for r in kept if tuple(r[i] for i in batch_cols) == common]
    seq = header.index("seq")
    kept = list({r[seq]: r for r in reversed(kept)}.values())[::-1]  # a repeated line once
    _write(target, header, kept)
    _write(source, header, [r for r in body if r not in partner])
    return target


def _readable(row: dict[str, str]) -> bool:
    try:
        parse_row(dict(row))
    except (ValueError, DomainError):
        return False
    return True


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(neutralise_row(header))
        writer.writerows(neutralise_row(r) for r in rows)


def _partner(root: Path) -> tuple[Store, Instance]:
    store = Store(sqlite_url(root / "scamnet.db"))
    store.upgrade()
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
    return store, init_instance(root, PARTNER)


def exchange_handover(home_root: Path, home: Store, manifest: Path) -> None:
    """Run request → acknowledgement → handover between the two instances."""
    me = init_instance(home_root, HOME)
    muse_store, muse = _partner(home_root / "partner-muse")
    outbox = home_root / "bundles"
    outbox.mkdir(exist_ok=True)
    for store, other in ((home, muse), (muse_store, me)):
        with store.session() as s:
            PartnerKeys(s).register(other.agency, other.public_key, "demo-admin")
    header, lines = read_manifest(manifest).batches[0]
    officer = Actor("demo.officer", HOME)
    with home.session() as s:
        reference = _open_case_and_request(s, lines, officer)
        request_file = write_bundle(send_request(s, me, reference), outbox)
    console.print(f"Dehong → Muse: transfer request {reference} ({request_file.name})")
    with muse_store.session() as s:
        console.print(f"  Muse applied: {receive(s, muse, read_bundle(request_file))}")
        ack = write_bundle(
            send_status(
                s,
                muse,
                reference,
                TransferStatus.ACKNOWLEDGED,
                "persons located and detained",
                Actor("muse.officer", PARTNER),
            ),
            outbox,
        )
    with home.session() as s:
        console.print(
            f"Muse → Dehong: acknowledgement; applied: {receive(s, me, read_bundle(ack))}"
        )
    batch = BatchHeader(
        header.batch_id,
        header.date,
        header.crossing,
        header.from_agency,
        header.to_agency,
        reference,
    )
    with muse_store.session() as s:
        sent = write_bundle(
            send_manifest(s, muse, batch, lines, Actor("muse.officer", PARTNER)), outbox
        )
    with home.session() as s:
        console.print(
            f"Muse → Dehong: signed manifest; applied: {receive(s, me, read_bundle(sent))}"
        )
    with home.session() as a, muse_store.session() as b:
        same = ledger_digest(a) == ledger_digest(b)
    console.print(
        f"ledgers of the two instances: [bold]{'identical' if same else 'DIFFERENT'}[/bold]"
    )
    muse_store.dispose()


def _open_case_and_request(session: Session, lines: list[ManifestLine], officer: Actor) -> str:
    """A case on the network most of the Muse detainees belong to, and the request for them.

    Opening the case from the group makes its members suspects with the roles the
    network analysis inferred; the detainees Dehong knows join it, and all of
    them are requested.
    """
    uow = SqlUnitOfWork(session)
    wanted = [RequestedPerson(line.name, line.birth_date) for line in lines]
    known = list(dict.fromkeys(
        p.person_id for p in transfers.match_persons(uow, wanted) if p.person_id is not None
    ))  # fmt: skip
    votes = Counter(gid for gid, _pid in uow.cases.groups_of(known))
    if votes:
        group_id = votes.most_common(1)[0][0]
        case = cases.open_case(uow, officer, f"Network {group_id}: detainees in Muse",
                               CaseOrigin.GROUP, str(group_id)).reference  # fmt: skip
    else:
        case = cases.open_case(
            uow, officer, "Fraud compounds around Muse", CaseOrigin.MANUAL, None
        ).reference
    opened = [
        cases.open_case(uow, officer, f"Network {gid}", CaseOrigin.GROUP, str(gid))
        for gid in uow.cases.network_groups()
        if not votes or gid != votes.most_common(1)[0][0]
    ]
    held = Counter(s.role for s in uow.cases.suspects() if s.role)
    console.print(
        f"{len(opened) + 1} cases opened from the networks; suspects by inferred role: "
        + ", ".join(f"{r} {n}" for r, n in held.most_common())
    )
    suspects = {s.person_id: s.id for s in cases.suspects(uow, officer, case)}
    for pid in known:
        if pid not in suspects:
            suspects[pid] = cases.add_suspect(uow, officer, case, pid, None,
                                              SuspectStatus.IDENTIFIED,
                                              "Criminal Law art. 266 (fraud)")  # fmt: skip
        cases.change_status(uow, officer, suspects[pid], SuspectStatus.DETAINED_ABROAD,
                            "detention notified by the Muse authorities")  # fmt: skip
    roles = Counter(
        s.role or "unknown" for s in cases.suspects(uow, officer, case) if s.person_id in known
    )
    console.print(
        f"case {case}: {len(suspects)} suspects; {len(known)} known to Dehong are "
        f"detained in Muse ({', '.join(f'{r} {n}' for r, n in roles.most_common())})"
    )
    return transfers.create(uow, officer, PARTNER, known, "bilateral police cooperation agreement")


def print_statistics_and_bulletin(store: Store) -> None:
    with store.session() as s:
        rows = breakdown(s, Period.BATCH)
        t = totals(s)
    table = Table(
        "batch",
        "persons",
        "key figures",
        "fugitives",
        "cumulative",
        title="Persons handed over, from the records",
    )
    for r in rows:
        table.add_row(
            r.key, f"{r.persons:,}", f"{r.key_figures:,}", f"{r.fugitives:,}", f"{r.cumulative:,}"
        )
    console.print(table)
    console.print(compose(t, datetime.now(UTC), Lang.FR).markdown())
