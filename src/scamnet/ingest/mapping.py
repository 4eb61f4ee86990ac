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
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is None:
            return None
        normal = value.lower().replace("_", "-")
        if normal not in ("utf-8", "utf8", "gb18030", "gbk", "gb2312"):
            raise ValueError("encoding must be utf-8 or gb18030 (gbk and gb2312 read as gb18030)")
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
