"""Arrow schemas of the high-volume record kinds, and the column each is partitioned by."""

from __future__ import annotations

from enum import StrEnum

import pyarrow as pa


class RecordKind(StrEnum):
    CALLS = "calls"
    MESSAGES = "messages"
    TRANSFERS = "transfers"


TS = pa.timestamp("us", tz="UTC")

SCHEMAS: dict[RecordKind, pa.Schema] = {
    RecordKind.CALLS: pa.schema(
        [
            ("caller", pa.string()),
            ("callee", pa.string()),
            ("start", TS),
            ("duration_s", pa.int32()),
            ("imei", pa.string()),
            ("cell_id", pa.string()),
        ]
    ),
    RecordKind.MESSAGES: pa.schema(
        [
            ("sender", pa.string()),
            ("recipient", pa.string()),
            ("sent_at", TS),
            ("text", pa.string()),
            ("channel", pa.string()),
        ]
    ),
    RecordKind.TRANSFERS: pa.schema(
        [
            ("source", pa.string()),
            ("target", pa.string()),
            ("amount", pa.decimal128(18, 2)),
            ("currency", pa.string()),
            ("at", TS),
        ]
    ),
}

TIME_COLUMN: dict[RecordKind, str] = {
    RecordKind.CALLS: "start",
    RecordKind.MESSAGES: "sent_at",
    RecordKind.TRANSFERS: "at",
}
