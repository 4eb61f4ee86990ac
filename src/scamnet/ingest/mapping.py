"""Column mappings: how a source's columns and value formats map onto scamnet's.

A mapping is a small YAML file (see docs/ingest.md for a worked operator CDR)::

    delimiter: "|"
    encoding: gb18030
    region: CN                 # default country for national phone numbers
    timezone: Asia/Shanghai    # for timestamps written without a zone
    columns:                   # scamnet column: source column (or a list, joined with "-")
      caller: MSISDN
      cell_id: [LAC, CI]
    formats:
      start: "%Y%m%d%H%M%S"    # strptime format of a time column
    constants:
      channel: sms
    direction: {column: CALL_TYPE, outgoing: MOC, incoming: MTC}
    numbers:                   # number spellings this source uses (default: none)
      thousands: ","           # "1,234.50"
      exponent: true           # "1.5e3"
      hex: true                # "0x1F" (whole numbers only)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class MappingError(ValueError):
    """The mapping file is missing, malformed or inconsistent."""


class Direction(BaseModel):
    """Operator CDRs often list both legs; incoming legs swap caller and callee."""

    model_config = ConfigDict(extra="forbid")
    column: str
    outgoing: str = "MOC"
    incoming: str = "MTC"


class Numbers(BaseModel):
    """Number spellings a source declares; without them such values are rejected.

    Plain decimal digits are always read. A thousands separator, an exponent or a
    hexadecimal number in an undeclared source is far likelier a shifted column
    or a spreadsheet's rewrite than the intended value, so it is a reject reason.
    """

    model_config = ConfigDict(extra="forbid")
    thousands: str | None = Field(default=None, max_length=1)
    exponent: bool = False
    hex: bool = False

    @field_validator("thousands")
    @classmethod
    def _separator(cls, value: str | None) -> str | None:
        if value is not None and value not in (",", " ", "'", "_", "\u00a0", "\u202f"):
            raise ValueError("thousands is one of: comma, space, apostrophe, underscore")
        return value


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str | None = None
    delimiter: str | None = Field(default=None, max_length=1)
    encoding: str | None = None
    region: str = "CN"
    timezone: str = "UTC"
    columns: dict[str, str | list[str]] = Field(default_factory=dict)
    formats: dict[str, str] = Field(default_factory=dict)
    constants: dict[str, str] = Field(default_factory=dict)
    direction: Direction | None = None
    numbers: Numbers = Field(default_factory=Numbers)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as Asia/Shanghai)"
                             ) from None  # fmt: skip
        return value

    @field_validator("formats")
    @classmethod
    def _formats(cls, value: dict[str, str]) -> dict[str, str]:
        for column, fmt in value.items():
            if "%" not in fmt:
                raise ValueError(f"{column}: {fmt!r} has no % directive (a strptime format)")
            try:
                # The engine that applies the format is the judge of it.
                duckdb.execute("SELECT try_strptime('', ?)", [fmt])
            except duckdb.Error:
                raise ValueError(f"{column}: {fmt!r} is not a valid strptime format") from None
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is None:
            return None
        normal = value.lower().replace("_", "-")
        if normal in ("utf-16", "utf16", "utf-16le", "utf-16be"):
            return normal.replace("utf16", "utf-16")
        if normal not in ("utf-8", "utf8", "gb18030", "gbk", "gb2312"):
            raise ValueError("encoding must be utf-8, gb18030 or utf-16 (gbk and gb2312 read "
                             "as gb18030)")  # fmt: skip
        return "utf-8" if normal in ("utf-8", "utf8") else "gb18030"

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if len(value) != 2 or not value.isalpha():
            raise ValueError("region is an ISO 3166 alpha-2 code such as CN")
        return value.upper()

    def source_columns(self, target: str) -> list[str]:
        """The source columns that feed scamnet column ``target`` (itself when unmapped)."""
        value = self.columns.get(target, target)
        return [value] if isinstance(value, str) else list(value)


def load_mapping(path: Path | None) -> Mapping:
    """Read a mapping file; no file means the identity mapping."""
    if path is None:
        return Mapping()
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(f"cannot read mapping {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"mapping {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise MappingError(f"mapping {path} must be a YAML mapping of settings")
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise MappingError(f"mapping {path}: {where}: {first['msg']}") from None
