"""Every case of issue 16's "What breaks today": validly signed by MM-MUSE, received by
CN-YN-DH over HTTP, each is refused with a 4xx naming its rule, and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from scamnet.cli.main import app as cli_app
from scamnet.exchange.bundle import BundleKind as K
from scamnet.exchange.service import receive
from tests.exchange.partners import (
    manifest,
    resigned,
    signed,
    snapshot,
    third_party_request,
    warrant,
)
from tests.exchange.test_bundles import Side

Build = Callable[[Side, Side], dict[str, Any]]


def _status_change(dehong: Side, muse: Side) -> dict[str, Any]:
    ref = third_party_request(dehong)
    return signed(muse, K.TRANSFER_STATUS, {"reference": ref, "status": "refused"})


def _request_to(agency: str) -> Build:
    return lambda _d, muse: signed(muse, K.TRANSFER_REQUEST, {
        "reference": "TR-MM-MUSE-1", "requesting_agency": "MM-MUSE", "partner_agency": agency,
        "legal_basis": "treaty", "created_at": "2023-11-01T00:00:00+00:00",
        "persons": [{"name": "Bai Suocheng"}],
    })  # fmt: skip


def _long_envelope_id(_d: Side, muse: Side) -> dict[str, Any]:
    bundle = signed(muse, K.WANTED_LIST, {"warrants": [warrant()]})
    return resigned(muse, {**bundle, "id": "a" * 200})


def _envelope_id_list(_d: Side, muse: Side) -> dict[str, Any]:
    bundle = signed(muse, K.WANTED_LIST, {"warrants": [warrant()]})
    return resigned(muse, {**bundle, "id": ["a" * 32]})


def _wanted(**extra: Any) -> Build:
    return lambda _d, muse: signed(muse, K.WANTED_LIST, {"warrants": [warrant(**extra)]})


def _payload(kind: K, payload: Any) -> Build:
    return lambda _d, muse: signed(muse, kind, payload)


def _manifest_lines(lines: list[dict[str, Any]], **batch: Any) -> Build:
    return lambda _d, muse: signed(muse, K.HANDOVER_MANIFEST, {**manifest(**batch), "lines": lines})


CASES: dict[str, tuple[Build, int, str]] = {
    "status of a request between CN-YN-DH and MM-LAUKKAI": (_status_change, 403, "request-party"),
    "warrant in the receiver's name": (_wanted(agency="CN-YN-DH"), 403, "own-name"),
    "warrant naming a local person_id": (_wanted(person_id=1), 422, "no-local-ids"),
    "warrant for an agency that does not exist": (_wanted(agency="XX-NOWHERE"), 403, "own-name"),
    "NUL byte in a name": (_wanted(name="Zhou\x00Xingyu"), 422, "field-values"),
    "newline in a name": (_wanted(name="Zhou\nXingyu"), 422, "field-values"),
    "15,000-character name": (_wanted(name="Z" * 15_000), 400, "json"),
    "300-character name": (_wanted(name="Z" * 300), 422, "field-values"),
    "10,000-character warrant_id": (_wanted(warrant_id="W" * 10_000), 400, "json"),
    "100-character warrant_id": (_wanted(warrant_id="W" * 100), 422, "field-values"),
    "200-character envelope id": (_long_envelope_id, 422, "field-values"),
    "envelope id as a list": (_envelope_id_list, 422, "field-values"),
    "request addressed to CN-YN-LC": (_request_to("CN-YN-LC"), 403, "addressed-here"),
    "manifest addressed to CN-YN-LC": (
        _payload(K.HANDOVER_MANIFEST, manifest(to_agency="CN-YN-LC")), 403, "addressed-here"
    ),
    "manifest dated 2999": (_payload(K.HANDOVER_MANIFEST, manifest(date="2999-01-01")), 422,
                            "field-values"),
    "manifest line with seq -5": (_manifest_lines([{"seq": -5, "name": "A"}]), 422,
                                  "field-values"),
    "manifest with no lines": (_manifest_lines([]), 422, "field-values"),
    "manifest executing a third party's request": (
        lambda d, m: signed(m, K.HANDOVER_MANIFEST, manifest(request_ref=third_party_request(d))),
        403, "request-party",
    ),
    "unknown field in a warrant": (_wanted(colour="red"), 422, "known-fields"),
    "unknown field in the payload": (
        _payload(K.WANTED_LIST, {"warrants": [warrant()], "extra": 1}), 422, "known-fields"
    ),
    "warrants as a string": (_payload(K.WANTED_LIST, {"warrants": "W1"}), 422, "field-values"),
    "issued_at null": (_wanted(issued_at=None), 422, "field-values"),
    "reference as a list": (
        _payload(K.TRANSFER_STATUS, {"reference": ["TR-1"], "status": "refused"}), 422,
        "field-values",
    ),
    "seq as a string": (_manifest_lines([{"seq": "1", "name": "A"}]), 422, "field-values"),
    "a request's status moved by its requesting side": (
        lambda d, m: signed(m, K.TRANSFER_STATUS, {"reference": _ref_from_muse(d, m),
                                                   "status": "executed"}),
        403, "request-direction",
    ),
}  # fmt: skip


def _ref_from_muse(dehong: Side, muse: Side) -> str:
    """A request MM-MUSE made to CN-YN-DH: MM-MUSE may not answer its own request."""
    bundle = _request_to("CN-YN-DH")(dehong, muse)
    dehong.receive(bundle)
    return str(bundle["payload"]["reference"])


@pytest.mark.parametrize("case", list(CASES))
def test_a_partner_gets_only_what_it_is_entitled_to(
    case: str, sides: tuple[Side, Side], client: TestClient
) -> None:
    dehong, muse = sides
    build, code, rule = CASES[case]
    bundle = build(dehong, muse)
    before = snapshot(dehong.store)
    response = client.post("/api/exchange/bundles", content=json.dumps(bundle))
    assert response.status_code == code, response.text
    assert response.json()["rule"] == rule
    assert f"({rule})" in response.json()["detail"]
    assert snapshot(dehong.store) == before


def test_the_same_bundle_as_a_file_is_a_clear_error_not_a_traceback(
    sides: tuple[Side, Side], tmp_path: Path
) -> None:
    _dehong, muse = sides
    bundle = signed(muse, K.WANTED_LIST, {"warrants": [warrant(issued_at=None)]})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    result = CliRunner().invoke(
        cli_app, ["exchange", "receive", str(path), "--data-dir", str(tmp_path / "dh")]
    )
    assert result.exit_code == 1
    assert "bundle refused (field-values): payload.warrants.0.issued_at" in result.output
    assert "Traceback" not in result.output


def test_within_its_rights_a_partner_is_applied_and_audited(sides: tuple[Side, Side]) -> None:
    dehong, muse = sides
    assert dehong.receive(signed(muse, K.WANTED_LIST, {"warrants": [warrant()]})).startswith(
        "1 new warrants"
    )
    ref = _request_to("CN-YN-DH")(dehong, muse)
    assert "1 persons" in dehong.receive(ref)
    from scamnet.store.audit import AuditLog

    with dehong.store.session() as s:
        actions = [(e.actor, e.action) for e in AuditLog(s).entries()]
        assert ("exchange:MM-MUSE", "exchange.receive") in actions
        assert AuditLog(s).verify() is None


def test_a_format_1_bundle_is_still_read(sides: tuple[Side, Side]) -> None:
    import base64

    from scamnet.exchange.bundle import FIELDS, _canonical_v1

    dehong, muse = sides
    bundle = signed(muse, K.WANTED_LIST, {"warrants": [warrant()]})
    body = {**{f: bundle[f] for f in FIELDS}, "format": "scamnet-bundle/1"}
    old = {**body, "signature": base64.b64encode(muse.me.key.sign(_canonical_v1(body))).decode()}
    assert dehong.receive(old).startswith("1 new warrants")
    forged = {**old, "id": "b" * 32}
    with pytest.raises(Exception, match=r"\(signature\)"):
        dehong.receive(forged)


def test_another_language_can_verify_a_bundle(sides: tuple[Side, Side]) -> None:
    """Only RFC 8785 and RFC 7515 steps, with no scamnet or joserfc code: what a partner
    written in another language does."""
    import base64

    import rfc8785
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    _dehong, muse = sides
    bundle = signed(muse, K.WANTED_LIST, {"warrants": [warrant(name="明学昌")]})
    header_b64, empty, sig_b64 = bundle["signature"].split(".")
    assert empty == ""
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    header = json.loads(base64.urlsafe_b64decode(pad(header_b64)))
    assert header == {"alg": "Ed25519", "kid": "MM-MUSE", "typ": "scamnet-bundle+jws"}
    body = {k: v for k, v in bundle.items() if k != "signature"}
    content = base64.urlsafe_b64encode(rfc8785.dumps(body)).rstrip(b"=")
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(muse.me.public_key))
    key.verify(base64.urlsafe_b64decode(pad(sig_b64)), header_b64.encode() + b"." + content)


def test_receive_in_process_refuses_the_same_way(sides: tuple[Side, Side]) -> None:
    dehong, muse = sides
    with dehong.store.session() as s, pytest.raises(Exception, match=r"\(own-name\)"):
        receive(s, dehong.me, signed(muse, K.WANTED_LIST, {"warrants": [warrant(agency="CN-YN")]}))


def test_twelve_parallel_copies_apply_once(sides: tuple[Side, Side]) -> None:
    import threading

    dehong, muse = sides
    bundle = signed(muse, K.WANTED_LIST, {"warrants": [warrant()]})
    outcomes: list[str] = []

    def post() -> None:
        try:
            outcomes.append(dehong.receive(bundle))
        except Exception as exc:  # collected and checked below
            outcomes.append(str(exc))

    threads = [threading.Thread(target=post) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(o.startswith("1 new warrants") for o in outcomes) == 1
    assert sum("(replay)" in o for o in outcomes) == 11, outcomes


def test_an_instance_answers_for_its_children_only(
    sides: tuple[Side, Side], tmp_path: Path
) -> None:
    _dehong, muse = sides
    (tmp_path / "yn").mkdir()
    province = Side(tmp_path / "yn", "CN-YN")  # CN-YN-DH and CN-YN-LC are its children
    province.register(muse)
    to_child = resigned(muse, {**_request_to("CN-YN-DH")(province, muse), "recipient": "CN-YN"})
    assert "1 persons" in province.receive(to_child)
    to_parent = resigned(
        muse,
        {**_request_to("CN-MPS")(province, muse), "recipient": "CN-YN", "id": "c" * 32},
    )
    with pytest.raises(Exception, match=r"\(addressed-here\)"):
        province.receive(to_parent)
