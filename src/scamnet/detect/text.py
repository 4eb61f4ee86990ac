"""Message and URL detectors: character n-grams, so no language is privileged.

Character n-grams read Chinese, Thai (written without spaces), English and
French alike, and survive the spacing tricks scam texts use. A linear model on
them is fast to score and explains itself: the n-grams with the largest
contributions, merged back into the phrases of the text they came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
from scipy import sparse
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from scamnet.detect.data import strings
from scamnet.detect.ngrams import FastCharWB, FastWords
from scamnet.detect.urlfeatures import LEXICAL_NAMES, LEXICAL_V1, lexical_matrix

if TYPE_CHECKING:  # numba is imported when a message is first scored, not at start-up
    from scamnet.detect.fused import FusedScorer

_SPACES = re.compile(r"\s+")
# The explanation when no n-gram pushes towards a fraud class (a plainly normal text).
NOTHING = {"message": "no phrase points to a scam", "url": "nothing in the URL points to phishing"}


def normalise(text: str) -> str:
    """Lower case, and white space squeezed (spaced-out characters are a filter dodge)."""
    return _SPACES.sub(" ", text.lower()).strip()


@dataclass
class TextModel:
    """A TF-IDF character n-gram model with a logistic regression on top."""

    kind: str  # "message" or "url"
    c: float = 1.0
    classes: list[str] = field(default_factory=list)
    vectorizer: TfidfVectorizer | None = None
    words: TfidfVectorizer | None = None
    model: CalibratedClassifierCV | None = None
    coef: np.ndarray | None = None
    # Added to the log-probabilities before the verdict is taken (see ``_fit_offsets``).
    offsets: np.ndarray | None = None
    # The URL lexical features the model was trained on (None: those of version 1).
    lexical_names: tuple[str, ...] | None = None
    # Held-out probabilities of the training texts, read once for the model card.
    held_out: np.ndarray | None = field(default=None, repr=False, compare=False)
    # The vectorised twin of ``vectorizer`` for scoring, built on first use.
    fast: FastCharWB | None = field(default=None, repr=False, compare=False)
    fast_words: FastWords | None = field(default=None, repr=False, compare=False)
    # The compiled scorer of messages (``fused.py``); False when the vectorizers ask
    # for something it does not do, and the numpy twins score instead.
    fused: FusedScorer | bool | None = field(default=None, repr=False, compare=False)
    names: list[str] | None = field(default=None, repr=False, compare=False)

    def _prepare(self, texts: list[str]) -> list[str]:
        if self.kind == "message":
            return [normalise(t) for t in texts]
        return [t.strip().lower() for t in texts]

    def _matrix(self, texts: list[str], fit: bool = False) -> sparse.csr_matrix:
        prepared = self._prepare(texts)
        assert self.vectorizer is not None
        if fit:
            parts = [self.vectorizer.fit_transform(prepared)]
        elif self.vectorizer.analyzer == "char_wb":
            if self.fast is None:
                self.fast = FastCharWB(self.vectorizer)
            parts = [self.fast.transform(prepared)]
        else:
            parts = [self.vectorizer.transform(prepared)]
        if self.words is not None:  # whole words help where words are spaced (en, fr)
            parts.append(self.words.fit_transform(prepared) if fit
                         else self.words.transform(prepared))  # fmt: skip
        if self.kind == "url":
            parts.append(sparse.csr_matrix(lexical_matrix(texts, self._lexical())))
        return sparse.hstack(parts).tocsr()

    def fit(self, texts: list[str], labels: list[str], normal: str | None = None) -> TextModel:
        """Fit on ``labels``; with two classes, the verdict favours F1 of the class that
        is not ``normal`` (or of the rarer one, when no normal class is named)."""
        # Messages: characters within word boundaries, 1-5; URLs: raw characters, 2-5.
        analyzer, grams = ("char_wb", (1, 5)) if self.kind == "message" else ("char", (2, 5))
        # A refit vocabulary needs new twins and names.
        self.fast = self.fast_words = self.fused = self.names = None
        self.lexical_names = tuple(LEXICAL_NAMES)
        self.vectorizer = TfidfVectorizer(
            analyzer=analyzer, ngram_range=grams, min_df=2, sublinear_tf=True,
            max_features=500_000, dtype=np.float32,
        )  # fmt: skip
        if self.kind == "message":
            self.words = TfidfVectorizer(
                analyzer="word", ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                token_pattern=r"(?u)\b\w+\b", dtype=np.float32,  # noqa: S106
            )  # fmt: skip
        x = self._matrix(texts, fit=True)
        # A linear SVM separates sparse text best; Platt scaling over three folds turns
        # its margins into probabilities (Platt 1999), which the score must be.
        folds = max(2, min(3, min(labels.count(c) for c in set(labels))))
        splits = StratifiedKFold(folds)  # named, so the held-out folds can be found again
        # liblinear's default 1,000 passes stop short on 40,000 URLs; 5,000 cost nothing more
        # where it converges sooner.
        svm = LinearSVC(C=self.c, max_iter=5000)
        self.model = CalibratedClassifierCV(svm, cv=splits, method="sigmoid")
        self.model.fit(x, labels)
        self.classes = [str(c) for c in self.model.classes_]
        self.coef = np.mean(
            [cc.estimator.coef_ for cc in self.model.calibrated_classifiers_], axis=0
        )
        self.held_out = self._held_out_proba(x, labels, splits)
        self.offsets = self._fit_offsets(self.held_out, labels, normal)
        return self

    def _held_out_proba(self, x: sparse.csr_matrix, labels: list[str], splits: StratifiedKFold
                        ) -> np.ndarray:  # fmt: skip
        """Each training text's probabilities from the calibrated SVM that did not see it."""
        assert self.model is not None
        oof = np.zeros((len(labels), len(self.classes)))
        members = self.model.calibrated_classifiers_
        for member, (_, held) in zip(members, splits.split(x, labels), strict=True):
            oof[held] = member.predict_proba(x[held])
        return oof

    def params(self) -> dict[str, Any]:
        """What the model card records of how this model was built."""
        assert self.vectorizer is not None
        folds = len(self.model.calibrated_classifiers_) if self.model else 0
        wanted = ("analyzer", "ngram_range", "min_df", "max_features")
        out: dict[str, Any] = {
            "chars": {k: self.vectorizer.get_params()[k] for k in wanted},
            "svm_c": self.c,
            "calibration": f"sigmoid (Platt), {folds} folds",
        }
        if self.words is not None:
            out["words"] = {k: self.words.get_params()[k] for k in ("ngram_range", "min_df")}
        if self.kind == "url":
            out["lexical"] = list(self._lexical())
        if self.offsets is not None:
            out["log_probability_offsets"] = self.offsets.round(4).tolist()
        return out

    def _fit_offsets(self, oof: np.ndarray, labels: list[str], normal: str | None
                     ) -> np.ndarray | None:  # fmt: skip
        """For two classes, a shift of the fraud class's log-probability that maximises
        its F1, found on the training texts each calibrated SVM did not see: the more
        probable class is not the F1-best verdict when one class is rare (en-sms-spam:
        F1 0.966 to 0.970). Per-class shifts for several classes were tried and
        over-fitted (zh-fraud-texts macro-F1 0.980 to 0.976), so those keep argmax."""
        if len(self.classes) != 2:
            return None
        target = None if normal not in self.classes else 1 - self.classes.index(normal)
        logp = np.log(np.clip(oof, 1e-9, 1.0))
        return rare_class_shift(logp, np.array(labels), self.classes, target)

    def verdicts(self, proba: np.ndarray) -> np.ndarray:
        """Index of the class chosen for each row of ``predict_proba``'s output."""
        if self.offsets is None:
            return np.asarray(proba.argmax(axis=1))
        shifted = np.log(np.clip(proba, 1e-9, 1.0)) + self.offsets
        return np.asarray(shifted.argmax(axis=1))

    def predict_proba(self, texts: list[str] | pa.ChunkedArray) -> np.ndarray:
        """Class probabilities of each text; an Arrow column of them is read as
        ``column()`` reads it (nulls as ``""``)."""
        assert self.model is not None
        if self.kind == "message" and self.words is not None and _sigmoid_linear(self.model):
            return self._fast_proba(texts)
        listed = texts if isinstance(texts, list) else strings(texts)
        proba: np.ndarray = self.model.predict_proba(self._matrix(listed))
        return proba

    def _fast_proba(self, texts: list[str] | pa.ChunkedArray, chunk: int = 1024) -> np.ndarray:
        """``predict_proba`` from the decision values of every calibrated SVM side by
        side, and their sigmoid calibration applied as scikit-learn applies it."""
        assert self.model is not None
        members = self.model.calibrated_classifiers_
        fused = self._fused()
        if fused is None:
            weights, bias = self._stacked()
            listed = texts if isinstance(texts, list) else strings(texts)
            decisions = self._block_decisions(listed, weights, chunk) + bias
        elif isinstance(texts, list):
            decisions = fused.decisions(texts)
        else:
            decisions = fused.column_decisions(texts)
        per = decisions.shape[1] // len(members)
        proba = np.zeros((len(texts), len(self.model.classes_)))
        for k, member in enumerate(members):
            proba += _calibrate(member.calibrators, decisions[:, k * per : (k + 1) * per],
                                len(self.model.classes_))  # fmt: skip
        return proba / len(members)

    def _stacked(self) -> tuple[np.ndarray, np.ndarray]:
        """The coefficients and intercepts of every calibrated SVM side by side."""
        assert self.model is not None
        members = self.model.calibrated_classifiers_
        weights = np.hstack([m.estimator.coef_.T for m in members])
        return weights, np.concatenate([m.estimator.intercept_ for m in members])

    def _fused(self) -> FusedScorer | None:
        """The compiled scorer, built on first use (its tables take a fraction of a
        second; its kernel is compiled once and cached on disk by numba). The stacked
        coefficients are built only then: once a call, they cost a fortieth of it."""
        if self.fused is None:
            from scamnet.detect.fused import FusedScorer

            assert self.vectorizer is not None
            assert self.words is not None
            try:
                self.fused = FusedScorer(self.vectorizer, self.words, *self._stacked())
            except ValueError:
                self.fused = False
        return self.fused if not isinstance(self.fused, bool) else None

    def _block_decisions(self, texts: list[str], weights: np.ndarray, chunk: int
                         ) -> np.ndarray:  # fmt: skip
        """Decision values without the kernel: each feature block (numpy twins of the
        vectorizers) meets its slice of the coefficients, chunk by chunk."""
        assert self.vectorizer is not None
        assert self.words is not None
        if self.fast is None:
            self.fast = FastCharWB(self.vectorizer)
        if self.fast_words is None:
            self.fast_words = FastWords(self.words)
        split = self.fast.n_features
        prepared = self._prepare(texts)
        decisions = np.empty((len(texts), weights.shape[1]))
        for i in range(0, len(texts), chunk):
            part = prepared[i : i + chunk]
            chars = self.fast.transform(part) @ weights[:split]
            decisions[i : i + chunk] = chars + self.fast_words.transform(part) @ weights[split:]
        return decisions

    def __getstate__(self) -> dict[str, Any]:
        # The scoring twins are rebuilt from the vectorizers on first use; saved, they
        # would add tens of megabytes to the payload.
        return {**self.__dict__, "fast": None, "fast_words": None, "fused": None, "names": None}

    def feature_names(self) -> list[str]:
        """The name of every column, built on first use (for every explained batch,
        they cost an eighth of its time)."""
        if self.names is None:
            assert self.vectorizer is not None
            names = list(self.vectorizer.get_feature_names_out())
            if self.words is not None:
                names += list(self.words.get_feature_names_out())
            self.names = names + (list(self._lexical()) if self.kind == "url" else [])
        return self.names

    def _lexical(self) -> tuple[str, ...]:
        return self.lexical_names or LEXICAL_V1

    def explain(self, texts: list[str], classes: np.ndarray, top: int = 3) -> list[str]:
        """For each text, the phrases that pushed it towards class ``classes[i]``."""
        assert self.coef is not None
        x = self._matrix(texts)
        return explain_rows(texts, x, self.feature_names(), self.coef, classes, self.kind, top)


