"""What the compiled message scorer (``fused.py``) reads of a text: its code points.

From Python strings, a batch's ``str.lower()`` code points end to end. From an Arrow
column of strings, the UTF-8 bytes themselves, which the kernel decodes and
lower-cases through a table; building the Python strings first (``to_pylist``),
lower-casing and re-encoding them cost a seventh of the time scoring took.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SPACE, WORD = 1, 2
# In the lower-case table: a character Python does not lower one to one, so a text
# holding it is lowered by Python (``str.lower``).
BY_PYTHON = np.uint32(0xFFFFFFFF)
# U+03A3 lowers to σ or, ending a word, ς (Unicode's Final_Sigma, which str.lower
# follows); U+0130 lowers to two characters. CPython lowers every other character
# on its own, into one (``test_codepoints.py`` checks all of them).
_CONTEXTUAL = (0x03A3, 0x0130)
_classes: np.ndarray | None = None
_lower: np.ndarray | None = None


def _every_point() -> np.ndarray:
    points = np.arange(0x110000, dtype=np.uint32)
    points[0xD800:0xE000] = 0  # lone surrogates do not decode; NUL is in no class
    return points


def char_classes() -> np.ndarray:
    """For every code point, whether Python's ``str.split()`` takes it for white
    space (bit 1) and whether ``re``'s ``\\w`` matches it (bit 2); built once."""
    global _classes
    if _classes is None:
        text = _every_point().tobytes().decode("utf-32-le")
        out = np.zeros(0x110000, dtype=np.uint8)
        for m in re.finditer(r"\s+", text):
            out[m.start() : m.end()] |= SPACE
        for m in re.finditer(r"\w+", text):
            out[m.start() : m.end()] |= WORD
        out[0] = 0
        _classes = out
    return _classes


def lower_table() -> np.ndarray:
    """For every code point, the one ``str.lower()`` makes of it, or ``BY_PYTHON``;
    built once (surrogates, which UTF-8 cannot hold, are ``BY_PYTHON`` too)."""
    global _lower
    if _lower is None:
        points = _every_point()
        points[list(_CONTEXTUAL)] = 0
        lowered = points.tobytes().decode("utf-32-le").lower().encode("utf-32-le")
        out = np.frombuffer(lowered, dtype=np.uint32).copy()
        if len(out) != 0x110000:
            raise AssertionError("str.lower() changed a length outside _CONTEXTUAL")
        out[list(_CONTEXTUAL)] = BY_PYTHON
        out[0xD800:0xE000] = BY_PYTHON
        _lower = out
    return _lower


def code_points(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The texts' code points end to end (lone surrogates kept) and each one's end."""
    ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))
    raw = "".join(texts).encode("utf-32-le", "surrogatepass")
    return np.frombuffer(raw, dtype=np.uint32), ends


def utf8(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """The UTF-8 bytes of a string array (nulls as ``""``) and each text's start and
    end in them, without a copy of the bytes; None for an array of another type."""
    if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
        return None
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    if chunk.null_count:  # a null's span of the bytes is not necessarily empty
        chunk = pc.fill_null(chunk, "")
    _, offsets, data = chunk.buffers()
    bounds = np.frombuffer(offsets, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    return raw, bounds.astype(np.int64)
