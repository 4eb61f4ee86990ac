"""The columnar record lake: Parquet files partitioned by day, published by commit records.

Readers (every engine) take :meth:`RecordLake.snapshot` or :meth:`RecordLake.files`:
the committed files only. See docs/lake.md for the commit protocol.
"""

from scamnet.lake.layout import RecordLake, SchemaMismatch, Snapshot, WriteResult
from scamnet.lake.schemas import SCHEMAS, RecordKind

__all__ = ["SCHEMAS", "RecordKind", "RecordLake", "SchemaMismatch", "Snapshot", "WriteResult"]
