"""Jobs over HTTP, run by the server's worker thread on a copy of the tiny demo world:
the result is what the CLI gives for the same input; failures, refusals, scoping,
upload limits and the interrupted-on-restart rule.

The app here runs its worker (``run_jobs=True``, as ``scamnet serve`` does); each test
waits for the queue to drain (`JobWorker.drain`), never for a wall-clock time.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner

from scamnet.api.app import create_app
from scamnet.cli.main import app as cli
from scamnet.settings import Settings
from scamnet.store import Store
from scamnet.store.jobs import JobRepository
from scamnet.store.tables.jobs import JobRow
from tests.api.conftest import USERS
from tests.support.users import PASSWORD, register

CALLS = (
    "caller,callee,start,duration_s\n"
    "+8613800138000,+8613900139000,2026-01-05T10:00:00Z,42\n"
    "+8613800138000,+8613900139001,2026-01-05T10:05:00Z,7\n"
    "not-a-number,+8613900139001,2026-01-05T10:06:00Z,7\n"
    "+8613800138000,+8613900139002,yesterday,7\n"
)
DRAIN_S = 600.0  # a hang guard only: drain returns as soon as the queue is empty


@dataclass
class Served:
    client: TestClient
    store: Store
    root: Path
    tokens: dict[str, str]

    def as_(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def run(self, response: Any) -> dict[str, Any]:
        """The job a 202 answer names, after the worker has run the queue."""
        assert response.status_code == 202, response.text
        location = response.headers["Location"]
        assert location == f"/v1/jobs/{response.json()['id']}"
        assert self.client.app.state.jobs.drain(DRAIN_S)  # type: ignore[attr-defined]
        job = self.client.get(location, headers=self.as_("admin"))
        assert job.status_code == 200, job.text
        return job.json()  # type: ignore[no-any-return]


def _settings(root: Path) -> Settings:
    return replace(Settings.from_env(root), check_cache_s=0)


@pytest.fixture(scope="module")
def served(_pristine_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("jobs") / "demo"
    shutil.copytree(_pristine_demo, root)
    settings = _settings(root)
    store = Store(settings.database_url)
    for name, (agency, roles) in USERS.items():
        register(store, name, agency, roles)
    with TestClient(create_app(store, root, settings=settings, run_jobs=True)) as client:
        tokens = {}
        for name in USERS:
            r = client.post("/v1/login", json={"username": name, "password": PASSWORD})
            tokens[name] = r.json()["token"]
        yield Served(client, store, root, tokens)
    store.dispose()


def _cli_json(*args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--json"], env={"COLUMNS": "250"})
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_an_ingest_job_gives_what_the_cli_gives(served: Served, demo_world: Path) -> None:
    r = served.client.post("/v1/jobs/ingest?records=calls&filename=calls-jan.csv",
                           content=CALLS.encode(), headers=served.as_("analyst"))  # fmt: skip
    submitted = r.json()
    assert submitted["state"] == "queued" and submitted["user"] == "analyst"
    job = served.run(r)
    assert job["state"] == "succeeded", job
    assert job["started_at"] and job["finished_at"] and job["progress"] == 1.0
    assert job["agency"] == "CN-YN-DH" and job["params"]["records"] == "calls"
    # The same file taken in by the CLI, in an identical copy of the world.
    source = demo_world / "calls-jan.csv"
    source.write_text(CALLS, encoding="utf-8")
    register(demo_world)
    expected = _cli_json("ingest", "calls", str(source), "--data-dir", str(demo_world))
    assert job["result"] == expected
    assert expected["total"]["stored"] == 2 and expected["total"]["rejected"] == 2
    # The upload was spooled under the data directory's scratch space, and is gone.
    assert not any((_settings(served.root).tmp_dir / "jobs").glob(f"{job['id']}*"))


def test_a_lake_check_job_gives_what_the_cli_gives(served: Served) -> None:
    job = served.run(served.client.post("/v1/jobs/lake-check", json={"repair": False},
                                        headers=served.as_("liaison")))  # fmt: skip
    assert job["state"] == "succeeded"
    assert job["result"] == _cli_json("lake", "check", "--data-dir", str(served.root))
    assert {k["kind"] for k in job["result"]["kinds"]} >= {"calls", "messages", "transfers"}


def test_a_failed_job_records_its_error_in_one_line(served: Served) -> None:
    r = served.client.post("/v1/jobs/ingest?records=calls&filename=calls.parquet",
                           content=b"this is not parquet\nat all\n",
                           headers=served.as_("analyst"))  # fmt: skip
    job = served.run(r)
    assert job["state"] == "failed" and job["result"] is None
    assert job["error"].startswith("calls.parquet: ") and "\n" not in job["error"]
    assert "jobs/" not in job["error"]  # no server path
    bad_window = served.client.post("/v1/jobs/detect", headers=served.as_("analyst"),
                                    json={"kind": "url", "from": "2026-02-02",
                                          "to": "2026-02-01"})  # fmt: skip
    assert bad_window.status_code == 422


def test_a_client_cannot_name_a_server_path(served: Served) -> None:
    r = served.client.post("/v1/jobs/ingest?records=calls&filename=../../../etc/x.csv",
                           content=CALLS.encode(), headers=served.as_("analyst"))  # fmt: skip
    assert r.json()["params"]["filename"] == "x.csv"
    job = served.run(r)
    assert job["result"]["files"][0]["file"] == "x.csv"
    assert not (served.root.parent / "etc").exists()
    refused = served.client.post("/v1/jobs/ingest?records=calls&filename=..",
                                 content=b"x", headers=served.as_("analyst"))  # fmt: skip
    assert refused.status_code == 422


def test_an_upload_too_large_is_refused_with_413(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCAMNET_UPLOAD_MAX_BYTES", "100")
    before = served.client.get("/v1/jobs?limit=500", headers=served.as_("admin")).json()["total"]
    declared = served.client.post("/v1/jobs/ingest?records=calls", content=b"x" * 101,
                                  headers=served.as_("analyst"))  # fmt: skip
    assert declared.status_code == 413 and "100 bytes" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while spooled
        for _ in range(10):
            yield b"y" * 30

    streamed = served.client.post("/v1/jobs/ingest?records=calls", content=chunks(),
                                  headers=served.as_("analyst"))  # fmt: skip
    assert streamed.status_code == 413
    after = served.client.get("/v1/jobs?limit=500", headers=served.as_("admin")).json()["total"]
    assert after == before  # no job queued
    assert not any((_settings(served.root).tmp_dir / "jobs").iterdir())  # nothing kept


def test_roles_without_the_permission_are_refused(served: Served) -> None:
    c = served.client
    assert c.post("/v1/jobs/ingest?records=calls", content=CALLS.encode(),
                  headers=served.as_("viewer")).status_code == 403  # fmt: skip
    window = {"kind": "subscriber", "from": "2026-01-01", "to": "2026-01-02"}
    assert c.post("/v1/jobs/detect", json=window, headers=served.as_("liaison")).status_code == 403
    assert c.post("/v1/jobs/resolve", headers=served.as_("liaison")).status_code == 403
    assert c.get("/v1/jobs", headers=served.as_("viewer")).status_code == 403
    assert c.post("/v1/jobs/network").status_code == 401


def test_another_agency_cannot_see_the_job(served: Served) -> None:
    r = served.client.post("/v1/jobs/lake-check", json={}, headers=served.as_("analyst"))
    job_id = r.json()["id"]
    other = served.client.get(f"/v1/jobs/{job_id}", headers=served.as_("lc.investigator"))
    assert other.status_code == 404
    theirs = served.client.get("/v1/jobs?limit=500", headers=served.as_("lc.investigator"))
    assert job_id not in {j["id"] for j in theirs.json()["items"]}
    ours = served.client.get("/v1/jobs?limit=500", headers=served.as_("investigator"))
    assert job_id in {j["id"] for j in ours.json()["items"]}
    admin = served.client.get(f"/v1/jobs/{job_id}", headers=served.as_("admin"))
    assert admin.status_code == 200 and admin.json()["user"] == "analyst"
    served.run(r)


def test_a_job_left_running_is_interrupted_when_the_server_starts(demo_world: Path) -> None:
    root = demo_world
    settings = _settings(root)
    store = Store(settings.database_url)
    register(store, "analyst", "CN-YN-DH", USERS["analyst"][1])
    with store.session() as s:  # a server was killed while this job ran
        JobRepository(s).add("e" * 32, "lake-check", {"repair": False}, "analyst", "CN-YN-DH")
    with store.session() as s:
        assert JobRepository(s).claim_next() is not None
        # Its server has been silent for longer than a live one ever is.
        s.execute(update(JobRow).values(heartbeat_at=datetime.now(UTC) - timedelta(minutes=5)))
    with TestClient(create_app(store, root, settings=settings, run_jobs=True)) as client:
        token = client.post("/v1/login", json={"username": "analyst", "password": PASSWORD})
        job = client.get(f"/v1/jobs/{'e' * 32}",
                         headers={"Authorization": f"Bearer {token.json()['token']}"})  # fmt: skip
    store.dispose()
    assert job.json()["state"] == "interrupted"
    assert "stopped" in job.json()["error"]


def _url_rows() -> str:
    benign = [f"https://www.{w}.{t}/{p}" for w in ("wikipedia", "bbc", "python", "github")
              for t in ("org", "com", "cn") for p in ("", "news/", "a/b")]  # fmt: skip
    phish = [f"http://{b}-{w}{i}.{t}/login.php" for i, b in enumerate(("paypal", "icbc", "apple"))
             for w in ("verify", "login") for t in ("top", "xyz", "vip")]  # fmt: skip
    lines = [f"{u},benign" for u in benign] + [f"{u},phishing" for u in phish]
    return "url,label\n" + "\n".join(lines) + "\n"


def test_a_trained_model_joins_the_registry_and_detects(served: Served) -> None:
    r = served.client.post("/v1/jobs/model-train?kind=url&label_column=label&filename=u.csv",
                           content=_url_rows().encode(), headers=served.as_("analyst"))  # fmt: skip
    job = served.run(r)
    assert job["state"] == "succeeded", job
    assert job["result"]["kind"] == "url" and job["result"]["promoted"] is True
    assert job["result"]["path"].startswith("models/url/")  # relative: no server path
    models = served.client.get("/v1/models", headers=served.as_("analyst")).json()
    assert any(m["kind"] == "url" and m["champion"] for m in models)
    window = {"kind": "url", "from": "2023-10-01", "to": "2023-10-14", "top": 3}
    job = served.run(served.client.post("/v1/jobs/detect", json=window,
                                        headers=served.as_("analyst")))  # fmt: skip
    assert job["state"] == "succeeded", job
    assert job["result"]["window"] == "2023-10-01/2023-10-14"
    assert job["result"]["stored"] >= len(job["result"]["top"]) > 0
    listed = served.client.get("/v1/jobs?kind=detect&state=succeeded",
                               headers=served.as_("analyst")).json()  # fmt: skip
    assert job["id"] in {j["id"] for j in listed["items"]}


def test_evaluate_and_score_jobs_give_what_the_cli_gives(served: Served, tmp_path: Path) -> None:
    rows = _url_rows()
    q = "kind=url&label_column=label&folds=3&filename=u.csv"
    job = served.run(served.client.post(f"/v1/jobs/model-evaluate?{q}", content=rows.encode(),
                                        headers=served.as_("analyst")))  # fmt: skip
    assert job["state"] == "succeeded", job
    source = tmp_path / "u.csv"
    source.write_text(rows, encoding="utf-8")
    cli_args = ["model", "evaluate", "url", "--input", str(source), "--label-column", "label",
                "--folds", "3"]  # fmt: skip
    assert job["result"] == _cli_json(*cli_args)
    # Scoring needs the url champion: the training job of another test may not have run.
    h = served.as_("analyst")
    train = "/v1/jobs/model-train?kind=url&label_column=label"
    served.run(served.client.post(train, content=rows.encode(), headers=h))
    score = "/v1/jobs/model-score?kind=url&filename=u.csv"
    job = served.run(served.client.post(score, content=rows.encode(), headers=h))
    assert job["state"] == "succeeded", job
    assert job["result"]["rows"] == rows.count("\n") - 1
    assert len(job["result"]["predictions"]["score"]) == job["result"]["rows"]
    assert 0 < job["result"]["flagged"] < job["result"]["rows"]


def test_watch_list_and_press_jobs(served: Served) -> None:
    watch = "kind,identifier,fraud_type\ntel,+8613800138077,impersonate_authority\n"
    url = "/v1/jobs/stream-watch?source=partner-mm"
    job = served.run(served.client.post(url, content=watch.encode(), headers=served.as_("liaison")))
    assert job["state"] == "succeeded", job
    assert job["result"]["added"] + job["result"]["already_listed"] == 1
    press = ("date,event,place,giving_side,receiving_side,persons,of_which_fugitives,"
             "cumulative_reported,of_which_key_figures,source\n"
             "2023-11-18,handover of telecom-fraud suspects,Muse (Dehong border),"
             "Muse authorities (Myanmar),Dehong public security,3,,,,test\n")  # fmt: skip
    job = served.run(served.client.post("/v1/jobs/report-press", content=press.encode(),
                                        headers=served.as_("liaison")))  # fmt: skip
    assert job["state"] == "succeeded", job
    assert job["result"]["batches"] == 1
    assert served.client.post("/v1/jobs/report-press", content=press.encode(),
                              headers=served.as_("analyst")).status_code == 403  # fmt: skip


def test_the_rejected_rows_read_as_the_cli_lists_them(served: Served) -> None:
    h = served.as_("analyst")
    rows = CALLS + "+8613800138000,+8613900139009,2026-01-05T10:06:00Z,minutes\n"  # new content
    url = "/v1/jobs/ingest?records=calls&filename=rejects.csv"
    assert served.run(served.client.post(url, content=rows.encode(), headers=h))["state"] == (
        "succeeded"
    )
    assert served.client.get("/v1/rejects", headers=h).status_code == 400  # why is required
    page = served.client.get("/v1/rejects?kind=calls&file=rejects.csv&why=QA", headers=h).json()
    args = ["ingest", "rejects", "--kind", "calls", "--file", "rejects.csv", "--data-dir",
            str(served.root)]  # fmt: skip
    expected = _cli_json(*args)
    assert page["total"] == expected["total"] == 3
    assert page["by_reason"] == expected["by_reason"] and page["rows"] == expected["rows"]


def test_an_import_job_takes_a_stix_bundle_in(served: Served, tmp_path: Path) -> None:
    from tests.interop.test_indicators import _bundle

    body = _bundle(tmp_path).read_bytes()
    url = "/v1/jobs/import-stix?filename=cert.json"
    job = served.run(served.client.post(url, content=body, headers=served.as_("liaison")))
    assert job["state"] == "succeeded", job
    assert (job["result"]["added"], job["result"]["already"]) == (3, 0)
    assert len(job["result"]["skipped"]) == 2
    again = served.run(served.client.post(url, content=body, headers=served.as_("liaison")))
    assert again["result"]["added"] == 0  # the same bundle again adds nothing


def test_an_export_job_writes_what_the_cli_writes(served: Served, tmp_path: Path) -> None:
    h = served.as_("supervisor")
    body = {"format": "groups", "list_format": "json", "handling": "H2"}
    job = served.run(served.client.post("/v1/jobs/export", json=body, headers=h))
    assert job["state"] == "succeeded", job
    assert job["result"]["files"] == ["export.json"] and "paths" not in job["result"]
    url = f"/v1/jobs/{job['id']}/files/export.json"
    assert served.client.get(url, headers=h).status_code == 400  # say why
    got = served.client.get(f"{url}?why=OP-2023-11", headers=h)
    assert got.status_code == 200
    out = tmp_path / "groups.json"
    args = ["export", "groups", "--out", str(out), "--format", "json", "--handling", "H2"]
    result = CliRunner().invoke(cli, [*args, "--data-dir", str(served.root)])
    assert result.exit_code == 0, result.output
    assert json.loads(got.content) == json.loads(out.read_text(encoding="utf-8"))
    for bad in ("..%2Fscamnet.db", "scamnet.db", "export.jsonl"):
        r = served.client.get(f"/v1/jobs/{job['id']}/files/{bad}?why=x", headers=h)
        assert r.status_code == 404, bad
    other = served.client.get(f"{url}?why=x", headers=served.as_("lc.investigator"))
    assert other.status_code == 404
    assert served.client.post("/v1/jobs/export", json=body,
                              headers=served.as_("analyst")).status_code == 403  # fmt: skip
    chart = served.client.post("/v1/jobs/export", json={"format": "i2"}, headers=h)
    assert chart.status_code == 422  # a chart is of one group


def test_an_export_past_its_retention_is_gone(served: Served) -> None:
    from scamnet.jobs.retention import sweep

    h = served.as_("supervisor")
    body = {"format": "groups", "list_format": "csv", "handling": "H1"}
    job = served.run(served.client.post("/v1/jobs/export", json=body, headers=h))
    url = f"/v1/jobs/{job['id']}/files/{job['result']['files'][0]}?why=OP-2023-11"
    assert served.client.get(url, headers=h).status_code == 200
    settings = _settings(served.root)
    # The worker's sweep, as it runs at each poll, with the clock a retention later.
    later = datetime.now(UTC) + timedelta(days=settings.job_files_days, hours=1)
    assert job["id"] in [e.job_id for e in sweep(settings, served.store, later)]
    gone = served.client.get(url, headers=h)
    assert gone.status_code == 410
    assert "deleted" in gone.json()["detail"] and "SCAMNET_JOB_FILES_DAYS" in gone.json()["detail"]
    noted = served.client.get(f"/v1/jobs/{job['id']}", headers=h).json()
    assert noted["result"]["files_expired_at"] == later.isoformat()
    # Another agency's user is still told nothing about it.
    other = served.client.get(url, headers=served.as_("lc.investigator"))
    assert other.status_code == 404
