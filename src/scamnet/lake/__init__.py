"""The columnar record lake: Parquet files partitioned by day."""

from scamnet.lake.layout import RecordLake, SchemaMismatch, WriteResult
from scamnet.lake.schemas import SCHEMAS, RecordKind

__all__ = ["SCHEMAS", "RecordKind", "RecordLake", "SchemaMismatch", "WriteResult"]
