"""The CLI's exchange commands go through the use cases the API calls
(`scamnet.exchange.partners`, `scamnet.exchange.sending`): the acting user must hold the
permission, an H3 warrant stays home, and a refusal is one line that changes nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from scamnet.core.access import UserRole
from scamnet.exchange.keys import init_instance
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.models import WarrantRow
from tests.exchange.servers import cli
from tests.support.users import register


def test_the_cli_sends_and_lists_as_a_registered_user_with_the_right(tmp_path: Path) -> None:
    home, partner = tmp_path / "dh", tmp_path / "muse"
    register(home)  # migrates; the suite's user holds every role
    register(home, "viewer", roles=frozenset({UserRole.VIEWER}))
    muse = init_instance(partner, "MM-MUSE")
    cli(home, "exchange", "init", "--agency", "CN-YN-DH")
    out = cli(
        home, "exchange", "register", "MM-MUSE", muse.public_key, "--user", "viewer", ok=False
    )
    assert "exchange.admin" in out and "Traceback" not in out
    assert "registered MM-MUSE" in cli(home, "exchange", "register", "MM-MUSE", muse.public_key)
    store = Store(Settings.from_env(home).database_url)
    try:
        with store.session() as s:
            for wid, code in (("W-1", "H1"), ("W-3", "H3")):
                s.add(WarrantRow(warrant_id=wid, issued_at=date(2023, 5, 1), agency="CN-YN-DH",
                                 name=f"Wanted {wid}", handling=code))  # fmt: skip
    finally:
        store.dispose()

    refused = cli(home, "exchange", "send-wanted", "MM-MUSE", "--warrant", "W-3",
                  "--out", str(tmp_path), ok=False)  # fmt: skip
    assert "W-3 is H3" in refused and not list(tmp_path.glob("*.scamnet-bundle.json"))
    cli(home, "exchange", "send-wanted", "MM-MUSE", "--out", str(tmp_path))
    (written,) = tmp_path.glob("*.scamnet-bundle.json")
    bundle = json.loads(written.read_text(encoding="utf-8"))
    assert [w["warrant_id"] for w in bundle["payload"]["warrants"]] == ["W-1"]

    listed = json.loads(cli(home, "exchange", "outbox", "--all", "--json"))
    assert [(b["bundle_id"], b["state"]) for b in listed["bundles"]] == [
        (bundle["id"], "delivered")  # the file was the delivery (an air-gapped link)
    ]
    out = cli(home, "exchange", "outbox", "--user", "viewer", ok=False)
    assert "transfers.read" in out
    out = cli(home, "exchange", "resend", "--user", "viewer", ok=False)
    assert "transfers.write" in out
    assert "0 delivered, nothing pending" in cli(home, "exchange", "resend")
