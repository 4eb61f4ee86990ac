"""Receiving runs the same on SQLite and PostgreSQL: the rights, the replay check under
its lock, the outbox and the audit entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from scamnet.cases import transfers
from scamnet.core.access import Actor
from scamnet.core.cases import TransferStatus
from scamnet.core.reference import reference_agencies
from scamnet.exchange.bundle import BundleKind as K
from scamnet.exchange.bundle import BundleRefused, seal
from scamnet.exchange.delivery import hand_over_as_file
from scamnet.exchange.keys import init_instance
from scamnet.exchange.service import receive, send_status
from scamnet.store import Store
from scamnet.store.agencies import AgencyRepository
from scamnet.store.audit import AuditLog
from scamnet.store.exchange import PartnerKeys
from scamnet.store.outbox import Outbox
from scamnet.store.uow import SqlUnitOfWork


def test_receiving_on_both_backends(store: Store, tmp_path: Path) -> None:
    dehong = init_instance(tmp_path / "dh", "CN-YN-DH")
    muse = init_instance(tmp_path / "muse", "MM-MUSE")
    with store.session() as s:
        AgencyRepository(s).ensure(reference_agencies())
        PartnerKeys(s).register("MM-MUSE", muse.public_key, "admin")
    request = {
        "reference": "TR-MM-MUSE-7", "requesting_agency": "MM-MUSE",
        "partner_agency": "CN-YN-DH", "legal_basis": "treaty",
        "created_at": "2023-11-01T00:00:00+00:00", "persons": [{"name": "Bai Suocheng"}],
    }  # fmt: skip
    bundle = seal(muse, K.TRANSFER_REQUEST, "CN-YN-DH", request)
    with store.session() as s:
        assert "1 persons" in receive(s, dehong, bundle)
    with pytest.raises(BundleRefused, match=r"\(replay\)"), store.session() as s:
        receive(s, dehong, bundle)
    elsewhere = seal(
        muse, K.TRANSFER_REQUEST, "CN-YN-DH",
        {**request, "reference": "TR-MM-MUSE-8", "partner_agency": "CN-YN-LC"},
    )  # fmt: skip
    with pytest.raises(BundleRefused, match=r"\(addressed-here\)"), store.session() as s:
        receive(s, dehong, elsewhere)
    # Answering the request: the change and its outgoing bundle are one transaction.
    with store.session() as s:
        officer = Actor("li.wei", "CN-YN-DH")
        sent = send_status(s, dehong, "TR-MM-MUSE-7", TransferStatus.ACKNOWLEDGED, "ok", officer)
    with store.session() as s:
        assert transfers.get(SqlUnitOfWork(s), "TR-MM-MUSE-7").status == "acknowledged"
        assert [r.bundle_id for r in Outbox(s).pending()] == [sent["id"]]
        actions = [e.action for e in AuditLog(s).entries()]
        assert "exchange.receive" in actions and "exchange.send" in actions
        assert AuditLog(s).verify() is None
    # Carried as a file instead (an air-gapped link): the file is the delivery, and audited.
    written = hand_over_as_file(store, str(sent["id"]), tmp_path, "li.wei")
    assert written.exists()
    with store.session() as s:
        assert Outbox(s).pending() == []
        last = AuditLog(s).entries()[-1]
        assert (last.actor, last.action, last.subject) == (
            "li.wei",
            "exchange.export_file",
            sent["id"],
        )
