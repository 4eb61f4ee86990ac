"""Fuzzing ingestion: random bytes, random CSV dialects, random JSON Lines.

Whatever the file holds, ingestion never raises: a file is either refused whole
with a one-line reason, or every row read is accounted for as stored, already
stored or rejected. The examples are derandomised, so a run on any machine
tries the same files.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scamnet.ingest.mapping import Mapping
from scamnet.ingest.pipeline import FileResult, Ingestor
from scamnet.store import Store
from scamnet.store.records import StoreLedger, StoreSink

FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
_counter = itertools.count()


class Harness:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.store = Store(f"sqlite:///{root / 'scamnet.db'}")
        self.store.upgrade()
        self.ingestor = Ingestor(root / "data")

    def run(self, kind: str, suffix: str, data: bytes, mapping: Mapping | None = None
            ) -> FileResult:  # fmt: skip
        path = self.root / f"f{next(_counter)}{suffix}"
        path.write_bytes(data)
        with self.store.session() as s:
            result = self.ingestor.ingest_file(kind, path, mapping or Mapping(),
                                               StoreLedger(s), StoreSink(s))  # fmt: skip
        if result.error is not None:
            assert result.stored == 0 and "\n" not in result.error
        elif not result.skipped_same_content:
            assert result.read == result.stored + result.already + result.n_rejected
        return result


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    h = Harness(tmp_path_factory.mktemp("fuzz"))
    yield h
    h.ingestor.close()
    h.store.dispose()


PHONES = st.sampled_from(["+8613800138000", "+8613900139000", "13800138000", "+1", "", "abc",
                          "+86 139 0013 9000", "=HYPERLINK(\"x\")", "0x10"])  # fmt: skip
TIMES = st.sampled_from(["2023-10-01 10:00:00Z", "2023-10-01T10:00:00+08:00", "2100-01-01",
                         "2023-10-01 10:00:00+25:00", "yesterday", "", "2023-13-45"])  # fmt: skip
ODD = st.sampled_from(["1.005", "1e3", "1,000", "5", "-1", '"', "\n", "\r\n"])
FIELD = st.one_of(PHONES, TIMES, st.text(max_size=12), ODD)


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, str]:
    delim = draw(st.sampled_from([",", ";", "|", "\t"]))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    encoding = draw(st.sampled_from(["utf-8", "gb18030", "utf-16"]))
    header = draw(st.sampled_from([["caller", "callee", "start", "duration_s"],
                                   ["caller", "callee", "start", "duration_s", "imei", "x"],
                                   ["a", "b"]]))  # fmt: skip
    rows = draw(st.lists(st.lists(FIELD, min_size=len(header) - 1, max_size=len(header) + 1),
                         max_size=12))  # fmt: skip
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator=ending, quoting=quoting)
    w.writerow(header)
    w.writerows(rows)
    text = buf.getvalue()
    if draw(st.booleans()):  # a raw damaged line: an unbalanced quote or a stray ending
        text += draw(st.sampled_from(['"+8613800138000,x,y\n', "\n\r\n", 'a,"b\nc']))
    return text.encode(encoding, errors="replace"), delim


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                 max_size=3),
    max_leaves=6,
)  # fmt: skip
KEYS = st.sampled_from(["sender", "recipient", "sent_at", "text", "channel", "extra", ""])


@pytest.mark.slow
@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".jsonl", ".parquet"]))
def test_random_bytes_never_raise(harness: Harness, data: bytes, suffix: str) -> None:
    harness.run("calls", suffix, data)


@pytest.mark.slow
@FUZZ
@given(file=csv_files())
def test_random_csv_dialects_keep_the_accounts(harness: Harness, file: tuple[bytes, str]) -> None:
    data, delim = file
    harness.run("calls", ".csv", data)
    harness.run("calls", ".csv", data, Mapping(delimiter=delim))


@pytest.mark.slow
@FUZZ
@given(lines=st.lists(st.one_of(
    st.dictionaries(KEYS, st.one_of(PHONES, TIMES, JSON_VALUES), max_size=6),
    JSON_VALUES,
), max_size=10), broken=st.booleans())  # fmt: skip
def test_random_json_lines_keep_the_accounts(harness: Harness, lines: list[object],
                                             broken: bool) -> None:  # fmt: skip
    text = "".join(json.dumps(v) + "\n" for v in lines) + ('{"sender": "+86\n' if broken else "")
    harness.run("messages", ".jsonl", text.encode())
