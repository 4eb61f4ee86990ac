"""Messy rows at a known rate: what real feeds contain, listed in the ground truth.

Defects: malformed numbers, missing fields, impossible timestamps, negative
durations or amounts, exact duplicates, a row in the wrong encoding, and a row
with a field too few. Each corrupted row is written to ``truth/messy.csv`` with
its file and line (line 1 is the header).
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import numpy as np

DEFECTS = (
    "malformed_number",
    "missing_field",
    "bad_timestamp",
    "negative_value",
    "duplicate",
    "bad_encoding",
    "wrong_column_count",
)
MessyEntry = tuple[str, int, str]


def _malformed(value: str, rng: random.Random) -> str:
    # Each is invalid for every identifier type (phones, accounts, wallets alike).
    return rng.choice([value[:4], value[:5] + "O" + value[6:], "+86-", value[:3] + "#" + value[3:]])


def corrupt_fields(
    fields: list[str], defect: str, rng: random.Random, phone: int, time: int, number: int
) -> list[str]:
    """Apply ``defect`` to one row's fields (indices say which field holds what)."""
    out = list(fields)
    if defect == "malformed_number":
        out[phone] = _malformed(out[phone], rng)
    elif defect == "missing_field":
        out[rng.choice([phone, time, number])] = ""
    elif defect == "bad_timestamp":
        out[time] = rng.choice(["2023-13-45 25:61:00", "yesterday", "31/02/2023", "0000-00-00"])
    elif defect == "negative_value":
        out[number] = "-" + out[number].lstrip("-") if out[number] not in ("", "0") else "-1"
    elif defect == "wrong_column_count":
        out = out[:-1]
    return out


def corrupt_csv(
    data: bytes, rate: float, seed: int, label: str, phone: int, time: int, number: int
) -> tuple[bytes, list[MessyEntry]]:
    """Corrupt about ``rate`` of the data lines of a simple CSV (no quoted commas)."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    n = len(lines) - 1
    k = np.random.default_rng(seed).binomial(n, rate) if n > 0 else 0
    if k == 0:
        return data, []
    rng = random.Random(seed)
    chosen = sorted(rng.sample(range(1, n + 1), k))
    extra: dict[int, bytes] = {}
    defects: dict[int, str] = {}
    for i in chosen:
        defect = rng.choice(DEFECTS)
        defects[i] = defect
        if defect == "duplicate":
            extra[i] = lines[i]
        elif defect == "bad_encoding":
            lines[i] = lines[i][:-3] + b"\xff\xfe" + lines[i][-3:]
        else:
            fields = lines[i].decode("utf-8").split(",")
            lines[i] = ",".join(corrupt_fields(fields, defect, rng, phone, time, number)).encode()
    out: list[bytes] = []
    entries: list[MessyEntry] = []
    for i, line in enumerate(lines):
        out.append(line)
        if i in defects and defects[i] != "duplicate":
            entries.append((label, len(out), defects[i]))
        if i in extra:
            out.append(extra[i])
            entries.append((label, len(out), "duplicate"))
    return b"\n".join(out) + b"\n", entries


def write_rows(
    path: Path, rows: list[dict[str, str]], rate: float, rng: random.Random, label: str,
    phone: str | None = None, time: str | None = None, number: str | None = None,
) -> list[MessyEntry]:  # fmt: skip
    """Write dict rows as UTF-8 CSV, corrupting about ``rate`` of them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not rows:
        path.write_text("")
        return []
    header = list(rows[0])
    idx = {name: header.index(name) for name in (phone, time, number) if name}
    fallback = 0
    entries: list[MessyEntry] = []
    with path.open("wb") as fh:
        fh.write(_line(header))
        line_no = 1
        for row in rows:
            fields = [row[h] for h in header]
            if rate and rng.random() < rate:
                defect = rng.choice(DEFECTS)
                if defect == "bad_encoding":
                    encoded = _line(fields).decode("utf-8").encode("gb18030", "replace")
                    if encoded == _line(fields):  # pure ASCII: break it with stray bytes
                        encoded = encoded[:-1] + b"\xff\n"
                    fh.write(encoded)
                    line_no += 1
                    entries.append((label, line_no, defect))
                    continue
                if defect == "duplicate":
                    fh.write(_line(fields))
                    line_no += 1
                else:
                    fields = corrupt_fields(
                        fields, defect, rng, idx.get(phone or "", fallback),
                        idx.get(time or "", fallback), idx.get(number or "", fallback),
                    )  # fmt: skip
                fh.write(_line(fields))
                line_no += 1
                entries.append((label, line_no, defect))
                continue
            fh.write(_line(fields))
            line_no += 1
    return entries


def _line(fields: list[str]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(fields)
    return buf.getvalue().encode("utf-8")
