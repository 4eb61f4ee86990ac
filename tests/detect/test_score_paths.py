"""``score()`` of messages reads the Arrow column, and explains as it did, on real texts.

On every text of the zh, en and th datasets: the probabilities from the column
(the kernel decoding its UTF-8 bytes) equal, to the bit, those from the texts as
Python strings (``data.column``, the path of the code before), and so do the
scores, labels and the likeliest fraud class ``score()`` returns; the explanations
equal those of the phrase finder as it was (a loop over the characters, kept here).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from scamnet.detect import text
from scamnet.detect.data import column, read_table
from scamnet.detect.detectors import inputs_from_table, score, train
from scamnet.detect.text import TextModel

# Each case trains a model on a shared dataset: over 10 s.
pytestmark = pytest.mark.slow


def _phrases_before(lowered: str, weight: np.ndarray) -> list[tuple[float, str]]:
    """The spans of weighed characters as ``text.phrases`` found them before."""
    spans: list[tuple[float, str]] = []
    i = 0
    while i < len(lowered):
        if weight[i] > 0:
            j = i
            while j < len(lowered) and weight[j] > 0:
                j += 1
            spans.append((float(weight[i:j].sum()), lowered[i:j].strip()))
            i = j
        else:
            i += 1
    return spans


def _before(texts: str, picked: list[tuple[str, float]], top: int, kind: str) -> str:
    """``text.phrases`` before: the same but for how the spans are found."""
    lowered = text.normalise(texts) if kind == "message" else texts.strip().lower()
    weight = np.zeros(len(lowered))
    lexical = []
    for gram, w in picked:
        if gram in text.LEXICAL_NAMES:
            lexical.append(gram.replace("_", " "))
            continue
        needle = gram.strip()
        pos = lowered.find(needle) if needle else -1
        while pos >= 0:
            weight[pos : pos + len(needle)] += w
            pos = lowered.find(needle, pos + 1)
    best = [s for _, s in sorted(_phrases_before(lowered, weight), reverse=True)
            if len(s) >= 2][:top]  # fmt: skip
    quoted = ", ".join(f"“{s}”" for s in best)
    return "; ".join(p for p in (quoted, ", ".join(lexical[:2])) if p)


@pytest.mark.parametrize("dataset", ["zh-fraud-texts", "en-sms-spam", "th-sms"])
def test_scores_and_explanations_as_before(
    shared_data: Path, dataset: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = read_table(shared_data / dataset / "dev.csv")
    sample = table.take(pa.array(np.random.default_rng(0).permutation(table.num_rows)[:1500]))
    trained = train(inputs_from_table("message", sample, "label"), gate=False)
    model = trained.model
    assert isinstance(model, TextModel)
    texts = table.drop(["label"])
    strings = column(texts, "text")
    want = model.predict_proba(strings)  # the kernel over Python strings
    assert np.array_equal(model.predict_proba(texts.column("text")), want)
    assert model.fused not in (None, False)
    got = score(trained, inputs_from_table("message", texts), True)
    normal = model.classes.index(trained.normal)
    assert got["score"] == (1.0 - want[:, normal]).round(6).tolist()
    assert got["label"] == [model.classes[i] for i in model.verdicts(want)]
    monkeypatch.setattr(text, "phrases", _before)
    masked = want.copy()
    masked[:, normal] = -1
    before = model.explain(strings, masked.argmax(axis=1))
    assert got["why"] == before
    assert sum(w != text.NOTHING["message"] for w in before) > len(before) // 10
