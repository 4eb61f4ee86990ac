"""Character n-gram TF-IDF at scoring time, vectorised: the same matrix as
scikit-learn's ``TfidfVectorizer(analyzer="char_wb")``, without its Python loop.

scikit-learn builds every n-gram of every word as a Python string and looks it
up in a dict: about 3,000 messages a second. Here each batch becomes one array
of code points; the n-grams of each length are rolling polynomial hashes over
it (numpy, 64-bit), kept where they stay inside one space-padded word, and
looked up in the sorted hashes of the fitted vocabulary. Counting, sublinear
term frequency, IDF and L2 normalisation follow scikit-learn exactly; a test
compares the two matrices.

A 64-bit hash of an n-gram outside the vocabulary could equal one inside it;
with half a million terms the chance per n-gram is about 3e-14.
"""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

_BASE = np.uint64(0x9E3779B97F4A7C15)
_LENGTH_MIX = np.uint64(0xC2B2AE3D27D4EB4F)
_WHITE = re.compile(r"\s\s+")


def _hash_terms(terms: list[str]) -> np.ndarray:
    """The hash of each term, computed for all terms of one length at once (a loop
    over half a million terms took seconds at every start)."""
    out = np.empty(len(terms), dtype=np.uint64)
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    with np.errstate(over="ignore"):
        for n in np.unique(lengths):
            which = np.flatnonzero(lengths == n)
            text = "".join([terms[k] for k in which]).encode("utf-32-le", "surrogatepass")
            points = np.frombuffer(text, dtype=np.uint32).reshape(len(which), int(n))
            h = np.zeros(len(which), dtype=np.uint64)
            for i in range(int(n)):
                h = h * _BASE + points[:, i].astype(np.uint64)
            out[which] = h ^ (np.uint64(n) * _LENGTH_MIX)
    return out


def _slot(h: np.ndarray, bits: int) -> np.ndarray:
    """Slot of each hash: the top bits after MurmurHash3's finaliser, which spreads
    polynomial hashes (whose top bits barely move for short n-grams) evenly."""
    with np.errstate(over="ignore"):
        x = h ^ (h >> np.uint64(33))
        x = x * np.uint64(0xFF51AFD7ED558CCD)
        x ^= x >> np.uint64(33)
        x = x * np.uint64(0xC4CEB9FE1A85EC53)
        x ^= x >> np.uint64(33)
    slots: np.ndarray = (x >> np.uint64(64 - bits)).astype(np.int64)
    return slots


