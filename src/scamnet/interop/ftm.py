"""A group as FollowTheMoney entities (the model of Aleph and OpenSanctions).

- A group is an ``Organization``; each known person a ``Person`` (the first name as
  ``name``, every other form, in any script, as ``alias``) with a ``Membership``
  carrying the suspected role, and an ``Identification`` or ``Passport`` per document.
- Identifiers: a phone, handset or chat handle is a ``UserAccount`` (FtM has no phone
  entity; the number is its ``phone``), a bank account a ``BankAccount`` (owned through
  an ``Ownership``), a wallet a ``CryptoWallet`` (with its ``holder``). The group's
  identifiers that no known person uses hang off the group by an ``UnknownLink``.
- Calls between the group's numbers are ``Call``s, transfers between its accounts
  ``Payment``s. A payment needs a payer and a beneficiary: an account with no known
  holder gets a ``LegalEntity`` standing for its unknown holder.
- Sites are ``Address``es with their coordinates.

Ids are FtM's hashed ids of the graph key (the same identifier has the same id in any
instance's export) and of the agency and the store's id for persons and groups.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from followthemoney import model
from followthemoney.proxy import EntityProxy

from scamnet.core.entities import Person
from scamnet.core.identifiers import BankAccount, Identifier, Wallet, parse_identifier
from scamnet.interop.dossier import Dossier
from scamnet.network.export import node_kind, node_label

SUSPECTED = "suspected, not guilty by record"
# UserAccount.service of each kind carried as a user account; the reader maps back.
SERVICES = {"tel": "telephone", "imei": "handset (IMEI)", "ip": "internet (IP address)"}
CHAINS = {"trx": "TRON", "eth": "Ethereum"}
DOCUMENT_SCHEMA = {"passport": "Passport"}  # any other document is an Identification


class Builder:
    """Entities of one export, made once each (an identifier appears once)."""

    def __init__(self, agency: str) -> None:
        self.agency = agency
        self.entities: dict[str, EntityProxy] = {}
        self.owner: dict[str, EntityProxy] = {}  # graph key → the person using it

    def _make(self, schema: str, *parts: str) -> EntityProxy:
        proxy = model.make_entity(schema)
        proxy.make_id("scamnet", *parts)
        assert proxy.id is not None
        return self.entities.setdefault(proxy.id, proxy)

    def organisation(self, d: Dossier) -> EntityProxy:
        org = self._make("Organization", self.agency, "group", str(d.group_id))
        org.add("name", d.name)
        org.add("alias", d.aliases)
        org.add("topics", "crime.fraud")
        org.add("description", f"criminal group found by network analysis; {SUSPECTED}")
        for s in d.sites:
            addr = self._make("Address", self.agency, "site", str(s.id))
            addr.add("full", s.name)
            addr.add("latitude", str(s.latitude))
            addr.add("longitude", str(s.longitude))
            addr.add("country", s.country)
            addr.add("region", s.region)
            if s.radius_km is not None:
                addr.add("remarks", f"estimated from cell use, within {s.radius_km} km")
            org.add("addressEntity", addr)
        return org

    def person(self, p: Person) -> EntityProxy:
        ent = self._make("Person", self.agency, "person", str(p.id))
        ent.add("name", p.names[0].text)
        ent.add("alias", [n.text for n in p.names[1:]])
        if p.birth_date is not None:
            ent.add("birthDate", p.birth_date.isoformat())
        if p.nationality:
            ent.add("nationality", p.nationality)
        ent.add("notes", SUSPECTED)
        for doc in p.documents:
            schema = DOCUMENT_SCHEMA.get(doc.kind, "Identification")
            ident = self._make(schema, "document", doc.kind, doc.country, doc.number)
            ident.add("holder", ent)
            ident.add("number", doc.number)
            ident.add("type", doc.kind)
            ident.add("country", doc.country)
            ent.add("passportNumber" if doc.kind == "passport" else "idNumber", doc.number)
        for identifier in p.identifiers:
            self.identifier(identifier.graph_key, ent, identifier)
        return ent

    def identifier(
        self, key: str, owner: EntityProxy | None = None, parsed: Identifier | None = None
    ) -> EntityProxy | None:
        """The entity of an identifier (None for a URL: a person's ``website``)."""
        kind = node_kind(key)
        ident = parsed or parse_identifier(kind, node_label(key))
        if owner is not None:
            self.owner.setdefault(key, owner)
        if kind == "url":
            if owner is not None:
                owner.add("website", ident.value)
            return None
        if kind == "acct":
            ent = self._make("BankAccount", key)
            ent.add("accountNumber", ident.value)
            if isinstance(ident, BankAccount) and ident.is_iban:
                ent.add("iban", ident.value)
            if owner is not None:
                own = self._make("Ownership", "owns", key, owner.id or "")
                own.add("owner", owner)
                own.add("asset", ent)
                own.add("role", "account holder (suspected)")
            return ent
        if kind == "wallet":
            assert isinstance(ident, Wallet)
            ent = self._make("CryptoWallet", key)
            ent.add("publicKey", ident.address)
            ent.add("blockchain", CHAINS[ident.chain])
            if owner is not None:
                ent.add("holder", owner)
            return ent
        ent = self._make("UserAccount", key)
        # A chat handle is platform:handle: the platform is the service, the handle the name.
        service, _sep, handle = ident.value.rpartition(":") if kind == "chat" else ("", "", "")
        ent.add("username", handle or ident.value)
        ent.add("service", SERVICES.get(kind) or service)
        if kind == "tel":
            ent.add("phone", ident.value)
            if owner is not None:
                owner.add("phone", ident.value)
        if kind == "ip":
            ent.add("ipAddress", ident.value)
        if owner is not None:
            ent.add("owner", owner)
        return ent

    def holder(self, key: str) -> EntityProxy:
        """Who holds an account: its known user, or an entity standing for the unknown one."""
        known = self.owner.get(key)
        if known is not None:
            return known
        ent = self._make("LegalEntity", "holder", key)
        ent.add("name", f"unknown holder of {node_label(key)}")
        ent.add("notes", SUSPECTED)
        self.owner[key] = ent
        account = self.identifier(key)
        if account is not None and account.schema.name == "CryptoWallet":
            account.add("holder", ent)
        elif account is not None:
            own = self._make("Ownership", "owns", key, ent.id or "")
            own.add("owner", ent)
            own.add("asset", account)
        return ent


def group_entities(d: Dossier, agency: str) -> list[EntityProxy]:
    """Every entity of the group, in a stable order (persons first, then what links)."""
    b = Builder(agency)
    org = b.organisation(d)
    people = {p.id: b.person(p) for p in d.persons}
    for pid, role in sorted(d.roles.items()):
        m = b._make("Membership", agency, "member", str(d.group_id), str(pid))
        m.add("member", people[pid])
        m.add("organization", org)
        m.add("role", f"{role} (suspected)")
    for n in d.nodes:
        owner = people.get(n.person_id) if n.person_id is not None else None
        ent = b.identifier(n.key, owner)
        if owner is None and ent is not None:
            link = b._make("UnknownLink", agency, "node", str(d.group_id), n.key)
            link.add("subject", org)
            link.add("object", ent)
            link.add("role", f"used by a {n.role} (suspected), rank {n.rank}")
    for i, c in enumerate(d.calls):
        call = b._make("Call", "call", c.caller, c.callee, c.start.isoformat(), str(i))
        call.add("callerNumber", c.caller)
        call.add("receiverNumber", c.callee)
        for prop, number in (("caller", c.caller), ("receiver", c.callee)):
            if f"tel:{number}" in b.owner:
                call.add(prop, b.owner[f"tel:{number}"])
        call.add("startDate", c.start.isoformat(timespec="seconds"))
        call.add("duration", str(c.duration_s))
    for i, t in enumerate(d.transfers):
        src, dst = _party_key(t.source), _party_key(t.target)
        pay = b._make("Payment", "payment", t.source, t.target, t.at.isoformat(), str(i))
        pay.add("payer", b.holder(src))
        pay.add("beneficiary", b.holder(dst))
        if src.startswith("acct:"):
            pay.add("payerAccount", b.entities[_id("BankAccount", src)])
        if dst.startswith("acct:"):
            pay.add("beneficiaryAccount", b.entities[_id("BankAccount", dst)])
        pay.add("amount", str(t.amount))
        pay.add("currency", t.currency)
        pay.add("date", t.at.isoformat(timespec="seconds"))
    return list(b.entities.values())


def _party_key(value: str) -> str:
    # The lake holds wallets as core's canonical value (trx:T…, eth:0x…).
    return f"wallet:{value}" if Wallet.is_valid(value) else f"acct:{value}"


def _id(schema: str, *parts: str) -> str:
    proxy = model.make_entity(schema)
    proxy.make_id("scamnet", *parts)
    assert proxy.id is not None
    return proxy.id


def jsonl(entities: list[EntityProxy]) -> Iterator[str]:
    """One entity a line, as ``ftm`` and Aleph read them."""
    for e in entities:
        yield json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True) + "\n"
