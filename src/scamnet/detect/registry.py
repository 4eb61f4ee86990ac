"""The model registry: every trained detector saved by kind and version, one champion
per kind, and a frozen evaluation set per kind that decides who is champion.

Layout, under ``Settings.models_dir``::

    <kind>/v0001/model.json, payload.bin   a saved model and its card (signed)
    <kind>/champion.json                    {"version": "v0003"}: the model ``detect`` uses
    <kind>/frozen/rows.parquet              the frozen evaluation rows, with their labels
    <kind>/frozen/transfers.parquet         (account) the flows behind their features
    <kind>/frozen/edges.parquet             (subscriber, when trained with edges)
    <kind>/frozen/frozen.json               label column, normal class, figure, hash

The frozen set is taken once, the first time a kind is registered, and never
trained on afterwards: a challenger (say, a model retrained with analysts'
verdicts) replaces the champion only if it is at least as good on those rows as the
champion is, measured there and then. The card of every version records both figures.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.model_selection import train_test_split

from scamnet import __version__
from scamnet.detect.artifacts import UntrustedModel, load_model, save_model, signing_key
from scamnet.detect.data import InputError, column, normal_class
from scamnet.detect.detectors import (
    TEXT_COLUMN,
    Inputs,
    Trained,
    inputs_from_table,
    metrics,
    score,
    subset,
    train,
    with_machine_code,
)
from scamnet.detect.tabular import GraphInput, TabularModel
from scamnet.settings import Settings

FROZEN_SHARE = 0.2  # of the first labelled rows a kind is trained on
CHAMPION = "champion.json"


class NoModel(LookupError):
    """No model of the kind asked for has been saved yet."""


@dataclass(frozen=True)
class FrozenSet:
    """The rows every model of a kind is judged on."""

    inputs: Inputs
    normal: str
    figure: str  # the figure that decides: f1_fraud for two classes, else macro_f1
    sha256: str


@dataclass(frozen=True)
class Version:
    kind: str
    version: str
    path: Path
    card: dict[str, Any]
    champion: bool


@dataclass(frozen=True)
class Registered:
    """What registering a trained model did."""

    version: Version
    promoted: bool
    challenger: float
    champion: float | None  # the previous champion's figure on the frozen set


class ModelRegistry:
    """Saved detectors under ``settings.models_dir``, signed with this installation's key."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.models_dir

    @property
    def key(self) -> bytes:
        return signing_key(self.settings)

    def _kind_dir(self, kind: str) -> Path:
        return self.root / kind

    # -- versions and champions ---------------------------------------------------------

    def versions(self, kind: str | None = None) -> list[Version]:
        """Saved versions, oldest first, of ``kind`` or of every kind."""
        kinds = [kind] if kind else sorted(p.name for p in self.root.glob("*") if p.is_dir())
        out = []
        for k in kinds:
            champion = self.champion_version(k)
            for path in sorted(self._kind_dir(k).glob("v[0-9]*")):
                try:
                    card = json.loads((path / "model.json").read_text(encoding="utf-8"))
                except (OSError, json.JSONDecodeError):
                    continue  # not a model directory (an interrupted save)
                out.append(Version(k, path.name, path, card, path.name == champion))
        return out

    def champion_version(self, kind: str) -> str | None:
        try:
            pointer = json.loads((self._kind_dir(kind) / CHAMPION).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None
        return str(pointer["version"])

    def champion(self, kind: str) -> tuple[Path, Trained]:
        """The directory and the model ``detect`` uses for ``kind``."""
        version = self.champion_version(kind)
        if version is None:
            raise NoModel(f"no {kind} model is saved under {self.root}; train one with "
                          f"`scamnet model train {kind} …` or run the demo")  # fmt: skip
        path = self._kind_dir(kind) / version
        return path, self.load(path, kind)

    def load(self, path: Path, kind: str) -> Trained:
        """A model directory's detector, verified, and checked to be of ``kind``."""
        meta, trained = load_model(path, self.key)
        if meta.get("kind") != kind or not isinstance(trained, Trained):
            raise UntrustedModel(f"{path} holds a {meta.get('kind')} model, not a {kind} model")
        return trained

    # -- the frozen evaluation set ------------------------------------------------------

    def frozen(self, kind: str) -> FrozenSet | None:
        where = self._kind_dir(kind) / "frozen"
        try:
            about = json.loads((where / "frozen.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None
        table = pq.read_table(where / "rows.parquet")
        inputs = inputs_from_table(kind, table, about["label_column"])
        if (where / "edges.parquet").exists():
            e = pq.read_table(where / "edges.parquet")
            inputs.edges = GraphInput(column(e, "src"), column(e, "dst"))
        if (where / "transfers.parquet").exists():
            t = pq.read_table(where / "transfers.parquet")
            inputs.tx = {"src": column(t, "src"), "dst": column(t, "dst"),
                         "value": t.column("value").to_numpy(zero_copy_only=False),
                         "time": t.column("time").to_numpy(zero_copy_only=False)}  # fmt: skip
        return FrozenSet(inputs, about["normal_class"], about["figure"], about["sha256"])

    def freeze(self, inputs: Inputs, label_column: str, normal: str) -> FrozenSet:
        """Keep ``inputs`` (with their labels) as the kind's frozen evaluation set; the
        first one stays: a frozen set that moved would not compare models."""
        existing = self.frozen(inputs.kind)
        if existing is not None:
            return existing
        if inputs.labels is None:
            raise InputError("a frozen evaluation set needs labels")
        where = self._kind_dir(inputs.kind) / "frozen"
        where.mkdir(parents=True, exist_ok=True)
        table = inputs.table
        if label_column in table.column_names:
            table = table.drop([label_column])
        table = table.append_column(label_column, pa.array(inputs.labels))
        pq.write_table(table, where / "rows.parquet")
        if inputs.edges is not None:
            pq.write_table(pa.table({"src": inputs.edges.src, "dst": inputs.edges.dst}),
                           where / "edges.parquet")  # fmt: skip
        if inputs.tx is not None:
            pq.write_table(pa.table({k: list(v) for k, v in inputs.tx.items()}),
                           where / "transfers.parquet")  # fmt: skip
        digest = hashlib.sha256((where / "rows.parquet").read_bytes()).hexdigest()
        figure = "f1_fraud" if len(set(inputs.labels)) == 2 else "macro_f1"
        about = {"label_column": label_column, "normal_class": normal, "figure": figure,
                 "rows": table.num_rows, "sha256": digest,
                 "created_at": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip
        # Written last: a frozen set without its description is not one.
        (where / "frozen.json").write_text(json.dumps(about, indent=2, ensure_ascii=False))
        frozen = self.frozen(inputs.kind)
        assert frozen is not None
        return frozen

    def measure(self, trained: Trained, frozen: FrozenSet) -> dict[str, Any]:
        """The model's figures on the frozen rows."""
        assert frozen.inputs.labels is not None
        inputs = frozen.inputs
        if isinstance(trained.model, TabularModel) and trained.kind == "subscriber":
            # The contact graph goes with the model: one trained without it ignores it,
            # and one trained with it cannot be judged on rows that came without it.
            with_graph = any(n.startswith("g_") for n in trained.model.feature_names)
            if not with_graph:
                inputs = replace(inputs, edges=None, extra=dict(inputs.extra))
            elif inputs.edges is None:
                raise InputError(
                    "this model was trained with --edges, and the frozen evaluation set "
                    "has no contact edges to score it with"
                )
        result = score(trained, inputs, explain=False)
        truth = np.array(frozen.inputs.labels)
        return metrics(truth, np.array(result["label"]).astype(str),
                       np.array(result["score"]), frozen.normal)  # fmt: skip

    # -- registering --------------------------------------------------------------------

    def register(self, trained: Trained, meta: dict[str, Any]) -> Registered:
        """Save ``trained`` as the kind's next version, measured on the frozen set against
        the champion; it becomes champion if at least as good (or if there is none)."""
        frozen = self.frozen(trained.kind)
        if frozen is None:
            raise InputError(f"no frozen evaluation set for {trained.kind}: freeze one first")
        mine = self.measure(trained, frozen)
        theirs: dict[str, Any] | None = None
        current = self.champion_version(trained.kind)
        if current is not None:
            try:
                theirs = self.measure(self.champion(trained.kind)[1], frozen)
            except UntrustedModel:
                current = theirs = None  # a champion that no longer verifies is no rival
        figure = frozen.figure
        promoted = theirs is None or mine[figure] >= theirs[figure]
        card = {**meta, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "frozen_evaluation": {
                    "rows": frozen.inputs.table.num_rows, "set_sha256": frozen.sha256,
                    "figure": figure, "challenger": mine,
                    "champion": None if theirs is None else {"version": current, **theirs},
                    "promoted": promoted,
                    "rule": "replaces the champion only if at least as good on the frozen set",
                }}  # fmt: skip
        path = self._new_version_dir(trained.kind)
        if self.settings.compile_trees:
            with_machine_code(trained)
        save_model(path, {**card, "version": path.name}, trained, self.key)
        if promoted:
            self._point_to(trained.kind, path.name)
        return Registered(
            Version(trained.kind, path.name, path, card, promoted), promoted, float(mine[figure]),
            None if theirs is None else float(theirs[figure]),
        )  # fmt: skip

    def _new_version_dir(self, kind: str) -> Path:
        base = self._kind_dir(kind)
        base.mkdir(parents=True, exist_ok=True)
        taken = [int(p.name[1:]) for p in base.glob("v[0-9]*") if p.name[1:].isdigit()]
        n = max(taken, default=0) + 1
        while True:  # another process may take the same number: the one that makes it wins
            path = base / f"v{n:04d}"
            try:
                path.mkdir()
                return path
            except FileExistsError:
                n += 1

    def _point_to(self, kind: str, version: str) -> None:
        pointer = self._kind_dir(kind) / CHAMPION
        tmp = pointer.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": version}))
        os.replace(tmp, pointer)  # a reader sees the old champion or the new, never half


def train_and_register(registry: ModelRegistry, inputs: Inputs, label_column: str,
                       normal: str | None, meta: dict[str, Any], gate: bool = True
                       ) -> Registered:  # fmt: skip
    """Train a challenger on ``inputs`` (texts: through the plain-model gate unless
    ``gate`` is off) and register it. The first time a kind is trained, a stratified
    fifth of the rows becomes its frozen evaluation set and is left out of training;
    afterwards, rows already in the frozen set are left out."""
    if inputs.labels is None:
        raise InputError("training needs --label-column")
    frozen = registry.frozen(inputs.kind)
    if frozen is None:
        rows = np.arange(len(inputs.labels))
        try:
            kept, held = train_test_split(rows, test_size=FROZEN_SHARE, random_state=0,
                                          stratify=inputs.labels)  # fmt: skip
        except ValueError as exc:
            raise InputError(f"cannot set a fifth of the rows aside to evaluate on ({exc}); "
                             "give more labelled rows of each class") from None  # fmt: skip
        norm = normal_class(inputs.labels, normal)
        frozen = registry.freeze(subset(inputs, np.sort(held)), label_column, norm)
        inputs = subset(inputs, np.sort(kept))
    else:
        inputs = without(inputs, frozen)
    trained = train(inputs, normal, gate)
    return registry.register(
        trained, {**meta, **card(trained, label_column, inputs.table.num_rows)}
    )


def card(trained: Trained, label_column: str, rows: int, **more: Any) -> dict[str, Any]:
    """The model card's fields that every saved model has."""
    return {"algorithm": trained.algorithm, "kind": trained.kind, "scamnet": __version__,
            "label_column": label_column, "rows": rows, "classes": trained.classes,
            "normal_class": trained.normal, **more, **trained.card}  # fmt: skip


def register_with_held_out(registry: ModelRegistry, trained: Trained, held_out: Inputs,
                           label_column: str, rows: int) -> Registered:  # fmt: skip
    """Register a model trained elsewhere (the demo's), whose ``held_out`` labelled rows
    it never saw become the frozen set if the kind has none yet."""
    registry.freeze(held_out, label_column, trained.normal)
    return registry.register(trained, card(trained, label_column, rows))


def row_keys(inputs: Inputs) -> list[str]:
    """What identifies a row across files: its id, its text, or else all its values."""
    if inputs.ids is not None:
        return inputs.ids
    if inputs.kind in TEXT_COLUMN and TEXT_COLUMN[inputs.kind] in inputs.table.column_names:
        return column(inputs.table, TEXT_COLUMN[inputs.kind])
    exclude = inputs.extra.get("exclude", set())
    table = inputs.table.select([c for c in inputs.table.column_names if c not in exclude])
    return [json.dumps(r, sort_keys=True, default=str) for r in table.to_pylist()]


def without(inputs: Inputs, frozen: FrozenSet) -> Inputs:
    """``inputs`` less the rows of the frozen set: they are never trained on."""
    taken = set(row_keys(frozen.inputs))
    keep = np.array([i for i, k in enumerate(row_keys(inputs)) if k not in taken], dtype=int)
    if len(keep) == 0:
        raise InputError("every row given is in the frozen evaluation set; nothing to train on")
    return subset(inputs, keep)
