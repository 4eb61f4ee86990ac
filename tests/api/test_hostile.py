"""Hostile input: injection, oversized and deeply nested bodies, bad encodings. Each
gets a clear 4xx, and stored data is unchanged."""

from __future__ import annotations

from sqlalchemy import text

from tests.api.conftest import Api

TABLES = ("cases", "suspects", "persons", "victim_reports", "users", "handover_batches")


def _counts(api: Api) -> dict[str, int]:
    with api.store.session() as s:
        return {t: int(s.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()) for t in TABLES}


def test_hostile_requests_get_a_4xx_and_change_nothing(api: Api) -> None:
    admin = api.as_("admin")
    before = _counts(api)
    attempts = [
        api.client.get("/v1/cases/' OR 1=1 --", params={"why": "x"}, headers=admin),
        api.client.post("/v1/login", json={"username": "admin' --", "password": "x"}),
        api.client.post("/v1/cases", json={"title": "x", "origin": "group",
                                           "ref": "1; DROP TABLE cases"}, headers=admin),
        api.client.post("/v1/cases", content=b"[" * 100_000 + b"]" * 100_000,
                        headers={**admin, "content-type": "application/json"}),
        api.client.post("/v1/cases", content=b'{"title": "' + b"x" * 2_000_000 + b'"}',
                        headers={**admin, "content-type": "application/json"}),
        api.client.post("/v1/cases", content=b'{"title": "\xff\xfe"}',
                        headers={**admin, "content-type": "application/json"}),
        api.client.post("/v1/handovers", content=b"batch_id,date\n\xff\xfe\n",
                        headers={**admin, "content-type": "text/csv"}),
        api.client.post("/v1/handovers", content=b"x" * (3 * 1024 * 1024),
                        headers={**admin, "content-type": "text/csv"}),
        api.client.get("/v1/alerts", params={"limit": 10**9}, headers=admin),
        api.client.get("/v1/alerts", params={"sort": "score; DROP TABLE alerts"}, headers=admin),
        api.client.post("/v1/reports", json={"fraud_type": "romance", "scammer_phone": "+86",
                                             "narrative": "<script>alert(1)</script>" * 500}),
    ]  # fmt: skip
    statuses = [r.status_code for r in attempts]
    assert all(400 <= s < 500 for s in statuses), statuses
    assert 413 in statuses and statuses[3] == 422
    assert all(r.json().get("detail") for r in attempts)
    assert _counts(api) == before
    # A quote in a filter is a value, not SQL: it matches nothing.
    r = api.client.get("/v1/audit", params={"subject": "x' OR '1'='1"}, headers=admin)
    assert r.status_code == 200 and r.json() == []


def test_a_manifest_upload_is_all_or_nothing_with_every_bad_line(api: Api) -> None:
    lines = ["batch_id,date,crossing,from_agency,to_agency,seq,name,birth_date"]
    lines += [f"UP-1,2023-11-18,Muse,MM-MUSE,CN-YN-DH,{i},Person {i},1990-01-01"
              for i in range(1, 13)]  # fmt: skip
    lines[3] = lines[3].replace("1990-01-01", "1990-13-01")
    lines[9] = lines[9].replace("Person 9", "")
    before = _counts(api)
    csv = {**api.as_("investigator"), "content-type": "text/csv"}
    r = api.client.post("/v1/handovers", content="\n".join(lines).encode(), headers=csv)
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert [p.split(":")[0] for p in problems] == ["line 4", "line 10"]
    assert _counts(api) == before
    lines[3] = lines[3].replace("1990-13-01", "1990-12-01")
    lines[9] = lines[9].replace(",,", ",Person 9,")
    r = api.client.post("/v1/handovers", content="\n".join(lines).encode(), headers=csv)
    assert r.status_code == 201, r.text
    assert _counts(api)["handover_batches"] == before["handover_batches"] + 1
