"""French out of the box: a message model trained only on the simulator's messages
(zh, en and fr, as the demo trains it) reads French scams it has never seen.

The probe (``data/fr_probe.csv``) is 80 messages written by hand, 40 scams and 40
ordinary ones, none produced by the simulator's templates. It is small: one
message more or less moves F1 by about 0.015, so the floors below are loose.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pyarrow as pa
import pytest
from sklearn.metrics import f1_score, roc_auc_score

from scamnet.core.records import FraudType
from scamnet.detect.detectors import inputs_from_table, score, train
from scamnet.simulate.messages import LANG_WEIGHTS, MessageWriter, scam_domains

PROBE = Path(__file__).parent / "data" / "fr_probe.csv"
TYPES = [t.value for t in FraudType if t is not FraudType.OTHER]


def simulated(n: int, seed: int = 0) -> pa.Table:
    """``n`` messages as the simulator writes them: languages in its proportions,
    three in ten scams of every type, with its look-alike domains."""
    rng = random.Random(seed)
    writer = MessageWriter(rng)
    domains = scam_domains(rng, 40)
    langs, weights = list(LANG_WEIGHTS), list(LANG_WEIGHTS.values())
    texts, labels = [], []
    for _ in range(n):
        lang = rng.choices(langs, weights)[0]
        if rng.random() < 0.3:
            url = f"http://{rng.choice(domains)}/{rng.choice(['', 'a/', 'm/', 'index.html'])}"
            phone = f"+33{rng.randrange(600000000, 799999999)}"
            msg = writer.scam(rng.choice(TYPES), lang, url, phone)
        else:
            msg = writer.normal(lang)
        texts.append(msg.text)
        labels.append(msg.fraud_type)
    return pa.table({"text": texts, "label": labels})


@pytest.mark.slow
def test_the_simulators_french_finds_hand_written_french_scams() -> None:
    trained = train(inputs_from_table("message", simulated(6000), "label"), "normal")
    with PROBE.open(encoding="utf-8", newline="") as fh:
        probe = list(csv.DictReader(fh))
    assert len(probe) == 80
    result = score(trained, inputs_from_table("message", pa.table(
        {"text": [r["text"] for r in probe]})), explain=False)  # fmt: skip
    truth = [r["label"] == "scam" for r in probe]
    flagged = [label != "normal" for label in result["label"]]
    assert roc_auc_score(truth, result["score"]) > 0.9
    assert f1_score(truth, flagged) > 0.6
    false_alarms = sum(f and not t for f, t in zip(flagged, truth, strict=True))
    assert false_alarms <= 4