def explain_rows(texts: list[str], x: sparse.csr_matrix, names: list[str], coef: np.ndarray,
                 classes: np.ndarray, kind: str, top: int = 3) -> list[str]:  # fmt: skip
    """For each text (row of ``x``), the phrases whose n-grams pushed it towards class
    ``classes[i]`` under a linear model's ``coef`` (one row for two classes, whose
    positive side is class 1; else one row per class)."""
    out = []
    for i, text in enumerate(texts):
        cls = int(classes[i])
        row = coef[0] if coef.shape[0] == 1 else coef[cls]
        sign = 1.0 if coef.shape[0] > 1 or cls == 1 else -1.0
        start, end = x.indptr[i], x.indptr[i + 1]
        idx, vals = x.indices[start:end], x.data[start:end]
        contrib = vals * row[idx] * sign
        order = np.argsort(-contrib)[:12]
        picked = [(names[idx[j]], float(contrib[j])) for j in order if contrib[j] > 0]
        out.append(phrases(text, picked, top, kind) or NOTHING[kind])
    return out


def rare_class_shift(logp: np.ndarray, truth: np.ndarray, classes: list[str],
                     target: int | None = None, span: float = 2.0, steps: int = 41
                     ) -> np.ndarray:  # fmt: skip
    """Offsets (0 for the other class) that maximise the F1 of class ``target`` (by
    default the rarer one): the middle of the best shifts, since F1 on a few hundred
    texts is flat across a range of them, and no shift at all when that does as well."""
    if target is None:
        target = min(range(2), key=lambda k: int((truth == classes[k]).sum()))
    rare = target
    margin = logp[:, rare] - logp[:, 1 - rare]
    is_rare = truth == classes[rare]
    shifts = np.linspace(-span, span, steps)
    scores = np.array([f1_score(is_rare, margin + shift > 0) for shift in shifts])
    best = scores.max()
    offsets = np.zeros(2)
    if f1_score(is_rare, margin > 0) < best - 1e-9:
        offsets[rare] = float(np.median(shifts[scores >= best - 1e-9]))
    return offsets


