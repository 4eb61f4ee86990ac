"""``POST /v1/records/{kind}``: the file pipeline's validation, exactly once, small lake
commits, 429 under a flood, and the dissuasion queue it feeds (API and audit)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient

from scamnet.api.app import create_app
from scamnet.core.access import Actor
from scamnet.lake import RecordKind, RecordLake
from scamnet.report.bulletin import Lang, compose
from scamnet.report.statistics import totals
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.audit import AuditLog
from scamnet.stream.service import add_watch_list
from tests.support.users import PASSWORD

SCAMMER = "+959441394426"  # a Myanmar number, as the compounds' lines are
VICTIM = "+8617769042329"


def call(caller: str, callee: str, start: str, duration: int = 65) -> dict[str, object]:
    return {"caller": caller, "callee": callee, "start": start, "duration_s": duration,
            "imei": None, "cell_id": None}  # fmt: skip


def ndjson(rows: list[object]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


class Client:
    def __init__(self, root: Path) -> None:
        self.settings = Settings.from_env(root)
        self.store = Store(self.settings.database_url)
        self.http = TestClient(create_app(self.store, root, settings=self.settings))
        self.tokens: dict[str, str] = {}

    def as_(self, user: str) -> dict[str, str]:
        if user not in self.tokens:
            r = self.http.post("/v1/login", json={"username": user, "password": PASSWORD})
            assert r.status_code == 200, r.text
            self.tokens[user] = r.json()["token"]
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def push(self, kind: str, body: bytes, user: str = "tester") -> Any:
        headers = {**self.as_(user), "Content-Type": "application/x-ndjson"}
        return self.http.post(f"/v1/records/{kind}", content=body, headers=headers)


@pytest.fixture
def api(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    monkeypatch.setenv("SCAMNET_PUSH_RATE", "100000")
    client = Client(fresh)
    yield client
    intake = getattr(client.http.app.state, "push_intake", None)  # type: ignore[attr-defined]
    if intake is not None:
        intake.close()
    client.store.dispose()


def lake_calls(settings: Settings) -> list[tuple[str, str, object]]:
    files = RecordLake(settings.lake_dir).files(RecordKind.CALLS)
    if not files:
        return []
    paths = ", ".join(f"'{f}'" for f in files)
    return duckdb.execute(f"SELECT caller, callee, start FROM read_parquet([{paths}]) "
                      "ORDER BY ALL").fetchall()  # fmt: skip


def test_a_batch_is_validated_like_a_file_and_bad_lines_are_rejected_with_their_line(
    api: Client,
) -> None:
    last = ndjson([call("+8613800138000", "+8613600136000", "2023-10-01T08:33:00Z")])
    body = ndjson([
        call("+8613800138000", "+8613900139000", "2023-10-01T08:30:15Z"),
        call("not a number", "+8613900139000", "2023-10-01T08:31:00Z"),
        call("+8613800138000", "+8613700137000", "2023-10-01T08:32:00Z", -5),
    ]) + b"{not json\n" + last  # fmt: skip
    r = api.push("calls", body)
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["read"], got["stored"], got["already_stored"], got["rejected"]) == (5, 2, 0, 3)
    lines = {x["line"]: x["reason"] for x in got["rejected_lines"]}
    assert sorted(lines) == [2, 3, 4]
    assert "caller" in lines[2] and "duration_s" in lines[3]
    assert len(lake_calls(api.settings)) == 2
    # One small commit per batch, and the rejects kept with the batch's label.
    rejects = list((api.settings.rejects_dir / "calls").glob("*.parquet"))
    assert len(rejects) == 1


def test_a_batch_whose_every_line_is_rejected_is_answered_with_its_rejects(
    api: Client,
) -> None:
    # No valid row reaches the lake; the intake's connection is then asked for the rows
    # stored (none). DuckDB 2 refused that read after the row count's open result.
    for minute in (31, 41):  # and the intake takes the next batch in as usual
        body = ndjson([
            call("not a number", "+8613900139000", f"2023-10-01T08:{minute}:00Z"),
            call("+8613800138000", "+8613700137000", f"2023-10-01T08:{minute}:30Z", -5),
        ])  # fmt: skip
        r = api.push("calls", body)
        assert r.status_code == 200, r.text
        got = r.json()
        assert (got["read"], got["stored"], got["rejected"]) == (2, 0, 2)
        good = call("+8613800138000", "+8613900139000", f"2023-10-01T08:{minute + 1}:00Z")
        r = api.push("calls", ndjson([good]))
        assert r.status_code == 200, r.text
        assert r.json()["stored"] == 1
    assert len(lake_calls(api.settings)) == 2


def test_a_batch_or_a_record_sent_twice_is_stored_once(api: Client) -> None:
    first = ndjson([call("+8613800138000", "+8613900139000", f"2023-10-01T08:3{i}:00Z")
                    for i in range(5)])  # fmt: skip
    assert api.push("calls", first).json()["stored"] == 5
    again = api.push("calls", first).json()
    assert again["same_content_already_received"] and again["stored"] == 0
    overlap = ndjson([call("+8613800138000", "+8613900139000", f"2023-10-01T08:3{i}:00Z")
                      for i in range(3, 8)])  # fmt: skip
    got = api.push("calls", overlap).json()
    assert (got["stored"], got["already_stored"]) == (3, 2)
    rows = lake_calls(api.settings)
    assert len(rows) == 8 == len(set(rows))


def test_a_batch_that_cannot_be_read_whole_is_refused_and_nothing_is_stored(
    api: Client,
) -> None:
    r = api.push("calls", b'{"caller": "+8613800138000", "callee": "\xff\xfe"}\n')
    assert r.status_code == 422 and "UTF-8" in r.json()["detail"]
    assert api.push("calls", b"  \n").status_code == 422
    assert api.push("persons", ndjson([{"record_id": "1"}])).status_code == 422
    refused = api.push("transfers", ndjson([{"caller": "+8613800138000"}]))
    assert refused.status_code == 422 and refused.json()["detail"].startswith("the batch: ")
    assert lake_calls(api.settings) == []


def test_pushing_needs_records_push(api: Client) -> None:
    body = ndjson([call("+8613800138000", "+8613900139000", "2023-10-01T08:30:15Z")])
    assert api.push("calls", body, user="viewer").status_code == 403
    assert api.http.post("/v1/records/calls", content=body).status_code == 401
    assert lake_calls(api.settings) == []


def test_a_flood_is_answered_429_with_retry_after_and_nothing_is_dropped_silently(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two batches per provider in a window of an hour: the third is refused, whatever
    # the machine's speed.
    monkeypatch.setenv("SCAMNET_PUSH_RATE", "2")
    monkeypatch.setenv("SCAMNET_PUSH_WINDOW_S", "3600")
    client = Client(fresh)
    try:
        answers = []
        for i in range(5):
            body = ndjson([call("+8613800138000", "+8613900139000", f"2023-10-01T09:0{i}:00Z")])
            answers.append(client.push("calls", body))
        codes = [a.status_code for a in answers]
        assert codes == [200, 200, 429, 429, 429]
        assert all(int(a.headers["Retry-After"]) >= 1 for a in answers[2:])
        # What was accepted is stored; what was refused is not, and the sender was told.
        assert len(lake_calls(client.settings)) == 2
    finally:
        client.store.dispose()


def _watch(api: Client, tmp_path: Path) -> None:
    listed = tmp_path / "partner.csv"
    listed.write_text(f"kind,identifier,fraud_type\ntel,{SCAMMER},impersonate_authority\n")
    tester = Actor("tester", "CN-YN-DH", frozenset({"admin"}))  # type: ignore[arg-type]
    assert add_watch_list(api.store, tester, listed, "partner-mm") == (1, 0)


def test_a_call_from_a_watched_number_queues_the_person_called_with_advice(
    api: Client, tmp_path: Path
) -> None:
    _watch(api, tmp_path)
    body = ndjson([call(SCAMMER, VICTIM, "2023-10-02T13:00:00Z"),
                   call("+8613800138000", "+8613900139000", "2023-10-02T13:00:05Z")])  # fmt: skip
    got = api.push("calls", body).json()
    assert got["queued"] == 1
    # The scammer calls back: the same item, now more urgent; a redelivery counts nothing.
    again = ndjson([call(SCAMMER, VICTIM, "2023-10-02T13:05:00Z")])
    assert api.push("calls", again).json()["queued"] == 0
    assert api.push("calls", again).json()["same_content_already_received"]
    headers = api.as_("tester")
    assert api.http.get("/v1/dissuasion", headers=headers).status_code == 400  # why?
    r = api.http.get("/v1/dissuasion", params={"why": "dissuasion duty"}, headers=headers)
    assert r.status_code == 200, r.text
    (item,) = r.json()["items"]
    assert (item["victim"], item["contact"], item["channel"]) == (VICTIM, SCAMMER, "call")
    assert item["contacts"] == 2 and item["fraud_type"] == "impersonate_authority"
    assert "partner-mm" in item["reason"] and "110" in item["advice"]
    assert item["risk"] >= 0.9 and item["queued_at"] >= item["arrived_at"]
    # Another bureau does not see it.
    other = api.http.get("/v1/dissuasion", params={"why": "duty"}, headers=api.as_("lc.officer"))
    assert other.json()["total"] == 0
    item_path = f"/v1/dissuasion/{item['id']}"
    assert api.http.get(item_path, params={"why": "x"},
                        headers=api.as_("lc.officer")).status_code == 404  # fmt: skip


def test_officers_take_items_record_outcomes_and_every_access_is_audited(
    api: Client, tmp_path: Path
) -> None:
    _watch(api, tmp_path)
    api.push("calls", ndjson([call(SCAMMER, VICTIM, "2023-10-02T13:00:00Z")]))
    headers = api.as_("tester")
    items = api.http.get("/v1/dissuasion", params={"why": "duty"}, headers=headers).json()
    item_id = items["items"][0]["id"]
    base = f"/v1/dissuasion/{item_id}"
    early = api.http.post(f"{base}/outcome", json={"outcome": "warned"}, headers=headers)
    assert early.status_code == 422  # take it first
    assert api.http.post(f"{base}/take", headers=headers).json()["status"] == "taken"
    assert api.http.post(f"{base}/take", headers=api.as_("lc.officer")).status_code == 404
    done = api.http.post(f"{base}/outcome", headers=headers,
                         json={"outcome": "money_stopped", "prevented": "52000.00"})  # fmt: skip
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["prevented"]) == ("closed", "52000.00")
    closed = api.http.get("/v1/dissuasion", params={"why": "duty", "status": "closed"},
                          headers=headers).json()  # fmt: skip
    assert closed["total"] == 1
    with api.store.session() as session:
        actions = [e.action for e in AuditLog(session).entries()]
        counted = totals(session)
    # The statistics count it, and the bulletin says what was prevented.
    assert (counted.warned, counted.money_stopped, counted.prevented) == (1, 1, Decimal("52000"))
    text = " ".join(compose(counted, datetime.now(UTC), Lang.EN).paragraphs)
    assert "People warned in time of a scam under way: 1" in text and "52,000" in text
    for action in ("records.push", "watchlist.add", "dissuasion.list", "dissuasion.take",
                   "dissuasion.outcome"):  # fmt: skip
        assert action in actions
