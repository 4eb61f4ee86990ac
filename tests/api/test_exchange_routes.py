"""The exchange over the API, end to end between two instances: Dehong's API (in
process, users of every role) registers keys, sends request, status, manifest and
wanted bundles that a delivery job carries over HTTP to Muse's real server (uvicorn in
a thread, its own data directory and store), where they land in its ledger; a failed
delivery waits in the outbox and a resend job delivers it. Refusals: the wrong role
(403), another agency (404), bad input (4xx) — each leaving the stored data as it was.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from scamnet.api.app import create_app
from scamnet.api.serve import listening_socket
from scamnet.cases import transfers
from scamnet.core.access import Actor, UserRole
from scamnet.exchange.service import send_request
from scamnet.jobs.worker import run_pending
from scamnet.settings import Settings
from scamnet.store.exchange import BundleLedger, PartnerKeys
from scamnet.store.models import WarrantRow
from scamnet.store.persons import PersonRepository
from scamnet.store.uow import SqlUnitOfWork
from tests.exchange.partners import make_pair, snapshot
from tests.exchange.servers import free_port
from tests.exchange.test_bundles import Side
from tests.factories import person
from tests.support.users import PASSWORD, register

# A partner server, two stores and five logins (argon2) for the module: over 10 s.
pytestmark = pytest.mark.slow

R = UserRole
USERS = {
    "admin": ("CN-YN-DH", frozenset({R.ADMIN})),
    "liaison": ("CN-YN-DH", frozenset({R.LIAISON})),
    "investigator": ("CN-YN-DH", frozenset({R.INVESTIGATOR})),
    "viewer": ("CN-YN-DH", frozenset({R.VIEWER})),
    "lc.liaison": ("CN-YN-LC", frozenset({R.LIAISON, R.SUPERVISOR})),
}


class ThreadServer:
    """Muse's API served by uvicorn in a thread, on a port of its own."""

    def __init__(self, side: Side, root: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = create_app(side.store, root)
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        sock = listening_socket("127.0.0.1", self.port)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self.thread.start()
        while not self.server.started:  # a start-up wait, not a timed assertion
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@dataclass
class World:
    dehong: Side
    muse: Side
    client: TestClient
    settings: Settings
    muse_url: str
    tokens: dict[str, str]

    def as_(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def run_jobs(self) -> None:
        run_pending(self.settings, self.dehong.store)

    def job(self, job_id: str) -> dict[str, Any]:
        r = self.client.get(f"/v1/jobs/{job_id}", headers=self.as_("liaison"))
        assert r.status_code == 200, r.text
        return dict(r.json())

    def muse_ledger(self) -> dict[str, str]:
        with self.muse.store.session() as s:
            return {e.bundle_id: e.direction for e in BundleLedger(s).entries()}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("exchange-api")
    dehong, muse = make_pair(root)
    for name, (agency, roles) in USERS.items():
        register(dehong.store, name, agency, roles)
    settings = Settings(data_dir=root / "dh", database_url=dehong.store.url)
    server = ThreadServer(muse, root / "muse")
    client = TestClient(create_app(dehong.store, root / "dh", settings=settings))
    tokens = {}
    for name in USERS:
        r = client.post("/v1/login", json={"username": name, "password": PASSWORD})
        tokens[name] = r.json()["token"]
    try:
        yield World(dehong, muse, client, settings, server.url, tokens)
    finally:
        server.stop()


def _request(w: World) -> str:
    """A new transfer request of Dehong's to Muse, for one person known here."""
    with w.dehong.store.session() as s:
        known = s.scalar(select(func.count()).select_from(WarrantRow.metadata.tables["persons"]))
        pid = PersonRepository(s).add(person(doc=f"5300001955010100{known:02d}")).id or 0
    r = w.client.post("/v1/transfers", headers=w.as_("liaison"),
                      json={"partner": "MM-MUSE", "persons": [pid],
                            "legal_basis": "bilateral agreement 2023"})  # fmt: skip
    assert r.status_code == 201, r.text
    return str(r.json()["reference"])


def test_partners_are_registered_and_listed_by_an_admin(world: World) -> None:
    w = world
    key = w.muse.me.public_key
    r = w.client.post("/v1/exchange/partners", headers=w.as_("admin"),
                      json={"agency": "MM-MUSE", "public_key": key})  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["agency"] == "MM-MUSE" and r.json()["public_key"] == key
    listed = w.client.get("/v1/exchange/partners", headers=w.as_("admin")).json()
    assert {"agency": "MM-MUSE", "public_key": key}.items() <= listed[0].items()
    audit = w.client.get("/v1/audit", headers=w.as_("admin"),
                         params={"why": "test", "subject": "MM-MUSE"}).json()  # fmt: skip
    assert "exchange.partner_key" in str(audit)
    # A liaison officer may send, not decide whom this instance trusts.
    r = w.client.post("/v1/exchange/partners", headers=w.as_("liaison"),
                      json={"agency": "MM-MUSE", "public_key": key})  # fmt: skip
    assert r.status_code == 403
    before = snapshot(w.dehong.store)
    for bad in ({"agency": "MM-MUSE", "public_key": "not a key"},
                {"agency": "XX-NOWHERE", "public_key": key}, {"agency": "MM-MUSE"}):  # fmt: skip
        r = w.client.post("/v1/exchange/partners", headers=w.as_("admin"), json=bad)
        assert 400 <= r.status_code < 500 and r.json()["detail"], bad
    assert snapshot(w.dehong.store) == before
    with w.dehong.store.session() as s:
        assert PartnerKeys(s).get("MM-MUSE") == key


def test_a_request_is_sent_and_lands_in_the_partner_ledger(world: World) -> None:
    w = world
    reference = _request(w)
    r = w.client.post("/v1/exchange/send-request", headers=w.as_("liaison"),
                      json={"reference": reference, "url": w.muse_url})  # fmt: skip
    assert r.status_code == 201, r.text
    bundle, job = r.json()["bundle"], r.json()["delivery"]
    assert bundle["kind"] == "transfer_request" and bundle["handling"] == "H1"
    assert r.headers["location"] == f"/v1/jobs/{job['id']}" and job["kind"] == "exchange-deliver"
    w.run_jobs()
    done = w.job(job["id"])
    assert done["state"] == "succeeded", done
    assert done["result"]["delivered"] == 1
    assert w.muse_ledger()[bundle["bundle_id"]] == "received"
    with w.muse.store.session() as s:
        assert transfers.get(SqlUnitOfWork(s), reference).status == "sent"
    out = w.client.get("/v1/exchange/outbox", headers=w.as_("liaison"),
                       params={"all": True, "limit": 500})  # fmt: skip
    row = next(b for b in out.json()["bundles"] if b["bundle_id"] == bundle["bundle_id"])
    assert row["state"] == "delivered" and row["attempts"] == 1


def test_a_status_answers_the_partner_request(world: World) -> None:
    w = world
    with w.muse.store.session() as s:  # Muse asks Dehong; Dehong receives it
        pid = PersonRepository(s).add(person("周星宇", "Zhou Xingyu", doc="E77")).id or 0
        muse_officer = Actor("muse.officer", "MM-MUSE")
        ref = transfers.create(SqlUnitOfWork(s), muse_officer, "CN-YN-DH", [pid], "MLAT 2023")
        asked = send_request(s, w.muse.me, ref)
    w.dehong.receive(asked)
    r = w.client.post("/v1/exchange/send-status", headers=w.as_("liaison"),
                      json={"reference": ref, "status": "acknowledged", "note": "on it",
                            "url": w.muse_url})  # fmt: skip
    assert r.status_code == 201, r.text
    w.run_jobs()
    assert w.job(r.json()["delivery"]["id"])["state"] == "succeeded"
    with w.muse.store.session() as s:
        assert transfers.get(SqlUnitOfWork(s), ref).status == "acknowledged"
    # Out of order now (acknowledged twice): refused, and nothing changes on either side.
    before = snapshot(w.dehong.store)
    again = {"reference": ref, "status": "acknowledged", "url": w.muse_url}
    r = w.client.post("/v1/exchange/send-status", headers=w.as_("liaison"), json=again)
    assert r.status_code == 422 and "acknowledged" in r.json()["detail"]
    assert snapshot(w.dehong.store) == before


MANIFEST = (
    "batch_id,date,crossing,from_agency,to_agency,seq,name,birth_date,document,nationality\n"
    "H-DH-{n},2023-11-20,Ruili–Muse,CN-YN-DH,MM-MUSE,1,Zhou Xingyu,1999-09-09,,MM\n"
)


def test_a_manifest_is_sent_from_a_csv_body(world: World) -> None:
    w = world
    body = MANIFEST.format(n=1).encode()
    # An investigator may hand over (handovers.write) without transfers.write.
    r = w.client.post("/v1/exchange/send-manifest", headers=w.as_("investigator"),
                      content=body, params={"url": w.muse_url})  # fmt: skip
    assert r.status_code == 201, r.text
    w.run_jobs()
    assert w.job(r.json()["delivery"]["id"])["state"] == "succeeded"
    assert w.muse_ledger()[r.json()["bundle"]["bundle_id"]] == "received"
    with w.muse.store.session() as s:
        assert SqlUnitOfWork(s).handovers.entries("H-DH-1")
    before = snapshot(w.dehong.store)
    bad = MANIFEST.format(n=2).replace("1999-09-09", "1999-13-40").encode()
    r = w.client.post("/v1/exchange/send-manifest", headers=w.as_("investigator"), content=bad)
    assert r.status_code == 422 and r.json()["problems"]
    two = (MANIFEST.format(n=3) + MANIFEST.format(n=4).split("\n", 1)[1]).encode()
    r = w.client.post("/v1/exchange/send-manifest", headers=w.as_("investigator"), content=two)
    assert r.status_code == 422 and "one batch" in r.json()["detail"]
    r = w.client.post("/v1/exchange/send-manifest", headers=w.as_("investigator"),
                      content=b"\xff\xfe not utf-8")  # fmt: skip
    assert r.status_code == 400
    assert snapshot(w.dehong.store) == before


def _warrants(w: World) -> None:
    with w.dehong.store.session() as s:
        held = set(s.scalars(select(WarrantRow.warrant_id)))
        for wid, code in (("W-DH-1", "H1"), ("W-DH-2", "H2"), ("W-DH-3", "H3")):
            if wid not in held:
                s.add(WarrantRow(warrant_id=wid, issued_at=date(2023, 5, 1), agency="CN-YN-DH",
                                 name=f"Wanted {wid[-1]}", handling=code))  # fmt: skip


def test_a_failed_delivery_waits_and_a_resend_job_delivers_it(world: World) -> None:
    w = world
    _warrants(w)
    nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    r = w.client.post("/v1/exchange/send-wanted", headers=w.as_("liaison"),
                      json={"partner": "MM-MUSE", "url": nobody, "attempts": 1})  # fmt: skip
    assert r.status_code == 201, r.text
    bundle = r.json()["bundle"]
    assert bundle["handling"] == "H2"  # the strictest warrant in it; the H3 one stays
    w.run_jobs()
    failed = w.job(r.json()["delivery"]["id"])
    assert failed["state"] == "failed" and "cannot reach" in failed["error"]
    out = w.client.get("/v1/exchange/outbox", headers=w.as_("liaison")).json()
    waiting = next(b for b in out["bundles"] if b["bundle_id"] == bundle["bundle_id"])
    assert waiting["state"] == "pending" and waiting["attempts"] == 1
    assert "cannot reach" in waiting["last_error"] and out["pending"] >= 1
    assert bundle["bundle_id"] not in w.muse_ledger()

    r = w.client.post("/v1/exchange/outbox/resend", headers=w.as_("liaison"),
                      json={"url": w.muse_url, "to": "MM-MUSE", "attempts": 1})  # fmt: skip
    assert r.status_code == 202, r.text
    w.run_jobs()
    assert w.job(r.json()["id"])["state"] == "succeeded"
    assert w.muse_ledger()[bundle["bundle_id"]] == "received"
    assert w.client.get("/v1/exchange/outbox", headers=w.as_("liaison")).json()["pending"] == 0
    with w.muse.store.session() as s:
        held = dict(s.execute(select(WarrantRow.warrant_id, WarrantRow.handling)).all())
    assert held["W-DH-1"] == "H2" and held["W-DH-2"] == "H2" and "W-DH-3" not in held

    # The bundle as signed, to carry by hand: an audited export (say why).
    r = w.client.get(f"/v1/exchange/outbox/{bundle['bundle_id']}", headers=w.as_("liaison"),
                     params={"why": "air-gapped link to Muse"})  # fmt: skip
    assert r.status_code == 200 and r.json()["signature"] and r.json()["handling"] == "H2"


def test_an_h3_warrant_named_is_refused_and_nothing_is_sent(world: World) -> None:
    w = world
    _warrants(w)
    before = snapshot(w.dehong.store)
    r = w.client.post("/v1/exchange/send-wanted", headers=w.as_("liaison"),
                      json={"partner": "MM-MUSE", "warrants": ["W-DH-1", "W-DH-3"]})  # fmt: skip
    assert r.status_code == 422 and "W-DH-3 is H3" in r.json()["detail"]
    assert snapshot(w.dehong.store) == before


def test_wrong_role_other_agency_and_bad_input_change_nothing(world: World) -> None:
    w = world
    queued = w.client.post("/v1/exchange/send-request", headers=w.as_("liaison"),
                           json={"reference": _request(w)})  # no url: it waits  # fmt: skip
    assert queued.status_code == 201 and queued.json()["delivery"] is None
    some = queued.json()["bundle"]["bundle_id"]
    first = w.client.get("/v1/exchange/outbox", headers=w.as_("liaison"),
                         params={"all": True, "limit": 1}).json()  # fmt: skip
    assert len(first["bundles"]) == 1 and first["total"] >= 1 and first["limit"] == 1
    reference = _request(w)
    before = snapshot(w.dehong.store)
    send = {"reference": reference, "url": w.muse_url}
    for user, path, body in (
        ("viewer", "/v1/exchange/send-request", send),
        ("investigator", "/v1/exchange/send-request", send),  # no transfers.write
        ("investigator", "/v1/exchange/send-wanted", {"partner": "MM-MUSE"}),
        ("investigator", "/v1/exchange/outbox/resend", {}),
        ("liaison", "/v1/exchange/partners", {"agency": "MM-MUSE", "public_key": "x"}),
    ):
        r = w.client.post(path, headers=w.as_(user), json=body)
        assert r.status_code == 403, (user, path, r.text)
    assert w.client.get("/v1/exchange/outbox", headers=w.as_("viewer")).status_code == 403

    # Lincang's officer holds the permissions but not Dehong's exchange: not found.
    r = w.client.post("/v1/exchange/send-request", headers=w.as_("lc.liaison"), json=send)
    assert r.status_code == 404
    r = w.client.post("/v1/exchange/send-wanted", headers=w.as_("lc.liaison"),
                      json={"partner": "MM-MUSE"})  # fmt: skip
    assert r.status_code == 404
    assert w.client.get("/v1/exchange/outbox", headers=w.as_("lc.liaison"),
                        params={"all": True}).json()["total"] == 0  # fmt: skip
    r = w.client.get(f"/v1/exchange/outbox/{some}", headers=w.as_("lc.liaison"),
                     params={"why": "curious"})  # fmt: skip
    assert r.status_code == 404
    r = w.client.post("/v1/exchange/outbox/resend", headers=w.as_("lc.liaison"),
                      json={"bundles": [some]})  # fmt: skip
    assert r.status_code == 404

    for body in (
        {"reference": "TR-NO-SUCH", "url": w.muse_url},  # 404
        {"reference": reference, "url": "ftp://muse.example"},  # 422
        {"reference": reference, "attempts": 0},
        {"reference": reference, "extra": 1},
        {"reference": ""},
    ):
        r = w.client.post("/v1/exchange/send-request", headers=w.as_("liaison"), json=body)
        assert r.status_code in (404, 422), (body, r.text)
    r = w.client.post("/v1/exchange/send-wanted", headers=w.as_("liaison"),
                      json={"partner": "MM-LAUKKAI"})  # no key registered  # fmt: skip
    assert r.status_code == 422 and "not a registered partner" in r.json()["detail"]
    r = w.client.post("/v1/exchange/outbox/resend", headers=w.as_("liaison"),
                      json={"bundles": ["no-such-bundle"]})  # fmt: skip
    assert r.status_code == 404
    r = w.client.get("/v1/exchange/outbox/no-such", headers=w.as_("liaison"),
                     params={"why": "x"})  # fmt: skip
    assert r.status_code == 404
    assert snapshot(w.dehong.store) == before
