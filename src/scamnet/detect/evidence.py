"""The text behind a message or URL alert, with the phrases the model weighed marked.

A text alert's explanation quotes the spans of the text that pushed it towards a scam
(``text.phrases``: “par western union”, “envoie”). An analyst reads them best in
place: this finds the alerted text (the URL is the alert's subject; a message is read
from the lake by its sender and time) and cuts it into plain and marked parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from scamnet.lake import RecordKind, RecordLake
from scamnet.settings import Settings
from scamnet.store.alerts import AlertView

QUOTED = re.compile(r"“([^”]+)”")


@dataclass(frozen=True, slots=True)
class Part:
    text: str
    marked: bool  # a phrase the model weighed


def quoted_phrases(explanation: str) -> list[str]:
    """The phrases an explanation quotes, in its order."""
    return [p for p in QUOTED.findall(explanation) if p.strip()]


def mark(text: str, phrases: list[str]) -> list[Part]:
    """``text`` cut into parts, the phrases marked wherever they occur (in any case, and
    across the runs of spaces the model squeezed before reading)."""
    if not text:
        return []
    marked = [False] * len(text)
    for phrase in phrases:
        words = [re.escape(w) for w in phrase.split()]
        if not words:
            continue
        for m in re.finditer(r"\s+".join(words), text, flags=re.IGNORECASE):
            marked[m.start() : m.end()] = [True] * (m.end() - m.start())
    parts: list[Part] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or marked[i] != marked[start]:
            parts.append(Part(text[start:i], marked[start]))
            start = i
    return parts


def message_text(settings: Settings, sender: str, sent_at: datetime) -> str | None:
    """The text of the message ``sender`` sent at ``sent_at``, from that day's lake files."""
    lake = RecordLake(settings.lake_dir)
    files = lake.files(RecordKind.MESSAGES, days=[sent_at.date().isoformat()])
    if not files:
        return None
    table = pq.read_table([str(f) for f in files], columns=["sender", "sent_at", "text"],
                          filters=[("sender", "==", sender)])  # fmt: skip
    if table.num_rows == 0:
        return None
    when = pa.scalar(sent_at, type=table.schema.field("sent_at").type)
    at = pc.equal(table.column("sent_at"), when)
    found = table.filter(at).column("text").to_pylist()
    return str(found[0]) if found else None


def alert_text(settings: Settings, alert: AlertView) -> list[Part] | None:
    """The alerted text with its weighed phrases marked; None for other kinds of alert
    or when the message is no longer in the lake."""
    phrases = quoted_phrases(alert.explanation)
    if alert.kind == "url":
        return mark(alert.subject, phrases)
    if alert.kind != "message" or "|" not in alert.subject:
        return None
    # A message alert's subject is "sender|sent_at" (detect.alerts.message_table).
    sender, _, at = alert.subject.partition("|")
    try:
        sent_at = datetime.fromisoformat(at.strip())
    except ValueError:
        return None
    text = message_text(settings, sender, sent_at)
    return mark(text, phrases) if text is not None else None
