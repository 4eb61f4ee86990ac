"""The shape of every bundle and payload, as pydantic models (published as JSON Schema).

These are the field-level rules a partner's data must meet before any of it is
looked at: exact JSON types (no coercion of ``"5"`` into 5), lengths no longer
than the columns that store them, no control characters or lone surrogates,
dates within bounds, ``seq`` >= 1, at least one manifest line, and no field this
instance does not know (``extra="forbid"``). The rights a sender has over the
rows it names are checked afterwards, in :mod:`scamnet.exchange.rights`.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)
from pydantic.json_schema import models_json_schema

from scamnet.core.cases import TransferStatus

# The oldest dates a record can carry: birth dates from 1900, casework from 1990.
BIRTH_FLOOR = date(1900, 1, 1)
CASEWORK_FLOOR = date(1990, 1, 1)
# Partners' clocks and time zones differ by up to a day; nothing is dated later.
CLOCK_SLACK = timedelta(days=1)
MAX_LINES = 100_000  # the same ceiling as a manifest file (cases.manifest.MAX_LINES)
MAX_SEQ = 1_000_000  # the same ceiling ingestion puts on seq (ingest.validate.MAX_INT)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CODE_PATTERN = r"^[A-Z0-9]+(-[A-Z0-9]+)*$"
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$"


def _plain_text(value: object, max_len: int) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    if not value.strip():
        raise ValueError("must not be empty")
    if len(value) > max_len:
        raise ValueError(f"longer than {max_len} characters")
    bad = {unicodedata.category(c) for c in value} & {"Cc", "Cs"}
    if "Cc" in bad:
        raise ValueError("contains control characters (NUL, newline, tab …)")
    if "Cs" in bad:
        raise ValueError("contains a lone surrogate")
    return value


def _text(max_len: int) -> Callable[[object], str]:
    return lambda value: _plain_text(value, max_len)


def _text_schema(max_len: int) -> WithJsonSchema:
    return WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": max_len,
         "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"}
    )  # fmt: skip


# Non-empty text of at most N characters, without control characters.
Text32 = Annotated[str, PlainValidator(_text(32)), _text_schema(32)]
Text100 = Annotated[str, PlainValidator(_text(100)), _text_schema(100)]
Text200 = Annotated[str, PlainValidator(_text(200)), _text_schema(200)]
Text500 = Annotated[str, PlainValidator(_text(500)), _text_schema(500)]
# An identifier that travels between instances (a reference, batch or warrant id).
Key64 = Annotated[str, Field(strict=True, min_length=1, max_length=64, pattern=KEY_PATTERN)]
AgencyCode = Annotated[str, Field(strict=True, min_length=2, max_length=32, pattern=CODE_PATTERN)]


def _today() -> date:
    return datetime.now(UTC).date()


def _date_from(floor: date) -> Callable[[object], date]:
    """A ``YYYY-MM-DD`` string between ``floor`` and tomorrow (UTC)."""

    def check(value: object) -> date:
        if isinstance(value, date):
            parsed = value
        elif isinstance(value, str) and _DATE.fullmatch(value):
            parsed = date.fromisoformat(value)  # raises ValueError for 2023-02-30
        else:
            raise ValueError("must be a date written YYYY-MM-DD")
        if not floor <= parsed <= _today() + CLOCK_SLACK:
            raise ValueError(f"{parsed.isoformat()} is outside {floor.isoformat()} .. today")
        return parsed

    return check


_DATE_OUT = PlainSerializer(lambda d: d.isoformat(), return_type=str, when_used="json")
_DATE_SCHEMA = WithJsonSchema({"type": "string", "format": "date"})
BirthDate = Annotated[date, PlainValidator(_date_from(BIRTH_FLOOR)), _DATE_OUT, _DATE_SCHEMA]
CaseDate = Annotated[date, PlainValidator(_date_from(CASEWORK_FLOOR)), _DATE_OUT, _DATE_SCHEMA]


def _instant(value: object) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and 19 <= len(value) <= 40 and _DATE.match(value):
        parsed = datetime.fromisoformat(value)
    else:
        raise ValueError("must be an ISO 8601 date and time")
    if parsed.tzinfo is None:
        raise ValueError("must carry a UTC offset")
    floor = datetime.combine(CASEWORK_FLOOR, datetime.min.time(), UTC)
    if not floor <= parsed <= datetime.now(UTC) + CLOCK_SLACK:
        raise ValueError(f"{value} is outside 1990 .. now")
    return parsed


Instant = Annotated[
    datetime,
    PlainValidator(_instant),
    PlainSerializer(lambda d: d.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Strict(BaseModel):
    """Exact JSON types, and no field we do not know."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Warrant(Strict):
    warrant_id: Key64
    issued_at: CaseDate
    agency: AgencyCode
    name: Text200
    pinyin: Text200 | None = None
    birth_date: BirthDate | None = None
    id_number: Text32 | None = None
    offence: Text500 | None = None


