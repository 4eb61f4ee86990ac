"""Message scoring in one compiled pass: text → n-grams → TF-IDF → decision values.

``ngrams.py`` builds scikit-learn's sparse TF-IDF matrices with numpy, and the
scoring path then multiplies them by the coefficients. On a machine with a small
or busy cache that is memory-bound: every n-gram becomes an element of several
arrays that are sorted, gathered and assembled into a matrix, only to be
multiplied once. Here a compiled kernel (numba) walks each message once: it
hashes its char_wb n-grams and its word uni- and bigrams, finds their columns in
hash tables, counts them, applies sublinear TF × IDF and each block's L2 norm as
scikit-learn does, and adds each column's row of coefficients (every calibrated
SVM's classes side by side) to the message's decision values. No matrix is built.

What keeps it fast is memory, not arithmetic (about 400 n-grams a message, each a
random read in a 4 MB table and in a 20-40 MB coefficient matrix):

- A table slot is one 64-bit word, a fingerprint of the hash above the column,
  and eight slots make one 64-byte bucket: a lookup reads one cache line.
- A message's hashes are computed first, then looked up with the bucket of the
  lookup a few places ahead prefetched, so the memory latencies overlap.
- Counts go to a small table of the message's own (in the L1 cache), not to an
  array as long as the vocabulary.
- A coefficient row carries the column's IDF, and is prefetched the same way.

Equality with scikit-learn's pipeline is tested (``tests/detect/test_fused.py``).
The kernel reads ``text.lower()`` where scikit-learn reads ``normalise(text)``:
a text's words (char_wb) and ``\\w`` runs (tokens) do not change when its white
space is squeezed, and lower-casing twice is lower-casing once.

A term outside the vocabulary is taken for one inside it only if its 64-bit hash
shares its bucket and all of the fingerprint's 44 or more bits with it: about
1e-12 per n-gram, as for the 64-bit hashes of ``ngrams.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
import pyarrow as pa
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic
from sklearn.feature_extraction.text import TfidfVectorizer

from scamnet.detect.codepoints import (
    BY_PYTHON,
    SPACE,
    WORD,
    char_classes,
    code_points,
    lower_table,
    utf8,
)
from scamnet.detect.data import strings

_BASE = np.uint64(0x9E3779B97F4A7C15)
_LENGTH_MIX = np.uint64(0xC2B2AE3D27D4EB4F)
_PAD = 32  # the space scikit-learn puts around each word for char_wb
_SLOTS = 8  # 64-bit slots per bucket: one cache line
_AHEAD = 12  # lookups prefetched ahead: enough to cover a memory latency (measured)
# Messages per kernel call: bounds the UTF-32 copy of a batch, not the speed.
CHUNK = 8192
_NORMS = {None: 0, "l1": 1, "l2": 2}
# The token patterns the kernel reads (maximal runs of word characters of at least
# one or two characters); any other is scored another way.
_TOKEN_PATTERNS = {r"(?u)\b\w+\b": 1, r"(?u)\b\w\w+\b": 2}
_cgutils: Any = cgutils  # untyped helpers of numba's code generator
_F = TypeVar("_F", bound=Callable[..., Any])


def _kernel(fn: _F) -> _F:
    """Compiled by numba on first use, and cached on disk beside this module (or in
    the user's cache when it is read-only), so later processes only load it."""
    return cast(_F, njit(cache=True, nogil=True)(fn))


def _prefetch_of(typingctx: Any, array: Any, index: Any) -> Any:
    """LLVM's prefetch of ``array[index]`` into every cache level (numba has none)."""

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        kind = signature.args[0]
        data = context.make_array(kind)(context, builder, args[0])
        pointer = _cgutils.get_item_pointer(context, builder, kind, data, [args[1]])
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fn = _cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]),
            "llvm.prefetch.p0",
        )  # fmt: skip
        # read, highest temporal locality, data cache
        builder.call(fn, [builder.bitcast(pointer, byte_pointer), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen


_prefetch: Any = intrinsic(_prefetch_of)


@_kernel
def _mix(h: Any) -> Any:
    """MurmurHash3's 64-bit finaliser: spreads polynomial hashes over every bit."""
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


@_kernel
def _find(table: Any, shift: Any, vbits: Any, m: Any) -> Any:
    """The column stored for the mixed hash ``m``, or -1."""
    mask = len(table) // _SLOTS - 1
    bucket = np.int64(m >> shift)
    tag = m << vbits
    while True:
        base = bucket * _SLOTS
        for j in range(_SLOTS):
            entry = table[base + j]
            if entry == 0:
                return -1
            if (entry ^ tag) >> vbits == 0:
                return np.int64(entry & ((np.uint64(1) << vbits) - np.uint64(1))) - 1
        bucket = (bucket + 1) & mask  # a full bucket overflows into the next


@_kernel
def _fill(table: Any, keys: Any, values: Any, shift: Any, vbits: Any) -> bool:
    """Inserts every (mixed key, column); False if a key then finds another's column
    (two fingerprints equal within one bucket run)."""
    for i in range(len(keys)):
        m = _mix(keys[i])
        slot = np.int64(m >> shift) * _SLOTS
        while table[slot] != 0:
            slot += 1
            if slot == len(table):
                slot = np.int64(0)
        table[slot] = (m << vbits) | np.uint64(values[i] + 1)
    for i in range(len(keys)):  # noqa: SIM110 - numba compiles no generator expressions
        if _find(table, shift, vbits, _mix(keys[i])) != values[i]:
            return False
    return True


@_kernel
def _hash_terms(points: Any, ends: Any) -> Any:
    out = np.empty(len(ends), dtype=np.uint64)
    start = 0
    for k in range(len(ends)):
        h = np.uint64(0)
        for i in range(start, ends[k]):
            h = h * _BASE + np.uint64(points[i])
        out[k] = h ^ (np.uint64(ends[k] - start) * _LENGTH_MIX)
        start = ends[k]
    return out


def hash_terms(terms: list[str]) -> np.ndarray:
    """The 64-bit hash of each term, as the kernel computes it over a text."""
    points, ends = code_points(terms)
    hashes: np.ndarray = _hash_terms(points, ends)
    return hashes


def _aligned(n: int, dtype: Any) -> np.ndarray:
    """Zeros whose first element starts a 64-byte cache line."""
    size = np.dtype(dtype).itemsize
    raw = np.zeros(n + 64 // size, dtype=dtype)
    skip = (-raw.ctypes.data % 64) // size
    out: np.ndarray = raw[skip : skip + n]
    return out


class Table:
    """A read-only hash table from 64-bit keys to columns: 8-slot buckets, at most
    two-thirds full, so that a lookup nearly always reads one cache line."""

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        ordered = np.sort(keys)
        if (ordered[1:] == ordered[:-1]).any():
            raise ValueError("two vocabulary terms share a hash")
        vbits = max(1, int(values.max(initial=0) + 1).bit_length())
        bits = max(1, int(np.ceil(np.log2(max(1, len(keys)) * 1.5 / _SLOTS))))
        self.table = _aligned(_SLOTS << bits, np.uint64)
        self.shift, self.vbits = np.uint64(64 - bits), np.uint64(vbits)
        keys = keys.astype(np.uint64)
        if not _fill(self.table, keys, values.astype(np.int64), self.shift, self.vbits):
            raise ValueError("two vocabulary terms share a fingerprint")

    def args(self) -> tuple[np.ndarray, np.uint64, np.uint64]:
        return self.table, self.shift, self.vbits


@_kernel
def _char_hashes(points: Any, start: int, end: int, classes: Any, min_n: int, max_n: int,
                 out: Any) -> int:  # fmt: skip
    """The mixed hashes of one text's char_wb n-grams, as scikit-learn's
    ``_char_wb_ngrams`` makes them: every n-gram of each space-padded word, and a
    word shorter than ``min_n`` once, whole. Returns how many."""
    n = 0
    i = start
    while i < end:
        if classes[points[i]] & SPACE:
            i += 1
            continue
        j = i
        while j < end and not classes[points[j]] & SPACE:
            j += 1
        length = j - i + 2  # with the two pads
        for s in range(length):
            h = np.uint64(0)
            for k in range(1, min(max_n, length - s) + 1):
                at = s + k - 1
                c = _PAD if at == 0 or at == length - 1 else points[i + at - 1]
                h = h * _BASE + np.uint64(c)
                if k >= min_n or k == length:
                    out[n] = _mix(h ^ (np.uint64(k) * _LENGTH_MIX))
                    n += 1
            if length < min_n:
                break  # the short word was counted once, whole
        i = j
    return n


@_kernel
def _count(hashes: Any, n: int, table: Any, shift: Any, vbits: Any, keys: Any, counts: Any,
           used: Any) -> int:  # fmt: skip
    """Looks the hashes up and counts each column found in the small open-addressing
    table ``keys``/``counts`` (all -1 on entry; ``used`` lists the slots taken)."""
    size, bits = 64, 6
    while size < 2 * n:
        size, bits = size * 2, bits + 1
    fold = np.uint64(64 - bits)
    taken = 0
    for i in range(n):
        if i + _AHEAD < n:
            _prefetch(table, np.int64(hashes[i + _AHEAD] >> shift) * _SLOTS)
        col = _find(table, shift, vbits, hashes[i])
        if col < 0:
            continue
        slot = np.int64((np.uint64(col) * _BASE) >> fold)
        while keys[slot] != col and keys[slot] != -1:
            slot = (slot + 1) & (size - 1)
        if keys[slot] == -1:
            keys[slot] = col
            counts[slot] = 0
            used[taken] = slot
            taken += 1
        counts[slot] += 1
    return taken


@_kernel
def _accumulate(keys: Any, counts: Any, used: Any, taken: int, sublinear: bool, norm: int,
                rows: Any, first: int, width: int, raw: Any, acc: Any) -> None:  # fmt: skip
    """Adds one text's TF-IDF row (one block) times the coefficients to ``acc``, and
    empties the counting table. ``rows`` holds one row a column from ``first`` on:
    the column's ``width`` coefficients, then its IDF. The norm divides the sum
    once, at the end, so that each row is read once."""
    stride = width + 1
    raw[:] = 0.0
    total = 0.0
    for t in range(taken):
        if t + _AHEAD < taken:
            _prefetch(rows, (first + keys[used[t + _AHEAD]]) * stride)
        at = (first + keys[used[t]]) * stride
        tf = float(counts[used[t]])
        v = (1.0 + np.log(tf) if sublinear else tf) * rows[at + width]
        total += v * v if norm == 2 else abs(v)
        for k in range(width):
            raw[k] += v * rows[at + k]
        keys[used[t]] = -1
    scale = 1.0
    if norm == 2 and total > 0.0:
        scale = np.sqrt(total)
    elif norm == 1 and total > 0.0:
        scale = total
    for k in range(width):
        acc[k] += raw[k] / scale


@_kernel
def _word_hashes(points: Any, start: int, end: int, classes: Any, words: Any, n_cols: int,
                 min_len: int, out: Any) -> int:  # fmt: skip
    """The mixed hashes of one text's tokens (maximal runs of ``\\w``) and of the
    bigrams of consecutive known tokens (found by their two tokens' columns)."""
    n = 0
    prev = -1
    i = start
    while i < end:
        if not classes[points[i]] & WORD:
            i += 1
            continue
        h = np.uint64(0)
        j = i
        while j < end and classes[points[j]] & WORD:
            h = h * _BASE + np.uint64(points[j])
            j += 1
        if j - i >= min_len:
            m = _mix(h ^ (np.uint64(j - i) * _LENGTH_MIX))
            col = _find(words[0], words[1], words[2], m)
            if col >= 0:
                out[n] = m
                n += 1
                if prev >= 0:
                    out[n] = _mix(np.uint64(prev * n_cols + col))
                    n += 1
            prev = col
        i = j
    return n


@_kernel
def _decisions(points: Any, ends: Any, classes: Any, chars: Any, words: Any, grams: Any,
               tokens: Any, rows: Any, bias: Any) -> Any:  # fmt: skip
    """Decision values of every text: one row of ``len(bias)`` columns each."""
    min_n, max_n, c_sub, c_norm = grams
    n_cols, min_len, w_sub, w_norm, split = tokens
    longest = 0
    start = 0
    for d in range(len(ends)):
        longest = max(longest, ends[d] - start)
        start = ends[d]
    # Per text at most max_n n-grams a position, two pads a word, two hashes a token.
    hashes = np.empty(max_n * 3 * longest + 2, dtype=np.uint64)
    keys = np.full(4 * len(hashes) + 64, -1, dtype=np.int64)  # _count's table, at most half full
    counts = np.zeros(len(keys), dtype=np.int64)
    used = np.empty(len(hashes), dtype=np.int64)
    out = np.empty((len(ends), len(bias)))
    acc, raw = np.empty(len(bias)), np.empty(len(bias))
    start = 0
    for d in range(len(ends)):
        end = ends[d]
        acc[:] = bias
        n = _char_hashes(points, start, end, classes, min_n, max_n, hashes)
        taken = _count(hashes, n, chars[0], chars[1], chars[2], keys, counts, used)
        _accumulate(keys, counts, used, taken, c_sub, c_norm, rows, 0, len(bias), raw, acc)
        n = _word_hashes(points, start, end, classes, words, n_cols, min_len, hashes)
        taken = _count(hashes, n, words[0], words[1], words[2], keys, counts, used)
        _accumulate(keys, counts, used, taken, w_sub, w_norm, rows, split, len(bias), raw, acc)
        out[d] = acc
        start = end
    return out


@_kernel
def _decode(data: Any, lo: int, hi: int, lower: Any, out: Any) -> int:
    """The lower-cased code points of the UTF-8 text ``data[lo:hi]`` into ``out``, and
    how many; -1 when Python must read the text: it is not valid UTF-8 (which
    Python refuses), or holds a character ``str.lower()`` lowers by its context or
    into two (``codepoints.BY_PYTHON``)."""
    n = 0
    i = lo
    while i < hi:
        c = np.uint32(data[i])
        i += 1
        if c >= 0x80:
            if 0xC2 <= c < 0xE0:
                more, c, least = 1, c & np.uint32(0x1F), 0x80
            elif 0xE0 <= c < 0xF0:
                more, c, least = 2, c & np.uint32(0x0F), 0x800
            elif 0xF0 <= c < 0xF5:
                more, c, least = 3, c & np.uint32(0x07), 0x10000
            else:
                return -1
            if i + more > hi:
                return -1
            for _ in range(more):
                b = np.uint32(data[i])
                if b & np.uint32(0xC0) != 0x80:
                    return -1
                c = (c << np.uint32(6)) | (b & np.uint32(0x3F))
                i += 1
            if c < least or c > 0x10FFFF:  # overlong, or beyond Unicode
                return -1
        m = lower[c]  # surrogates, which UTF-8 may not encode, are BY_PYTHON
        if m == BY_PYTHON:
            return -1
        out[n] = m
        n += 1
    return n


@_kernel
def _decode_all(data: Any, bounds: Any, lower: Any) -> Any:
    """The lower-cased code points of the UTF-8 texts ``data[bounds[d]:bounds[d + 1]]``
    end to end, each one's end, and which texts are left to Python (read as empty)."""
    count = len(bounds) - 1
    points = np.empty(bounds[count] - bounds[0], dtype=np.uint32)  # bytes: at least the points
    ends = np.empty(count, dtype=np.int64)
    by_python = np.zeros(count, dtype=np.bool_)
    n = 0
    for d in range(count):
        k = _decode(data, bounds[d], bounds[d + 1], lower, points[n:])
        if k < 0:
            by_python[d] = True
            k = 0
        n += k
        ends[d] = n
    return points[:n], ends, by_python


def _idf(fitted: TfidfVectorizer) -> np.ndarray:
    if not fitted.use_idf:
        return np.ones(len(fitted.vocabulary_))
    return np.asarray(fitted.idf_, dtype=np.float64)


def _plain(fitted: TfidfVectorizer) -> bool:
    """Whether the vectorizer does nothing the kernel does not (lower-casing, no
    accents stripped, no callables, counts not binarised)."""
    return (
        fitted.lowercase
        and fitted.strip_accents is None
        and fitted.preprocessor is None
        and fitted.tokenizer is None
        and not fitted.binary
        and fitted.input == "content"
        and fitted.norm in _NORMS
    )


class FusedScorer:
    """The decision values of linear models over a char_wb TF-IDF block and a word
    uni+bigram TF-IDF block, stacked in that order, in one compiled pass.

    Args:
        chars: the fitted char_wb vectorizer.
        words: the fitted word vectorizer, ``ngram_range=(1, 2)``.
        weights: coefficients, one row per column of the two blocks, one column per
            decision value (several models side by side).
        bias: one intercept per decision value.

    Raises:
        ValueError: when a vectorizer does something the kernel does not; the
            caller scores another way.
    """

    def __init__(self, chars: TfidfVectorizer, words: TfidfVectorizer, weights: np.ndarray,
                 bias: np.ndarray) -> None:  # fmt: skip
        if chars.analyzer != "char_wb" or not _plain(chars):
            raise ValueError("the kernel reads only a plain lower-casing char_wb vectorizer")
        if (
            words.analyzer != "word"
            or not _plain(words)
            or tuple(words.ngram_range) != (1, 2)
            or words.stop_words is not None
            or words.token_pattern not in _TOKEN_PATTERNS
        ):
            raise ValueError("the kernel reads only \\w+ word uni- and bigrams")
        c_vocab: dict[str, int] = chars.vocabulary_
        w_vocab: dict[str, int] = words.vocabulary_
        if weights.shape[0] != len(c_vocab) + len(w_vocab) or len(bias) != weights.shape[1]:
            raise ValueError("the coefficients do not match the vocabularies")
        min_n, max_n = chars.ngram_range
        # Columns renumbered by document frequency, most frequent first: the rows most
        # texts touch then share a few megabytes of cache instead of all forty.
        c_idf = _idf(chars)
        order = np.argsort(c_idf, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        columns = rank[np.fromiter(c_vocab.values(), np.int64)]
        chars_table = Table(hash_terms(list(c_vocab)), columns)
        unigrams = {t: c for t, c in w_vocab.items() if " " not in t}
        keys = list(hash_terms(list(unigrams)))
        for term in w_vocab:
            if " " in term:
                a, b = term.split(" ")
                if a not in unigrams or b not in unigrams:
                    raise ValueError("a bigram whose words are not in the vocabulary")
                keys.append(np.uint64(unigrams[a] * len(w_vocab) + unigrams[b]))
        cols = [*unigrams.values(), *(c for t, c in w_vocab.items() if " " in t)]
        # One table for the word block: tokens by their hash, bigrams by their columns.
        words_table = Table(np.array(keys, dtype=np.uint64), np.array(cols, dtype=np.int64))
        self.chars = chars_table.args()
        self.words = words_table.args()
        self.grams = (min_n, max_n, bool(chars.sublinear_tf), _NORMS[chars.norm])
        self.tokens = (len(w_vocab), _TOKEN_PATTERNS[words.token_pattern],
                       bool(words.sublinear_tf), _NORMS[words.norm], len(c_vocab))  # fmt: skip
        # One row a column: its coefficients, then its IDF (read together).
        width = weights.shape[1]
        self.rows = _aligned(weights.shape[0] * (width + 1), np.float32)
        rows = self.rows.reshape(-1, width + 1)
        rows[:, :width] = np.r_[weights[: len(c_vocab)][order], weights[len(c_vocab) :]]
        rows[:, width] = np.r_[c_idf[order], _idf(words)]
        self.bias = np.asarray(bias, dtype=np.float64)

    def decisions(self, texts: list[str]) -> np.ndarray:
        """One row of decision values per text (texts as the vectorizers would read
        them, or ``normalise``d: white space and case do not matter)."""
        classes = char_classes()
        out = np.empty((len(texts), len(self.bias)))
        for i in range(0, len(texts), CHUNK):
            points, ends = code_points([t.lower() for t in texts[i : i + CHUNK]])
            out[i : i + CHUNK] = _decisions(
                points, ends, classes, self.chars, self.words, self.grams, self.tokens,
                self.rows, self.bias,
            )  # fmt: skip
        return out

    def column_decisions(self, column: pa.ChunkedArray | pa.Array) -> np.ndarray:
        """``decisions`` of an Arrow column of texts (nulls read as ``""``), read from
        its UTF-8 bytes: no Python string is made, except of a text the kernel leaves
        to Python (``_decode``), or of a column that does not hold strings."""
        chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
        out = np.empty((len(column), len(self.bias)))
        at = 0
        for chunk in chunks:
            out[at : at + len(chunk)] = self._chunk_decisions(chunk)
            at += len(chunk)
        return out

    def _chunk_decisions(self, chunk: pa.Array) -> np.ndarray:
        bytes_ = utf8(chunk) if len(chunk) else None
        if bytes_ is None:
            return self.decisions(strings(chunk))
        data, bounds = bytes_
        classes, lower = char_classes(), lower_table()
        out = np.empty((len(chunk), len(self.bias)))
        for i in range(0, len(chunk), CHUNK):
            points, ends, by_python = _decode_all(data, bounds[i : i + CHUNK + 1], lower)
            out[i : i + CHUNK] = _decisions(
                points, ends, classes, self.chars, self.words, self.grams, self.tokens,
                self.rows, self.bias,
            )  # fmt: skip
            left = i + np.flatnonzero(by_python)
            if len(left):  # the kernel read them as ""
                out[left] = self.decisions(strings(chunk.take(pa.array(left))))
        return out
