"""Training on analysts' verdicts: a confirmed alert's subject is a scam, a refuted one
is not (`scamnet model train KIND --from-verdicts`).

A verdict labels the rows of the training input whose key is the alert's subject
(the row's id, or its URL or text): on top of the input's own labels, where a
verdict overrides the label the data gave; or instead of them, when the input
has no label column, and then only the rows analysts judged are trained on. The
model card says how many labels came from analysts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from scamnet.detect.data import InputError, normal_class
from scamnet.detect.detectors import Inputs, subset
from scamnet.detect.registry import row_keys

# The label column and classes of a training set labelled by analysts alone.
VERDICT_COLUMN = "analyst_verdict"
SCAM, NORMAL = "scam", "normal"


@dataclass(frozen=True, slots=True)
class VerdictLabels:
    """How the analysts' verdicts entered a training set (recorded on the model card)."""

    verdicts: int  # verdicts on alerts of the kind
    used: int  # rows labelled by an analyst
    confirmed: int
    refuted: int
    changed: int  # rows whose label from the data the verdict overrode
    without_row: int  # verdicts on subjects the input has no row for
    unclear: int  # confirmed rows of a many-class input whose scam class is unknown

    def card(self) -> dict[str, Any]:
        return {"labels_from_analysts": self.used, "analyst_verdicts": {
            "verdicts": self.verdicts, "confirmed": self.confirmed, "refuted": self.refuted,
            "overrode_the_data": self.changed, "subject_not_in_input": self.without_row,
            "confirmed_without_a_known_scam_class": self.unclear,
        }}  # fmt: skip


def with_verdicts(
    inputs: Inputs, verdicts: dict[str, int], normal: str | None = None
) -> tuple[Inputs, str, VerdictLabels]:
    """``inputs`` labelled by ``verdicts`` (subject → 1 confirmed, 0 refuted).

    Returns:
        The inputs to train on, their normal class, and what the verdicts did.

    Raises:
        InputError: no verdict names a row of the input, when the input has no labels.
    """
    keys = row_keys(inputs)
    present = set(keys)
    without_row = sum(1 for s in verdicts if s not in present)
    judged = [i for i, k in enumerate(keys) if k in verdicts]
    if inputs.labels is None:
        if not judged:
            raise InputError(
                f"no row of the input is the subject of an analyst's verdict ({len(verdicts)} "
                f"verdicts on {inputs.kind} alerts); give --label-column, or judge alerts "
                "with `scamnet alerts verdict`"
            )
        kept = subset(inputs, _rows(judged))
        labels = [SCAM if verdicts[keys[i]] else NORMAL for i in judged]
        confirmed = labels.count(SCAM)
        done = VerdictLabels(len(verdicts), len(judged), confirmed, len(judged) - confirmed,
                             0, without_row, 0)  # fmt: skip
        return replace(kept, labels=labels), NORMAL, done
    norm = normal_class(inputs.labels, normal)
    scams = sorted(set(inputs.labels) - {norm})
    labels = list(inputs.labels)
    used = confirmed = changed = unclear = 0
    for i in judged:
        if verdicts[keys[i]]:
            if labels[i] != norm:
                new = labels[i]  # already a scam, of the class the data says
            elif len(scams) == 1:
                new = scams[0]
            else:
                unclear += 1  # which of several scams it is, the verdict does not say
                continue
            confirmed += 1
        else:
            new = norm
        used += 1
        changed += new != labels[i]
        labels[i] = new
    done = VerdictLabels(len(verdicts), used, confirmed, used - confirmed, changed,
                         without_row, unclear)  # fmt: skip
    return replace(inputs, labels=labels), norm, done


def _rows(indices: list[int]) -> Any:
    import numpy as np

    return np.array(indices, dtype=int)
