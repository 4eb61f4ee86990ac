"""The plainest text detectors (issue 21): what ships when the tuned one does not beat it.

Exactly the plain rung of the baseline ladder (``bench/baselines.py``): TF-IDF of
character n-grams, 1–4 within word boundaries for messages and raw 3–5 for URLs,
under a logistic regression with C = 10 (lbfgs, up to 3,000 iterations), fitted on
the texts as given; the verdict is the most probable class. Nothing is tuned, so
nothing in it can have been tuned to the data it is judged on.

It scores as the shipped model does: the message vectoriser has a vectorised twin
(``FastCharWB``) and the regression is one sparse product. It explains itself the
same way, from the regression's coefficients: the n-grams that pushed a text
towards its class, merged back into the phrases of the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from scamnet.detect.data import strings
from scamnet.detect.ngrams import FastCharWB
from scamnet.detect.text import explain_rows

# The plain rung's settings, as the independent evaluation named them.
GRAMS = {"message": ("char_wb", (1, 4)), "url": ("char", (3, 5))}
C = 10.0
MAX_ITER = 3000


@dataclass
class PlainTextModel:
    """TF-IDF character n-grams and a logistic regression, with library defaults."""

    kind: str  # "message" or "url"
    classes: list[str] = field(default_factory=list)
    vectorizer: TfidfVectorizer | None = None
    model: LogisticRegression | None = None
    # Out-of-fold probabilities of the training texts, read once for the model card.
    held_out: np.ndarray | None = field(default=None, repr=False, compare=False)
    fast: FastCharWB | None = field(default=None, repr=False, compare=False)
    names: list[str] | None = field(default=None, repr=False, compare=False)

    def fit(self, texts: list[str], labels: list[str]) -> PlainTextModel:
        analyzer, grams = GRAMS[self.kind]
        self.vectorizer = TfidfVectorizer(analyzer=analyzer, ngram_range=grams)
        self.fast = None
        self.names = None
        x = self.vectorizer.fit_transform(texts)
        # One BLAS thread: L-BFGS's vector updates are too small to share out, and on a
        # busy two-core machine OpenBLAS's threads made a fit four times slower (th-sms,
        # 610 texts: 6.7 s against 1.7 s).
        with threadpool_limits(limits=1, user_api="blas"):
            self.model = LogisticRegression(C=C, max_iter=MAX_ITER).fit(x, labels)
        self.classes = [str(c) for c in self.model.classes_]
        return self

    def _matrix(self, texts: list[str]) -> sparse.csr_matrix:
        assert self.vectorizer is not None
        if self.vectorizer.analyzer == "char_wb":
            if self.fast is None:
                self.fast = FastCharWB(self.vectorizer)
            return self.fast.transform(texts)
        return self.vectorizer.transform(texts)

    def predict_proba(self, texts: list[str] | pa.ChunkedArray) -> np.ndarray:
        assert self.model is not None
        listed = texts if isinstance(texts, list) else strings(texts)
        proba: np.ndarray = self.model.predict_proba(self._matrix(listed))
        return proba

    def verdicts(self, proba: np.ndarray) -> np.ndarray:
        """The most probable class, as the plain rung decides."""
        return np.asarray(proba.argmax(axis=1))

    def params(self) -> dict[str, Any]:
        """What the model card records of how this model was built."""
        assert self.vectorizer is not None
        assert self.model is not None
        analyzer, grams = GRAMS[self.kind]
        return {
            "chars": {"analyzer": analyzer, "ngram_range": list(grams),
                      "terms": len(self.vectorizer.vocabulary_)},
            "logistic_regression": {"c": C, "solver": "lbfgs", "max_iter": MAX_ITER,
                                    "iterations": int(np.max(self.model.n_iter_))},
            "verdict": "the most probable class",
        }  # fmt: skip

    def explain(self, texts: list[str], classes: np.ndarray, top: int = 3) -> list[str]:
        """For each text, the phrases that pushed it towards class ``classes[i]``."""
        assert self.model is not None
        assert self.vectorizer is not None
        if self.names is None:
            self.names = list(self.vectorizer.get_feature_names_out())
        coef = np.asarray(self.model.coef_)
        return explain_rows(texts, self._matrix(texts), self.names, coef, classes, self.kind, top)

    def __getstate__(self) -> dict[str, Any]:
        # The twin and the names are rebuilt from the vectoriser on first use; saved,
        # they would double the payload.
        return {**self.__dict__, "fast": None, "names": None, "held_out": None}
