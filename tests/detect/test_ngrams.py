"""The vectorised char_wb TF-IDF gives scikit-learn's matrix, to float precision."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from scamnet.detect.ngrams import FastCharWB
from tests.detect.corpus import CORPUS


def _fitted(ngram_range: tuple[int, int] = (1, 5)) -> TfidfVectorizer:
    vec = TfidfVectorizer(
        analyzer="char_wb", ngram_range=ngram_range, min_df=1, sublinear_tf=True, dtype=np.float32
    )
    return vec.fit(CORPUS * 2)


def _same(vec: TfidfVectorizer, docs: list[str], chunk: int = 2048) -> None:
    want = vec.transform(docs)
    got = FastCharWB(vec).transform(docs, chunk=chunk)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert abs(got - want).max() < 1e-6 if want.nnz else got.nnz == 0


def test_the_corpus_itself_and_unseen_text() -> None:
    vec = _fitted()
    _same(vec, CORPUS)
    _same(vec, ["完全没见过的句子 with unseen words", "🙂", "PAYPAL verify", ""])
    _same(vec, CORPUS * 3, chunk=4)  # chunked batches stack back in order


def test_other_ngram_ranges() -> None:
    _same(_fitted((2, 4)), CORPUS)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list("ab 你好\t\n\u3000€😀XY.")), max_size=30),
        min_size=1,
        max_size=8,
    )
)
def test_random_texts(docs: list[str]) -> None:
    _same(_fitted(), docs)


@pytest.mark.parametrize("kernel", [True, False], ids=["compiled", "numpy"])
def test_fast_probabilities_equal_scikit_learns(kernel: bool) -> None:
    from scamnet.detect.fused import FusedScorer
    from scamnet.detect.text import TextModel

    texts = [f"{t} {i}" for i in range(12) for t in CORPUS[:6]]
    labels = ["1" if i % 2 else "0" for i in range(len(texts))]
    unseen = ["恭喜您获得大奖，请点击链接领取", "see you at 8", *CORPUS]
    three = [str(i % 3) for i in range(len(texts))]  # one-vs-rest with three classes
    for y in (labels, three):
        model = TextModel("message").fit(texts, y)
        assert model.model is not None
        if not kernel:
            model.fused = False  # as when the kernel refuses the vectorizers
        want = model.model.predict_proba(model._matrix(unseen))
        assert np.abs(model.predict_proba(unseen) - want).max() < 1e-6
        assert isinstance(model.fused, FusedScorer) is kernel


def test_fast_words_equal_scikit_learns() -> None:
    from scamnet.detect.ngrams import FastWords

    vec = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        min_df=2,
        sublinear_tf=True,
        token_pattern=r"(?u)\b\w+\b",
        dtype=np.float32,
    )
    corpus = [f"{t} {t.split()[0] if t.split() else ''}" for t in CORPUS] * 2
    vec.fit(corpus)
    docs = [*corpus, "verify your account verify", "", "unknown words only"]
    want = vec.transform(docs)
    got = FastWords(vec).transform(docs)
    assert got.shape == want.shape and abs(got - want).max() < 1e-6
