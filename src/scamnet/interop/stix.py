"""Confirmed scam indicators as a STIX 2.1 bundle, and indicators read back.

Each indicator carries a STIX pattern, the fraud types as ``labels``, the TLP marking
of its handling code and one ``sighting`` per bureau that took victims' reports of it.

STIX 2.1 defines observables for URLs and domains. It has none for phone numbers,
bank accounts or crypto wallets, so their patterns use the observable types OpenCTI
reads (``phone-number:value``, ``bank-account:iban`` or ``account_number``,
``cryptocurrency-wallet:value``). ``stix2-validator`` accepts them; its
``--strict-types`` mode reports them as custom types, which they are.

Ids are derived from the indicator's value (UUID v4 in form), so a second export of
the same indicator keeps its id and a platform updates it rather than adding a copy.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stix2
from stix2patterns.v21.pattern import Pattern

from scamnet.core.errors import DomainError
from scamnet.core.handling import HandlingCode
from scamnet.core.identifiers import BankAccount, Wallet
from scamnet.interop.indicators import Indicator

NAMESPACE = uuid.UUID("6f1c3a52-2f8e-4d67-9a53-5c1a3b0f7e21")  # scamnet's, fixed once
KIND_WORDS = {
    "tel": "phone number",
    "acct": "bank account",
    "wallet": "crypto wallet",
    "url": "URL",
    "domain": "domain",
}
_STRICT = stix2.MarkingDefinition(
    id=f"marking-definition--{uuid.UUID(bytes=uuid.uuid5(NAMESPACE, 'tlp').bytes, version=4)}",
    created="2026-11-29T00:00:00.000Z",
    definition_type="statement",
    definition={
        "statement": "TLP:AMBER+STRICT: not to be passed on beyond the receiving "
        "organisation (handling code H2)"
    },
)
MARKINGS: dict[HandlingCode, list[Any]] = {
    HandlingCode.H0: [stix2.TLP_GREEN],
    HandlingCode.H1: [stix2.TLP_AMBER],
    HandlingCode.H2: [stix2.TLP_AMBER, _STRICT],  # TLP 1.0 in STIX has no AMBER+STRICT
    HandlingCode.H3: [stix2.TLP_RED],
}


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pattern(ind: Indicator) -> str:
    """The STIX pattern that matches the indicator."""
    value = ind.value
    if ind.kind == "tel":
        return f"[phone-number:value = {_quote(value)}]"
    if ind.kind == "acct":
        field = "iban" if BankAccount(value).is_iban else "account_number"
        return f"[bank-account:{field} = {_quote(value)}]"
    if ind.kind == "wallet":
        return f"[cryptocurrency-wallet:value = {_quote(Wallet(value).address)}]"
    if ind.kind == "url":
        return f"[url:value = {_quote(value)}]"
    return f"[domain-name:value = {_quote(value)}]"


def _id(kind: str, *parts: str) -> str:
    # STIX 2.1 asks for UUID v4 ids on domain objects (the validator checks the version
    # bits): v4-shaped, but drawn from the name, not at random.
    digest = uuid.uuid5(NAMESPACE, "|".join(parts)).bytes
    return f"{kind}--{uuid.UUID(bytes=digest, version=4)}"


def bundle(indicators: list[Indicator], agency: str, now: datetime | None = None) -> stix2.Bundle:
    """The bundle: the exporting agency, the bureaus, indicators and their sightings."""
    now = now or datetime.now(UTC)
    me = stix2.Identity(
        id=_id("identity", "agency", agency),
        name=agency,
        identity_class="organization",
        created=now,
        modified=now,
    )
    objects: list[Any] = [me]
    bureaus: dict[str, stix2.Identity] = {}
    used: dict[str, Any] = {}
    for ind in indicators:
        marks = MARKINGS[ind.code]
        used.update({m.id: m for m in marks})
        refs = [m.id for m in marks]
        seen = ind.first_seen or now
        sdo = stix2.Indicator(
            id=_id("indicator", ind.key),
            created=now,
            modified=now,
            created_by_ref=me.id,
            name=f"Scam {KIND_WORDS[ind.kind]} {ind.value}",
            description=ind.describe(),
            pattern=pattern(ind),
            pattern_type="stix",
            valid_from=seen,
            indicator_types=["malicious-activity"],
            labels=sorted(ind.fraud_types) or ["fraud"],
            object_marking_refs=refs,
        )
        objects.append(sdo)
        for s in ind.sightings.values():
            if s.bureau not in bureaus:
                bureaus[s.bureau] = stix2.Identity(
                    id=_id("identity", "bureau", s.bureau),
                    name=s.bureau,
                    identity_class="organization",
                    created=now,
                    modified=now,
                )
            objects.append(
                stix2.Sighting(
                    id=_id("sighting", ind.key, s.bureau),
                    created=now,
                    modified=now,
                    created_by_ref=me.id,
                    sighting_of_ref=sdo.id,
                    count=s.count,
                    first_seen=s.first,
                    last_seen=max(s.last, s.first),
                    where_sighted_refs=[bureaus[s.bureau].id],
                    object_marking_refs=refs,
                    description=f"{s.count} victim report(s) taken by {s.bureau}",
                )
            )
    custom = [m for m in used.values() if m.id == _STRICT.id]
    return stix2.Bundle(*objects, *bureaus.values(), *custom, allow_custom=False)


class UnreadableBundle(DomainError):
    """The file is not a STIX 2.1 bundle."""


@dataclass(frozen=True, slots=True)
class Observed:
    """One value an indicator's pattern names, as scamnet's kinds name it."""

    indicator: str  # the STIX id
    kind: str  # tel, account (bank or wallet), url
    value: str
    name: str
    labels: tuple[str, ...]
    at: datetime
    producer: str  # the identity that made it, when the bundle names it


_FIELDS = {
    ("phone-number", "value"): "tel",
    ("url", "value"): "url",
    ("domain-name", "value"): "domain",
    ("bank-account", "iban"): "account",
    ("bank-account", "account_number"): "account",
    ("cryptocurrency-wallet", "value"): "account",
}


def read_bundle(text: str) -> tuple[list[Observed], list[str]]:
    """What the bundle's indicators name, and the patterns skipped, with reasons."""
    try:
        parsed = stix2.parse(text, allow_custom=True)
    except Exception as exc:  # stix2 raises its own types and JSON errors alike
        first = " ".join(str(exc).split())[:200]
        raise UnreadableBundle(f"not a STIX 2.1 bundle: {first}") from None
    objects = getattr(parsed, "objects", None) or []
    names = {o.id: o.name for o in objects if o.type == "identity"}
    found: list[Observed] = []
    skipped: list[str] = []
    for o in objects:
        if o.type != "indicator" or o.pattern_type != "stix":
            continue
        try:
            comparisons = Pattern(o.pattern).inspect().comparisons
        except Exception as exc:  # the pattern grammar's own errors
            skipped.append(f"{o.id}: pattern not understood ({exc})")
            continue
        for obj_type, terms in comparisons.items():
            for path, op, raw in terms:
                kind = _FIELDS.get((obj_type, ".".join(map(str, path))))
                if kind is None or op != "=":
                    skipped.append(
                        f"{o.id}: {obj_type}:{'.'.join(map(str, path))} {op} "
                        "is not a scam identifier scamnet reads"
                    )
                    continue
                value = raw[1:-1].replace("\\'", "'").replace("\\\\", "\\")
                found.append(
                    Observed(
                        o.id,
                        kind,
                        value,
                        getattr(o, "name", "") or "",
                        tuple(getattr(o, "labels", None) or ()),
                        o.valid_from,
                        names.get(getattr(o, "created_by_ref", ""), ""),
                    )
                )
    return found, skipped
