"""What each kind of input holds, how each column is validated, and where it goes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ColumnType(StrEnum):
    PHONE = "phone"
    IMEI = "imei"
    PARTY = "party"  # a bank account or a crypto wallet
    URL = "url"
    TIMESTAMP = "timestamp"
    DATE = "date"
    INT = "int"  # non-negative whole number
    AMOUNT = "amount"  # positive decimal with at most two places
    TEXT = "text"
    NAME = "name"
    COUNTRY = "country"
    FRAUD_TYPE = "fraud_type"
    FLOAT = "float"
    BOOL = "bool"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    required: bool = True
    max_length: int = 256


@dataclass(frozen=True, slots=True)
class KindSpec:
    """One kind of input: its columns, natural key and destination."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    destination: str  # "lake" or "store"
    time_column: str | None = None

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


T = ColumnType
C = Column
KINDS: dict[str, KindSpec] = {
    "calls": KindSpec(
        "calls",
        (C("caller", T.PHONE), C("callee", T.PHONE), C("start", T.TIMESTAMP),
         C("duration_s", T.INT), C("imei", T.IMEI, False), C("cell_id", T.TEXT, False, 64)),
        key=("caller", "callee", "start"), destination="lake", time_column="start",
    ),
    "messages": KindSpec(
        "messages",
        (C("sender", T.PHONE), C("recipient", T.PHONE), C("sent_at", T.TIMESTAMP),
         C("text", T.TEXT, True, 10_000), C("channel", T.TEXT, False, 16)),
        key=("sender", "recipient", "sent_at", "text"), destination="lake", time_column="sent_at",
    ),
    "transfers": KindSpec(
        "transfers",
        (C("source", T.PARTY), C("target", T.PARTY), C("amount", T.AMOUNT),
         C("currency", T.TEXT, False, 8), C("at", T.TIMESTAMP)),
        key=("source", "target", "amount", "at"), destination="lake", time_column="at",
    ),
    "reports": KindSpec(
        "reports",
        (C("report_id", T.TEXT, True, 64), C("filed_at", T.TIMESTAMP),
         C("bureau", T.TEXT, True, 64),
         C("fraud_type", T.FRAUD_TYPE), C("loss", T.AMOUNT, False), C("currency", T.TEXT, False, 8),
         C("victim_phone", T.PHONE, False), C("scammer_phone", T.PHONE, False),
         C("scammer_account", T.PARTY, False), C("scammer_url", T.URL, False),
         C("narrative", T.TEXT, False, 10_000)),
        key=("report_id",), destination="store",
    ),
    "persons": KindSpec(
        "persons",
        (C("record_id", T.TEXT, True, 64), C("source_agency", T.TEXT, True, 64),
         C("name", T.NAME), C("birth_date", T.DATE, False), C("id_number", T.TEXT, False, 32),
         C("phone", T.PHONE, False), C("gender", T.TEXT, False, 8),
         C("nationality", T.COUNTRY, False)),
        key=("source_agency", "record_id"), destination="store",
    ),
    "wanted": KindSpec(
        "wanted",
        (C("warrant_id", T.TEXT, True, 64), C("issued_at", T.DATE), C("agency", T.TEXT, True, 64),
         C("name", T.NAME), C("pinyin", T.NAME, False), C("birth_date", T.DATE, False),
         C("id_number", T.TEXT, False, 32), C("offence", T.TEXT, False, 500)),
        key=("warrant_id",), destination="store",
    ),
    "handovers": KindSpec(
        "handovers",
        (C("batch_id", T.TEXT, True, 64), C("date", T.DATE), C("crossing", T.TEXT, True, 100),
         C("from_agency", T.TEXT, True, 64), C("to_agency", T.TEXT, True, 64), C("seq", T.INT),
         C("name", T.NAME), C("birth_date", T.DATE, False), C("document", T.TEXT, False, 32),
         C("nationality", T.COUNTRY, False), C("role", T.TEXT, False, 32)),
        key=("batch_id", "seq"), destination="store",
    ),
    "cells": KindSpec(
        "cells",
        (C("cell_id", T.TEXT, True, 64), C("lat", T.FLOAT), C("lon", T.FLOAT),
         C("country", T.COUNTRY), C("region", T.TEXT, False, 100), C("border", T.BOOL, False)),
        key=("cell_id",), destination="store",
    ),
}  # fmt: skip