class WantedListPayload(Strict):
    """Warrants the sender issued, for the receiver to look out for."""

    warrants: list[Warrant] = Field(max_length=MAX_LINES)


class RequestedPersonIn(Strict):
    name: Text200
    birth_date: BirthDate | None = None
    document: Text32 | None = None


class TransferRequestPayload(Strict):
    """A request by the sender for the receiver to hand over the persons named."""

    reference: Key64
    requesting_agency: AgencyCode
    partner_agency: AgencyCode
    legal_basis: Text500
    created_at: Instant
    persons: list[RequestedPersonIn] = Field(min_length=1, max_length=1000)


class TransferStatusPayload(Strict):
    """A move of a request both sides hold, by the side entitled to make it."""

    reference: Key64
    status: Literal["acknowledged", "executed", "refused"]
    note: Annotated[str, Field(strict=True, max_length=500)] = ""

    @property
    def new_status(self) -> TransferStatus:
        return TransferStatus(self.status)


class BatchIn(Strict):
    batch_id: Key64
    date: CaseDate
    crossing: Text100
    from_agency: AgencyCode
    to_agency: AgencyCode
    request_ref: Key64 | None = None


class ManifestLineIn(Strict):
    seq: Annotated[int, Field(strict=True, ge=1, le=MAX_SEQ)]
    name: Text200
    birth_date: BirthDate | None = None
    document: Text32 | None = None
    nationality: Annotated[str, Field(strict=True, pattern=r"^[A-Z]{2}$")] | None = None
    role: Text32 | None = None


class HandoverManifestPayload(Strict):
    """One handover batch the sender gave, with its persons in order."""

    batch: BatchIn
    lines: list[ManifestLineIn] = Field(min_length=1, max_length=MAX_LINES)


Payload = (
    WantedListPayload | TransferRequestPayload | TransferStatusPayload | HandoverManifestPayload
)

PAYLOADS: dict[str, type[Strict]] = {
    "wanted_list": WantedListPayload,
    "transfer_request": TransferRequestPayload,
    "transfer_status": TransferStatusPayload,
    "handover_manifest": HandoverManifestPayload,
}


class Envelope(Strict):
    """The signed envelope. ``signature`` is a JWS (format 2) or raw Ed25519 (format 1)."""

    format: Literal["scamnet-bundle/1", "scamnet-bundle/2"]
    id: Annotated[str, Field(strict=True, pattern=r"^[0-9a-f]{32}$")]
    kind: Literal["wanted_list", "transfer_request", "transfer_status", "handover_manifest"]
    sender: AgencyCode
    recipient: AgencyCode
    created_at: Instant
    payload: dict[str, Any]
    # The handling code of everything in the payload (signed). H3 never leaves its
    # agency, so no bundle may carry it; a bundle without one is H1.
    handling: Literal["H0", "H1", "H2"] = "H1"
    signature: Annotated[str, Field(strict=True, min_length=1, max_length=1024)]


def openapi_schemas(ref_prefix: str = "#/components/schemas/") -> dict[str, Any]:
    """JSON Schemas of the envelope (as ``Bundle``) and of every payload kind, for OpenAPI."""
    classes: list[type[BaseModel]] = [Envelope, *PAYLOADS.values()]
    models: list[tuple[type[BaseModel], Literal["validation"]]] = [
        (m, "validation") for m in classes
    ]
    _keys, top = models_json_schema(models, ref_template=ref_prefix + "{model}")
    defs: dict[str, Any] = dict(top.get("$defs", {}))
    bundle = copy.deepcopy(defs["Envelope"])
    bundle["title"] = "Bundle"
    bundle["properties"]["payload"] = {
        "oneOf": [{"$ref": ref_prefix + m.__name__} for m in PAYLOADS.values()],
        "description": "The payload of the kind named by `kind`.",
    }
    defs["Bundle"] = bundle
    return defs