def _sigmoid_linear(model: CalibratedClassifierCV) -> bool:
    return model.method == "sigmoid" and all(
        hasattr(m.estimator, "coef_") for m in model.calibrated_classifiers_
    )


def _calibrate(calibrators: list[object], decisions: np.ndarray, n_classes: int) -> np.ndarray:
    """scikit-learn's sigmoid calibration of one member, one-vs-rest."""
    proba = np.zeros((len(decisions), n_classes))
    for j, calibrator in enumerate(calibrators):
        a, b = calibrator.a_, calibrator.b_  # type: ignore[attr-defined]
        proba[:, j + 1 if n_classes == 2 else j] = expit(-(a * decisions[:, j] + b))
    if n_classes == 2:
        proba[:, 0] = 1.0 - proba[:, 1]
        return proba
    total = proba.sum(axis=1, keepdims=True)
    uniform = np.full_like(proba, 1.0 / n_classes)
    normalised: np.ndarray = np.divide(proba, total, out=uniform, where=total != 0)
    return normalised


def phrases(text: str, picked: list[tuple[str, float]], top: int, kind: str) -> str:
    """Merge the contributing n-grams back into the spans of ``text`` they cover."""
    lowered = normalise(text) if kind == "message" else text.strip().lower()
    weight = np.zeros(len(lowered))
    lexical = []
    for gram, w in picked:
        if gram in LEXICAL_NAMES:
            lexical.append(gram.replace("_", " "))
            continue
        needle = gram.strip()
        if not needle:
            continue
        pos = lowered.find(needle)
        while pos >= 0:
            weight[pos : pos + len(needle)] += w
            pos = lowered.find(needle, pos + 1)
    # The spans are the maximal runs of weighed characters, found at once: a loop over
    # the characters took most of the time of an explanation.
    edges = np.flatnonzero(np.diff(np.concatenate(([0], weight > 0, [0])).astype(np.int8)))
    spans = [(float(weight[i:j].sum()), lowered[i:j].strip())
             for i, j in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True)]  # fmt: skip
    best = [s for _, s in sorted(spans, reverse=True) if len(s) >= 2][:top]
    quoted = ", ".join(f"“{s}”" for s in best)
    return "; ".join(p for p in (quoted, ", ".join(lexical[:2])) if p)
