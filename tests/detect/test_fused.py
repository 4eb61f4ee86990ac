"""The compiled message scorer gives scikit-learn's decision values, to float precision.

The reference is what ``TextModel`` fits and scikit-learn computes: both vectorizers
on ``normalise(text)``, their TF-IDF blocks stacked and multiplied by the
coefficients. The kernel reads the raw texts (``FusedScorer.decisions``).
"""

from __future__ import annotations

import pickle
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from scamnet.detect import fused
from scamnet.detect.fused import FusedScorer, Table
from scamnet.detect.text import TextModel, normalise
from tests.detect.corpus import CORPUS

# Characters that try the kernel's reading of text: case that changes length when
# lowered (İ), the final sigma, Unicode white space str.split() knows and one it
# does not (U+200B), word characters beyond ASCII, underscore, digits, emoji.
ALPHABET = list("ab AB_9 你好\t\n\x1c\u3000\xa0\u2028\u200b€😀Σσİ.-")


def _scorer(corpus: list[str], char_range: tuple[int, int] = (1, 5), min_df: int = 1,
            token_pattern: str = r"(?u)\b\w+\b") -> tuple[FusedScorer, TfidfVectorizer,
                                                          TfidfVectorizer, np.ndarray]:  # fmt: skip
    prepared = [normalise(t) for t in corpus]
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=char_range, min_df=min_df,
                            sublinear_tf=True, dtype=np.float32).fit(prepared)  # fmt: skip
    words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=min_df,
                            sublinear_tf=True, token_pattern=token_pattern,
                            dtype=np.float32).fit(prepared)  # fmt: skip
    n = len(chars.vocabulary_) + len(words.vocabulary_)
    # Coefficients exactly representable in float32, as the kernel keeps them.
    weights = np.random.default_rng(0).normal(size=(n, 4)).astype(np.float32).astype(np.float64)
    bias = np.array([0.5, -1.0, 0.0, 2.0])
    return FusedScorer(chars, words, weights, bias), chars, words, weights


def _reference(chars: TfidfVectorizer, words: TfidfVectorizer, weights: np.ndarray,
               docs: list[str]) -> np.ndarray:  # fmt: skip
    prepared = [normalise(t) for t in docs]
    x = sparse.hstack([chars.transform(prepared), words.transform(prepared)]).tocsr()
    return np.asarray(x @ weights) + np.array([0.5, -1.0, 0.0, 2.0])


def _same(docs: list[str], corpus: list[str] = CORPUS, **kwargs: object) -> None:
    scorer, chars, words, weights = _scorer(corpus, **kwargs)  # type: ignore[arg-type]
    want = _reference(chars, words, weights, docs)
    assert np.abs(scorer.decisions(docs) - want).max(initial=0.0) < 1e-6


def test_the_corpus_and_unseen_texts() -> None:
    _same(CORPUS)
    assert _random_scorer()[0].decisions([]).shape == (0, 4)
    _same(["完全没见过的句子 with unseen words", "🙂", "PAYPAL Verify", "", "你好你好你好"])


def test_short_words_other_ranges_and_min_df() -> None:
    # With min_n = 3, a one-letter word (" a ", three with its pads) or a lone letter
    # is counted once, whole, as scikit-learn does for words shorter than min_n.
    _same(CORPUS, char_range=(3, 5))
    _same(CORPUS, char_range=(4, 4))
    _same(CORPUS, char_range=(2, 4), min_df=2, token_pattern=r"(?u)\b\w\w+\b")


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(ALPHABET), max_size=40), min_size=1,
                max_size=8))  # fmt: skip
def test_random_texts(docs: list[str]) -> None:
    scorer, chars, words, weights = _random_scorer()
    want = _reference(chars, words, weights, docs)
    assert np.abs(scorer.decisions(docs) - want).max(initial=0.0) < 1e-6


_fitted: list[tuple[FusedScorer, TfidfVectorizer, TfidfVectorizer, np.ndarray]] = []


def _random_scorer() -> tuple[FusedScorer, TfidfVectorizer, TfidfVectorizer, np.ndarray]:
    # Fitted once on texts from the same alphabet, so random texts hit the vocabulary.
    if not _fitted:
        rng = np.random.default_rng(1)
        corpus = ["".join(rng.choice(ALPHABET, size=30)) for _ in range(60)]
        _fitted.append(_scorer([*corpus, *CORPUS], min_df=2))
    return _fitted[0]


def test_long_texts_and_batches_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    long = " ".join(CORPUS) * 200  # about 60,000 characters
    _same([long, "", long.upper()])
    monkeypatch.setattr(fused, "CHUNK", 3)  # several kernel calls stack back in order
    _same(CORPUS * 2)


def test_a_lone_surrogate_is_read_not_refused() -> None:
    _same(["abc\ud800def 你好", "\udfff"])


def test_character_classes_are_pythons() -> None:
    classes = fused.char_classes()
    chars = [chr(c) for c in range(0x110000)]
    space = np.fromiter((c.isspace() for c in chars), dtype=bool, count=len(chars))
    # re's \w on str: alphanumeric in Unicode, or the underscore.
    word = np.fromiter((c.isalnum() or c == "_" for c in chars), dtype=bool, count=len(chars))
    assert np.array_equal(classes & 1 != 0, space)
    assert np.array_equal(classes & 2 != 0, word)
    assert all(bool(re.fullmatch(r"\w", chars[c])) for c in np.flatnonzero(word)[::997])


def test_what_the_kernel_does_not_read_is_refused() -> None:
    _, chars, words, weights = _scorer(CORPUS)
    bias = np.zeros(4)
    FusedScorer(chars, words, weights, bias)
    for change in ({"binary": True}, {"token_pattern": r"(?u)\b\w\w\w+\b"},
                   {"strip_accents": "unicode"}, {"lowercase": False}):  # fmt: skip
        odd = pickle.loads(pickle.dumps(words)).set_params(**change)
        with pytest.raises(ValueError, match="kernel"):
            FusedScorer(chars, odd, weights, bias)
    with pytest.raises(ValueError, match="coefficients"):
        FusedScorer(chars, words, weights[:-1], bias)
    with pytest.raises(ValueError, match="share a hash"):
        Table(np.array([7, 9, 7], dtype=np.uint64), np.array([0, 1, 2]))


def test_a_table_finds_every_key_and_nothing_else() -> None:
    keys = np.random.default_rng(2).integers(0, 2**63, size=5000, dtype=np.uint64)
    table = Table(keys, np.arange(5000))
    args = table.args()

    def find(key: np.uint64) -> int:
        return int(fused._find(*args, np.uint64(fused._mix(key))))

    assert [find(k) for k in keys[:300]] == list(range(300))
    others = np.random.default_rng(3).integers(0, 2**63, size=300, dtype=np.uint64)
    assert all(find(k) == -1 for k in set(others) - set(keys))


def test_text_model_scores_through_the_kernel_and_saves_without_it() -> None:
    texts = [f"{t} {i}" for i in range(12) for t in CORPUS[:6]]
    labels = [str(i % 3) for i in range(len(texts))]
    model = TextModel("message").fit(texts, labels)
    assert model.model is not None
    unseen = ["恭喜您获得大奖，请点击链接领取", "see you at 8", *CORPUS]
    want = model.model.predict_proba(model._matrix(unseen))
    assert np.abs(model.predict_proba(unseen) - want).max() < 1e-6
    assert isinstance(model.fused, FusedScorer)
    saved = pickle.loads(pickle.dumps(model))
    assert saved.fused is None and saved.fast is None
    assert np.abs(saved.predict_proba(unseen) - want).max() < 1e-6
