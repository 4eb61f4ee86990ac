"""Benchmark: scoring speed of the message and subscriber detectors, against the plain
models of the baseline ladder (``bench/baselines.py``) in the same run.

Run: .venv/bin/python bench/detect_speed.py [--data ../shared/data] [--runs 3]

The models are trained on the shared datasets, then score many rows (the dev
rows repeated) with the process pinned to one CPU. Reported: rows per second,
median of the runs, with and without the explanations; subscribers also on every
core. The plain models score the same rows the way their libraries do:
scikit-learn's pipeline (``predict_proba``) for the texts, LightGBM's own
``predict_proba`` on the raw features for the subscribers. The ratios
(shipped / plain) are the figures: absolute rates move with the machine's load.

The subscriber trees score as LLVM machine code (``detect/llvm_trees.py``, compiled once
as a saved model is, timed here: ``llvm_compile_seconds``), else on the numba kernel
(``detect/compiled.py``). Both are timed alone on the shipped model's matrix against
LightGBM's ``predict_proba`` of the very same model and of the plain one, on one core
and on every core, with the largest difference to LightGBM's scores, the model card's
held-out figures, and the seconds a fresh process takes to score its first row (the
kernel: import numba, flatten the trees; the machine code: unpickle the model, check
and load its code).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
from baselines import plain_text, plain_trees

from scamnet.detect.compiled import predict
from scamnet.detect.data import column, numeric_matrix, read_table
from scamnet.detect.detectors import inputs_from_table, score, train
from scamnet.detect.tabular import TabularModel


def timed(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def first_call(shipped: TabularModel) -> float:
    """Seconds a fresh process takes to score its first row with compiled trees: import
    numba, load the cached kernel and flatten the trees (as `scamnet detect` pays once)."""
    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "model.txt"
        assert shipped.booster is not None
        text.write_text(shipped.booster.booster_.model_to_string())
        code = (
            "import sys, time, numpy as np\n"
            "began = time.perf_counter()\n"
            "from scamnet.detect.compiled import flatten, predict\n"
            "forest = flatten(open(sys.argv[1]).read())\n"
            "predict(forest, np.zeros((1, forest.n_features)))\n"
            "print(time.perf_counter() - began)\n"
        )
        runs = [float(subprocess.check_output([sys.executable, "-c", code, str(text)]))
                for _ in range(3)]  # fmt: skip
    return statistics.median(runs)


def first_call_native(shipped: TabularModel) -> float:
    """Seconds a fresh process takes to score its first row with the machine code carried
    by the model: unpickle it (the registry's payload, its signature already checked),
    check that the code is this model's, load it and score."""
    with tempfile.TemporaryDirectory() as tmp:
        payload = Path(tmp) / "payload.bin"
        payload.write_bytes(pickle.dumps(shipped, protocol=pickle.HIGHEST_PROTOCOL))
        code = (
            "import pickle, sys, time, numpy as np\n"
            "began = time.perf_counter()\n"
            "model = pickle.loads(open(sys.argv[1], 'rb').read())\n"
            "assert model.loaded(), 'the machine code did not load'\n"
            "model.score(np.zeros((1, len(model.feature_names))))\n"
            "print(time.perf_counter() - began)\n"
        )
        runs = [float(subprocess.check_output([sys.executable, "-c", code, str(payload)]))
                for _ in range(3)]  # fmt: skip
    return statistics.median(runs)


def messages(data: Path, runs: int, cpus: set[int], results: dict[str, float]) -> None:
    """The message detector against the plain text model, pinned to one CPU."""
    texts = read_table(data / "zh-fraud-texts" / "dev.csv")
    trained = train(inputs_from_table("message", texts, "label"))
    plain_msg = plain_text().fit(column(texts, "text"), column(texts, "label"))
    os.sched_setaffinity(0, {min(cpus)})
    many = pa.concat_tables([texts.drop(["label"])] * 5)  # 46,280 messages
    # The first call builds the compiled scorer's tables and loads its kernel
    # (``detect/fused.py``): once a process, so outside the timed runs.
    score(trained, inputs_from_table("message", many.slice(0, 10)), True)
    for explain in (False, True):
        seconds = timed(
            lambda e=explain: score(trained, inputs_from_table("message", many), e), runs
        )
        results[f"messages_per_second{'_explained' if explain else ''}"] = many.num_rows / seconds
        print(results, flush=True)
    many_texts = column(many, "text")
    seconds = timed(lambda: plain_msg.predict_proba(many_texts), runs)
    results["plain_messages_per_second"] = many.num_rows / seconds

    results["ratio_messages_one_core"] = (
        results["messages_per_second"] / results["plain_messages_per_second"]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--only", choices=("messages", "subscribers"), help="time one detector, not both"
    )
    parser.add_argument(
        "--explained-rows", type=int, default=48_840, help="subscribers scored with reasons"
    )
    args = parser.parse_args()
    results: dict[str, float] = {"load_average_before": os.getloadavg()[0]}
    # Train with every core; only the scoring is pinned to one.
    subs = read_table(args.data / "sichuan" / "dev.csv")
    model = train(inputs_from_table("subscriber", subs, "label"))
    model.model.booster.set_params(n_jobs=1)  # type: ignore[union-attr]
    raw, _ = numeric_matrix(subs, {"node", "label"})
    plain_sub = plain_trees(n_jobs=1).fit(raw, np.array(column(subs, "label")))
    cpus = os.sched_getaffinity(0)
    if args.only != "subscribers":
        messages(args.data, args.runs, cpus, results)
    if args.only == "messages":
        results["load_average_after"] = os.getloadavg()[0]
        print(json.dumps({k: round(v, 2) for k, v in results.items()}, indent=2))
        return
    tiled = pa.concat_tables([subs.drop(["label"])] * 100)  # 488,400 subscribers
    shipped = model.model
    assert isinstance(shipped, TabularModel)
    assert shipped.booster is not None
    lightgbm = shipped.booster
    forest = shipped.compiled()
    assert shipped.compile_machine_code(), "the trees did not compile to machine code"
    native = shipped.loaded()
    assert native, "the machine code did not load"
    results["llvm_compile_seconds"] = shipped.machine_code.compile_seconds  # type: ignore[union-attr]
    results["llvm_object_bytes"] = len(shipped.machine_code.blob)  # type: ignore[union-attr]
    # The trees alone, on the shipped model's own matrix of the same rows: compiled, and
    # LightGBM's predict_proba of the very same model.
    x = numeric_matrix(tiled, {"node"}, model.base_names)[0]
    reference = np.asarray(lightgbm.predict_proba(x[:48_840]))[:, 1]
    results["max_abs_difference_compiled_lightgbm"] = float(
        np.abs(predict(forest, x[:48_840]) - reference).max()
    )
    results["max_abs_difference_llvm_lightgbm"] = float(
        np.abs(native.predict(x[:48_840]) - reference).max()
    )
    os.sched_setaffinity(0, {min(cpus)})
    for explain in (False, True):
        rows = tiled if not explain else tiled.slice(0, args.explained_rows)
        seconds = timed(
            lambda r=rows, e=explain: score(model, inputs_from_table("subscriber", r), e),
            args.runs,
        )
        results[f"subscribers_per_second{'_explained' if explain else ''}"] = (
            rows.num_rows / seconds
        )
    # The plain model is timed on the same rows, from its matrix as read by numeric_matrix.
    plain_rows = np.tile(raw, (100, 1))
    # The subscriber target names no core count: the machine's two, as `scamnet
    # detect` runs (the trees on every core).
    for cores in (1, len(cpus)):
        os.sched_setaffinity(0, cpus if cores > 1 else {min(cpus)})
        tail = "" if cores == 1 else f"_{cores}_cores"
        lightgbm.set_params(n_jobs=cores)
        plain_sub.set_params(n_jobs=cores)
        if cores > 1:
            seconds = timed(
                lambda: score(model, inputs_from_table("subscriber", tiled), False), args.runs
            )
            results[f"subscribers_per_second{tail}"] = tiled.num_rows / seconds
        for name, fn in (
            ("trees_llvm", lambda c=cores: native.predict(x, c)),
            ("trees_compiled", lambda c=cores: predict(forest, x, c)),
            ("trees_lightgbm", lambda: lightgbm.predict_proba(x)),
            ("plain_subscribers", lambda: plain_sub.predict_proba(plain_rows)),
        ):
            results[f"{name}_per_second{tail}"] = len(x) / timed(fn, args.runs)
    results["first_call_seconds"] = first_call(shipped)
    results["first_call_seconds_llvm"] = first_call_native(shipped)
    results["load_average_after"] = os.getloadavg()[0]
    out: dict[str, float] = {
        k: round(v, 2) if k.startswith("load") else round(v) for k, v in results.items()
    }
    out["max_abs_difference_compiled_lightgbm"] = results["max_abs_difference_compiled_lightgbm"]
    out["max_abs_difference_llvm_lightgbm"] = results["max_abs_difference_llvm_lightgbm"]
    for key in ("first_call_seconds", "first_call_seconds_llvm", "llvm_compile_seconds"):
        out[key] = round(results[key], 2)
    card = model.card["held_out_metrics"]
    out["held_out_f1_fraud"] = round(card["f1_fraud"], 4)
    out["held_out_roc_auc"] = round(card["roc_auc"], 4)
    if "ratio_messages_one_core" in results:
        out["ratio_messages_one_core"] = round(results["ratio_messages_one_core"], 2)
    for tail in ("", f"_{len(cpus)}_cores"):
        where = tail or "_one_core"
        llvm = results[f"trees_llvm_per_second{tail}"]
        out[f"ratio_llvm_to_lightgbm_same_model{where}"] = round(
            llvm / results[f"trees_lightgbm_per_second{tail}"], 2
        )
        out[f"ratio_llvm_to_kernel{where}"] = round(
            llvm / results[f"trees_compiled_per_second{tail}"], 2
        )
        out[f"ratio_subscribers_to_lightgbm_same_model{where}"] = round(
            results[f"subscribers_per_second{tail}"] / results[f"trees_lightgbm_per_second{tail}"],
            2,
        )
        compiled = results[f"trees_compiled_per_second{tail}"]
        out[f"ratio_compiled_to_lightgbm_same_model{where}"] = round(
            compiled / results[f"trees_lightgbm_per_second{tail}"], 2
        )
        out[f"ratio_compiled_to_plain{where}"] = round(
            compiled / results[f"plain_subscribers_per_second{tail}"], 2
        )
        out[f"ratio_subscribers{where}"] = round(
            results[f"subscribers_per_second{tail}"]
            / results[f"plain_subscribers_per_second{tail}"],
            2,
        )
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
