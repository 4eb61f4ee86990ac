"""The compiled message scorer reads an Arrow column as Python would read its strings.

``FusedScorer.column_decisions`` decodes and lower-cases the column's UTF-8 bytes in
the kernel; the reference is ``FusedScorer.decisions`` of the same texts as
``data.column`` makes them (``str.lower()`` on Python strings, nulls as ``""``).
Equal means equal to the bit: the kernel then reads the same code points.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scamnet.detect import fused
from scamnet.detect.codepoints import BY_PYTHON, lower_table
from scamnet.detect.data import strings
from tests.detect.test_fused import ALPHABET, CORPUS, _random_scorer, _scorer

# Every character but the surrogates, which UTF-8 cannot hold.
EVERY = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)


def _same(column: pa.Array | pa.ChunkedArray) -> None:
    scorer = _scorer(CORPUS)[0]
    want = scorer.decisions(strings(column))
    assert np.array_equal(scorer.column_decisions(column), want)


def test_the_lower_case_table_is_str_lower() -> None:
    table = lower_table()
    own = [c for c in range(0x110000) if table[c] != BY_PYTHON]
    assert len(own) == 0x110000 - 0x800 - 2  # all but the surrogates, Σ and İ
    assert all(chr(table[c]) == chr(c).lower() for c in own)
    assert {c for c in range(0x110000) if table[c] == BY_PYTHON} - set(range(0xD800, 0xE000)) == {
        0x03A3,
        0x0130,
    }


def test_the_kernel_decodes_every_character_as_python_does() -> None:
    data = np.frombuffer(EVERY.replace("Σ", "").replace("İ", "").encode(), dtype=np.uint8)
    out = np.zeros(len(EVERY), dtype=np.uint32)
    n = fused._decode(data, 0, len(data), lower_table(), out)
    want = EVERY.replace("Σ", "").replace("İ", "").lower()
    assert out[:n].tobytes().decode("utf-32-le") == want


UNDECODED = [b"\xc3(", b"ab\xe4\xbd", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80",
             b"\xf4\x90\x80\x80", b"\xff", b"\x80", "Σ".encode(), "İx".encode()]  # fmt: skip


@pytest.mark.parametrize("raw", UNDECODED)
def test_what_the_kernel_does_not_decode_is_left_to_python(raw: bytes) -> None:
    # Malformed, overlong, a surrogate, beyond U+10FFFF, a stray continuation byte;
    # and the two characters Python lowers by context or into two.
    data = np.frombuffer(b"ok " + raw, dtype=np.uint8)
    out = np.zeros(len(data), dtype=np.uint32)
    assert fused._decode(data, 0, len(data), lower_table(), out) == -1
    assert fused._decode(data, 0, 3, lower_table(), out) == 3


def test_a_column_scores_as_its_python_strings() -> None:
    greek = ["ΟΔΟΣ Σίσυφος", "İstanbul", "ΣΑΣ", "plain"]
    _same(pa.array([*CORPUS, None, *greek, None]))
    _same(pa.array(CORPUS, type=pa.large_string()))
    _same(pa.chunked_array([pa.array(CORPUS[:3]), pa.array([], pa.string()), pa.array(CORPUS)]))
    _same(pa.array([*CORPUS, None, "x"]).slice(2, 9))  # a slice: offsets from its start
    _same(pa.chunked_array([], pa.string()))
    _same(pa.array([None, None], pa.string()))
    _same(pa.array([12, None, 3]))  # not strings: read as column() reads them
    _same(pa.array([EVERY[i : i + 4000] for i in range(0, len(EVERY), 4000)]))


def test_a_column_in_several_kernel_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    # Texts left to Python in a later call of the kernel go back to their own rows.
    monkeypatch.setattr(fused, "CHUNK", 3)
    _same(pa.array(["a b", "ΣΑΣ", None, "İ", *CORPUS, "ΟΔΟΣ", "x"]).slice(1))


def test_invalid_utf8_fails_as_reading_the_strings_does() -> None:
    offsets = pa.py_buffer(np.array([0, 2, 4], dtype=np.int32).tobytes())
    bad = pa.Array.from_buffers(pa.string(), 2, [None, offsets, pa.py_buffer(b"ab\xc3(")])
    scorer = _scorer(CORPUS)[0]
    with pytest.raises(UnicodeDecodeError):
        strings(bad)
    with pytest.raises(UnicodeDecodeError):
        scorer.column_decisions(bad)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.sampled_from(ALPHABET), max_size=40)),
                min_size=1, max_size=8))  # fmt: skip
def test_random_columns(docs: list[str | None]) -> None:
    scorer = _random_scorer()[0]
    column = pa.array(docs, pa.string())
    assert np.array_equal(scorer.column_decisions(column), scorer.decisions(strings(column)))
