"""The citizens' check and report: public knowledge only, validated, rate-limited."""

from __future__ import annotations

from typing import Any

from scamnet.network.service import seeds_from
from scamnet.store.seeds import SqlNetworkInputs
from tests.api.conftest import Api


def _alert_subject(api: Api, kind: str) -> tuple[int, str]:
    page = api.client.get("/v1/alerts", params={"kind": kind, "status": "open", "limit": 1},
                          headers=api.as_("analyst")).json()  # fmt: skip
    alert = page["alerts"][0]
    return int(alert["id"]), str(alert["subject"])


def _check(api: Api, kind: str, value: str) -> dict[str, Any]:
    r = api.client.get(f"/v1/check/{kind}/{value}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    body.pop("value")
    return body


def test_the_check_cannot_tell_an_investigated_number_from_an_unknown_one(api: Api) -> None:
    alert_id, phone = _alert_subject(api, "subscriber")
    unknown = _check(api, "phone", "+8613000000001")
    assert unknown["risk"] == "unknown" and unknown["reasons"] == []
    assert set(unknown["advice"]) == {"fr", "zh", "en"}
    # An open alert (a model's suspicion, maybe in a case) is not public knowledge.
    assert _check(api, "phone", phone) == unknown
    # An analyst's confirmation is: the number is now a known scam.
    api.client.post(f"/v1/alerts/{alert_id}/verdict", json={"verdict": "confirmed"},
                    headers=api.as_("analyst"))  # fmt: skip
    confirmed = _check(api, "phone", phone)
    assert confirmed["risk"] == "high" and confirmed["reasons"]
    assert all(set(r) == {"category", "fr", "zh", "en"} for r in confirmed["reasons"])
    text = str(confirmed)
    for private in ("case", "suspect", "person", "group", "score", "alert"):
        assert private not in text.lower()


def test_reports_are_validated_rate_limited_and_seed_the_network(api: Api) -> None:
    phone = "+8613111112222"
    bad = api.client.post("/v1/reports", json={"fraud_type": "romance", "scammer_phone": "12ab"})
    assert bad.status_code == 422
    nothing = api.client.post("/v1/reports", json={"fraud_type": "romance"})
    assert nothing.status_code == 422 and "phone number, account or URL" in nothing.text
    loss = {"fraud_type": "investment", "scammer_phone": phone, "loss": "-5"}
    assert api.client.post("/v1/reports", json=loss).status_code == 422
    codes = [api.client.post("/v1/reports", json={"fraud_type": "investment",
                                                  "scammer_phone": phone}).status_code
             for _ in range(6)]  # fmt: skip
    # 3 refused reports above count too: the limit is per client, right or wrong.
    assert codes.count(201) >= 1 and codes[-1] == 429
    with api.store.session() as s:
        seeds = seeds_from(SqlNetworkInputs(s))
    assert phone in str(seeds)
    # Two or more reports make the number "reported" for the public.
    assert _check(api, "phone", phone)["risk"] in ("medium", "high")


def test_the_check_refuses_what_it_cannot_parse(api: Api) -> None:
    assert api.client.get("/v1/check/phone/not-a-number").status_code == 422
    assert api.client.get("/v1/check/person/Ming").status_code == 422
    assert api.client.get("/v1/check/url/http://" + "a" * 3000).status_code == 422
