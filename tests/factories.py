"""Tiny factories for domain objects used across tests."""

from __future__ import annotations

from datetime import date

from scamnet.core.entities import Document, Person, PersonName, Script
from scamnet.core.identifiers import Imei, Phone


def person(
    han: str = "明学昌",
    pinyin: str = "Ming Xuechang",
    phone: str = "13800138000",
    doc: str = "530000195501010011",
) -> Person:
    return Person(
        names=[PersonName(han, Script.HAN), PersonName(pinyin, Script.PINYIN)],
        birth_date=date(1955, 1, 1),
        nationality="CN",
        documents=[Document("cn_id", doc, "CN")],
        identifiers=[Phone.parse(phone), Imei.parse("49015420323751")],
    )