class FastCharWB:
    """Scoring-time twin of a fitted char_wb ``TfidfVectorizer``."""

    def __init__(self, fitted: TfidfVectorizer) -> None:
        if fitted.analyzer != "char_wb" or not fitted.lowercase:
            raise ValueError("only a lower-casing char_wb vectorizer has a fast twin")
        self.min_n, self.max_n = fitted.ngram_range
        vocab: dict[str, int] = fitted.vocabulary_
        terms = list(vocab)
        hashes = _hash_terms(terms)
        if len(np.unique(hashes)) != len(hashes):
            raise ValueError("two vocabulary terms share a hash")
        self._table(hashes, np.array([vocab[t] for t in terms], dtype=np.int64))
        self.n_features = len(vocab)
        self.idf = np.asarray(fitted.idf_, dtype=np.float64)
        self.sublinear = fitted.sublinear_tf
        self.norm = fitted.norm
        self.dtype = fitted.dtype

    def _table(self, keys: np.ndarray, values: np.ndarray) -> None:
        """An open-addressing hash table (linear probing) at most half full: a lookup is
        one or two random reads, where a binary search over the sorted keys is twenty."""
        bits = max(10, int(np.ceil(np.log2(max(1, len(keys)) * 2))))
        self.mask = np.uint64((1 << bits) - 1)
        self.slot_keys = np.zeros(1 << bits, dtype=np.uint64)
        self.slot_values = np.full(1 << bits, -1, dtype=np.int32)
        slots = _slot(keys, bits)
        pending = np.arange(len(keys))
        while len(pending):
            at = slots[pending]
            free = self.slot_values[at] == -1
            # Several keys may want the same free slot: the first of each takes it.
            _, first = np.unique(at[free], return_index=True)
            winners = pending[free][first]
            self.slot_keys[slots[winners]] = keys[winners]
            self.slot_values[slots[winners]] = values[winners]
            done = np.zeros(len(keys), dtype=bool)
            done[winners] = True
            pending = pending[~done[pending]]
            slots[pending] = (slots[pending] + 1) & int(self.mask)
        self.bits = bits

    def lookup(self, h: np.ndarray) -> np.ndarray:
        """The column of each hash, or -1 when it is not in the vocabulary."""
        slots = _slot(h, self.bits)
        stored = self.slot_values[slots]
        found = (self.slot_keys[slots] == h) & (stored >= 0)
        out = np.where(found, stored, -1)
        # Rare: the first slot held another key; probe on for those only.
        pending = np.flatnonzero((stored >= 0) & ~found)
        while len(pending):
            slots[pending] = (slots[pending] + 1) & int(self.mask)
            at = slots[pending]
            stored_p = self.slot_values[at]
            hit = (stored_p >= 0) & (self.slot_keys[at] == h[pending])
            out[pending[hit]] = stored_p[hit]
            pending = pending[(stored_p >= 0) & ~hit]
        return out

    def transform(self, docs: list[str], chunk: int = 1024) -> sparse.csr_matrix:
        # Chunks keep the working arrays small enough to stay in cache: one pass over
        # 20,000 long messages is slower than twenty passes over 1,000 (measured).
        if len(docs) > chunk:
            parts = [self._transform(docs[i : i + chunk]) for i in range(0, len(docs), chunk)]
            return sparse.vstack(parts, format="csr")
        return self._transform(docs)

    def _transform(self, docs: list[str]) -> sparse.csr_matrix:
        pieces, seg_lengths, doc_of_seg = [], [], []
        for d, doc in enumerate(docs):
            for word in _WHITE.sub(" ", doc.lower()).split():
                pieces.append(f" {word} ")
                seg_lengths.append(len(word) + 2)
                doc_of_seg.append(d)
        if not pieces:
            return sparse.csr_matrix((len(docs), self.n_features), dtype=self.dtype)
        points = np.frombuffer("".join(pieces).encode("utf-32-le"), dtype=np.uint32)
        codes = points.astype(np.uint64)
        lengths = np.asarray(seg_lengths, dtype=np.int64)
        ends = np.cumsum(lengths)
        seg_end = np.repeat(ends, lengths)  # exclusive end of each position's word
        doc_at = np.repeat(np.asarray(doc_of_seg, dtype=np.int64), lengths)
        positions = np.arange(len(codes), dtype=np.int64)
        rows, cols = [], []
        rolling = np.zeros(len(codes), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for n in range(1, self.max_n + 1):
                if n > len(codes):
                    break  # no word is that long
                # rolling[i] is the hash of codes[i : i + n] where that stays in bounds.
                shifted = np.zeros(len(codes), dtype=np.uint64)
                shifted[: len(codes) - n + 1] = codes[n - 1 :]
                rolling = rolling * _BASE + shifted
                if n < self.min_n:
                    continue
                valid = positions + n <= seg_end
                h = rolling[valid] ^ (np.uint64(n) * _LENGTH_MIX)
                col = self.lookup(h)
                hit = col >= 0
                rows.append(doc_at[valid][hit])
                cols.append(col[hit])
        return self._tfidf(np.concatenate(rows), np.concatenate(cols), len(docs))

    def _tfidf(self, rows: np.ndarray, cols: np.ndarray, n_docs: int) -> sparse.csr_matrix:
        return tfidf(
            rows, cols, n_docs, self.n_features, self.idf, self.sublinear, self.norm, self.dtype
        )


def tfidf(
    rows: np.ndarray,
    cols: np.ndarray,
    n_docs: int,
    n_features: int,
    idf: np.ndarray,
    sublinear: bool,
    norm: str | None,
    dtype: object,
) -> sparse.csr_matrix:
    """Counts of (document, column) pairs → scikit-learn's TF-IDF rows."""
    keys = np.sort(rows * n_features + cols)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else keys
    counts = np.diff(np.r_[starts, len(keys)]).astype(np.float64)
    unique = keys[starts]
    doc, col = unique // n_features, unique % n_features
    data = 1.0 + np.log(counts) if sublinear else counts
    data *= idf[col]
    indptr = np.searchsorted(doc, np.arange(n_docs + 1))
    if norm == "l2":
        norms = np.sqrt(np.bincount(doc, weights=data * data, minlength=n_docs))
        norms[norms == 0] = 1.0
        data /= norms[doc]
    return sparse.csr_matrix((data.astype(dtype), col, indptr), shape=(n_docs, n_features))


class FastWords:
    """Scoring-time twin of a fitted word unigram+bigram ``TfidfVectorizer``.

    Tokens are found by the same regular expression and looked up once each; a
    bigram is a pair of consecutive known tokens, looked up by their two ids
    (a bigram kept by ``min_df`` has both its words kept too).
    """

    def __init__(self, fitted: TfidfVectorizer) -> None:
        if (
            fitted.analyzer != "word"
            or tuple(fitted.ngram_range) != (1, 2)
            or not fitted.lowercase
            or fitted.stop_words is not None
            or fitted.max_features is not None
        ):
            raise ValueError("no fast twin for this word vectorizer")
        vocab: dict[str, int] = fitted.vocabulary_
        self.pattern = re.compile(fitted.token_pattern)
        self.unigrams = {t: c for t, c in vocab.items() if " " not in t}
        n = len(vocab)
        pairs = []
        for term, col in vocab.items():
            if " " in term:
                a, b = term.split(" ")
                if a not in self.unigrams or b not in self.unigrams:
                    raise ValueError("a bigram whose words are not in the vocabulary")
                pairs.append((self.unigrams[a] * n + self.unigrams[b], col))
        pairs.sort()
        self.pair_keys = np.array([k for k, _ in pairs], dtype=np.int64)
        self.pair_cols = np.array([c for _, c in pairs], dtype=np.int64)
        self.n_features = n
        self.idf = np.asarray(fitted.idf_, dtype=np.float64)
        self.sublinear = fitted.sublinear_tf
        self.norm = fitted.norm
        self.dtype = fitted.dtype

    def transform(self, docs: list[str]) -> sparse.csr_matrix:
        tokens: list[str] = []
        lengths = []
        for doc in docs:
            found = self.pattern.findall(doc.lower())
            tokens.extend(found)
            lengths.append(len(found))
        get = self.unigrams.get
        ids = np.fromiter((get(t, -1) for t in tokens), dtype=np.int64, count=len(tokens))
        doc_of = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        known = ids >= 0
        rows, cols = [doc_of[known]], [ids[known]]
        if len(ids) > 1 and len(self.pair_keys):
            both = known[:-1] & known[1:] & (doc_of[:-1] == doc_of[1:])
            keys = ids[:-1][both] * self.n_features + ids[1:][both]
            at = np.clip(np.searchsorted(self.pair_keys, keys), 0, len(self.pair_keys) - 1)
            hit = self.pair_keys[at] == keys
            rows.append(doc_of[:-1][both][hit])
            cols.append(self.pair_cols[at[hit]])
        return tfidf(
            np.concatenate(rows),
            np.concatenate(cols),
            len(docs),
            self.n_features,
            self.idf,
            self.sublinear,
            self.norm,
            self.dtype,
        )
