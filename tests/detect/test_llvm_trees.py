"""The trees as LLVM machine code (detect/llvm_trees.py) score exactly as LightGBM does,
and their code is only ever loaded for the model and processor it was compiled for.

Small forests throughout: compiling the shipped 400 trees takes ~45 s, which the suite
does not pay (the benchmark does, ``bench/detect_speed.py``).
"""

from __future__ import annotations

import dataclasses
import pickle
import re
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pyarrow as pa
import pyarrow.csv
import pytest

from scamnet.detect import tabular
from scamnet.detect.artifacts import load_model, save_model
from scamnet.detect.compiled import NotCompilable
from scamnet.detect.detectors import inputs_from_table, score, train, with_machine_code
from scamnet.detect.llvm_trees import LLVMForest, MachineCode, compile_model, model_sha256
from scamnet.detect.tabular import TabularModel
from tests.detect.forests import MISSING_RULE_IDS, MISSING_RULES, awkward, missing_rules_forest

# lleaves adds the leaves in blocks of trees (34 a block), LightGBM one after the other:
# the sums may differ in the last bits.
EXACT = 1e-12
QUIET = {"verbose": -1, "num_threads": 1, "deterministic": True}


def loaded(booster: lgb.Booster, **options: Any) -> LLVMForest:
    text = booster.model_to_string()
    return LLVMForest(compile_model(text, **options), model_sha256(text))


def assert_same(booster: lgb.Booster, x: np.ndarray, forest: LLVMForest | None = None) -> None:
    forest = forest or loaded(booster)
    expected = np.asarray(booster.predict(x, num_threads=1))
    for threads in (1, 2):
        np.testing.assert_allclose(forest.predict(x, threads), expected, rtol=0, atol=EXACT)


@pytest.mark.parametrize("params", MISSING_RULES, ids=MISSING_RULE_IDS)
def test_missing_value_rules_match_lightgbm(params: dict[str, Any]) -> None:
    rng = np.random.default_rng(1)
    booster, x = missing_rules_forest(params, rng)
    # More rows than one thread takes, so that two threads split them.
    rows = np.vstack([awkward(rng.normal(size=(9000, 6)), 2), x])
    assert_same(booster, rows)


def test_values_lightgbm_reads_as_zero_take_the_zero_way() -> None:
    # Zeros as missing: a value under 1e-35 is missing to LightGBM, not to lleaves.
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2000, 3))
    x[rng.random(2000) < 0.3, 0] = 0.0
    y = ((x[:, 0] == 0) ^ (x[:, 1] > 1)).astype(int)
    booster = lgb.train({"objective": "binary", "zero_as_missing": True, **QUIET},
                        lgb.Dataset(x, y), num_boost_round=20)  # fmt: skip
    forest = loaded(booster)
    assert forest.code.zero_small
    tiny = x.copy()
    tiny[x[:, 0] == 0, 0] = 1e-36
    assert_same(booster, tiny, forest)
    assert (forest.predict(tiny) == forest.predict(x)).all()


def test_thresholds_within_the_zero_band_match_lightgbm() -> None:
    # LightGBM reads |v| <= 1e-35 as 0.0 whatever the split: a threshold inside that band
    # splits the band for lleaves, not for LightGBM. Every tree's root is moved into it.
    rng = np.random.default_rng(9)
    x = rng.normal(size=(2000, 2))
    y = (x[:, 0] > 0).astype(int)
    booster = lgb.train({"objective": "binary", **QUIET}, lgb.Dataset(x, y), num_boost_round=4)
    text = booster.model_to_string()
    assert text.count("\nsplit_feature=0") == 4  # every root splits on the first column
    moved_to = iter(["-5e-36", "5e-36", "-1.0000000180025095e-35", "1e-40"])
    text = re.sub(r"\nthreshold=[^ \n]+", lambda _: f"\nthreshold={next(moved_to)}", text)
    assert next(moved_to, None) is None
    text = re.sub(r"\ntree_sizes=[^\n]*", "", text)  # the trees' lengths changed
    moved = lgb.Booster(model_str=text)
    band = np.array([-2e-35, -1.0000000180025095e-35, -5e-36, -1e-36, -0.0, 0.0, 1e-36, 5e-36,
                     1.0000000180025095e-35, 2e-35])  # fmt: skip
    rows = np.column_stack([np.repeat(band, 3), np.tile([-1.0, 0.0, 1.0], len(band))])
    assert_same(moved, rows)


def test_categorical_splits_match_lightgbm() -> None:
    rng = np.random.default_rng(3)
    cats = rng.integers(0, 70, size=4000).astype(float)  # bitsets span several words
    noise = rng.normal(size=4000)
    y = (np.isin(cats, [3, 5, 33, 64, 65]) ^ (noise > 1.2)).astype(int)
    x = np.column_stack([cats, noise])
    booster = lgb.train({"objective": "binary", "min_data_per_group": 5, "cat_smooth": 1,
                         **QUIET},
                        lgb.Dataset(x, y, categorical_feature=[0]), num_boost_round=40)  # fmt: skip
    assert "num_cat=0" not in booster.model_to_string().split("Tree=1")[0]
    rows = np.column_stack([rng.choice([np.nan, -1.0, -0.5, 0.0, 2.7, 64.0, 65.9, 150.0, 1e6],
                                       size=500), rng.normal(size=500)])  # fmt: skip
    assert_same(booster, np.vstack([x, rows]))


def test_block_sizes_and_options_score_alike() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3000, 4))
    y = (x[:, 0] + rng.normal(size=3000) > 0).astype(int)
    booster = lgb.train({"objective": "binary", **QUIET}, lgb.Dataset(x, y), num_boost_round=20)
    # One block of every tree sums in LightGBM's order: the very same doubles.
    exact = loaded(booster, block_trees=20).predict(x)
    assert np.array_equal(exact, booster.predict(x, num_threads=1))
    for options in ({"inline": False}, {"codemodel": "small"}, {"speed": 2}):
        assert_same(booster, x, loaded(booster, **options))


def test_code_is_loaded_only_for_its_model_and_processor() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(300, 3))
    y = (x[:, 0] > 0).astype(int)
    one = lgb.train({"objective": "binary", **QUIET}, lgb.Dataset(x, y), num_boost_round=3)
    other = lgb.train({"objective": "binary", **QUIET}, lgb.Dataset(x, 1 - y), num_boost_round=3)
    code = compile_model(one.model_to_string())
    with pytest.raises(NotCompilable, match="another model"):
        LLVMForest(code, model_sha256(other.model_to_string()))
    elsewhere = dataclasses.replace(code, target=code.target.replace("|", "|other-cpu", 1))
    with pytest.raises(NotCompilable, match="not this processor"):
        LLVMForest(elsewhere, model_sha256(one.model_to_string()))
    with pytest.raises(ValueError, match="takes 3 features"):
        LLVMForest(code, model_sha256(one.model_to_string())).predict(x[:, :2])
    multi = lgb.train({"objective": "multiclass", "num_class": 3, **QUIET},
                      lgb.Dataset(x, rng.integers(0, 3, 300)), num_boost_round=2)  # fmt: skip
    with pytest.raises(NotCompilable, match="more than one class"):
        compile_model(multi.model_to_string())


def _account_model(x: np.ndarray, y: np.ndarray) -> TabularModel:
    model = TabularModel("account")
    model.feature_names = [f"f{i}" for i in range(x.shape[1])]
    params = {**tabular.PARAMS, "n_estimators": 30, "n_jobs": 1}
    model.booster = lgb.LGBMClassifier(**params).fit(x, y)
    return model


def test_tabular_model_keeps_its_machine_code_in_the_signed_payload(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2500, 5))
    x[rng.random(x.shape) < 0.1] = np.nan
    y = (np.nan_to_num(x[:, 0]) + rng.normal(scale=0.5, size=2500) > 0).astype(int)
    model = _account_model(x, y)
    expected = model.booster.booster_.predict(x, num_threads=1)  # type: ignore[union-attr]
    assert model.compile_machine_code()
    save_model(tmp_path / "m", {"kind": "account"}, model, b"k" * 32)
    _, again = load_model(tmp_path / "m", b"k" * 32)
    assert isinstance(again.machine_code, MachineCode)
    assert again.native is None and again.forest is None
    np.testing.assert_allclose(again.score(x), expected, rtol=0, atol=EXACT)
    assert isinstance(again.native, LLVMForest)  # no kernel, no Booster: the code scored
    assert again.forest is None
    # Code that does not belong to the model's trees is not run: the kernel scores.
    stale = pickle.loads(pickle.dumps(model))
    stale.booster = _account_model(x, 1 - y).booster
    with caplog.at_level("WARNING", logger="scamnet.detect.tabular"):
        np.testing.assert_allclose(stale.score(x[:50]),
                                   stale.booster.booster_.predict(x[:50]),  # type: ignore[union-attr]
                                   rtol=0, atol=EXACT)  # fmt: skip
    assert stale.native is False
    assert "compiled from another model" in caplog.text
    # Models saved before the machine code existed load without it.
    old = pickle.loads(pickle.dumps(model))
    del old.__dict__["machine_code"]
    assert pickle.loads(pickle.dumps(old)).machine_code is None


def test_detector_scores_in_parallel_as_in_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    # The shipped parameters but 30 trees: 400 would take a minute to compile.
    monkeypatch.setitem(tabular.SUBSCRIBER_PARAMS, "n_estimators", 30)
    rng = np.random.default_rng(8)
    n = 9000
    cols = {f"f{i}": rng.normal(size=n) for i in range(4)}
    cols["f1"][rng.random(n) < 0.2] = np.nan
    label = (cols["f0"] + rng.normal(scale=0.5, size=n) > 0).astype(int)
    table = pa.table({"node": [f"n{i}" for i in range(n)], **cols, "label": label})
    trained = train(inputs_from_table("subscriber", table.slice(0, 3000), "label"))
    model = trained.model
    assert isinstance(model, TabularModel) and model.booster is not None
    model.booster.set_params(n_jobs=2)
    rows = table.drop(["label"])
    # With reasons the rows are scored batch by batch in one thread; without, in two.
    one = score(trained, inputs_from_table("subscriber", rows), explain=True)
    two = score(trained, inputs_from_table("subscriber", rows), explain=False)
    assert two["score"] == one["score"] and two["label"] == one["label"]
    assert two["node"] == one["node"]
    with_machine_code(trained)
    assert model.machine_code is not None
    native = score(trained, inputs_from_table("subscriber", rows), explain=False)
    assert isinstance(model.native, LLVMForest)
    assert native["score"] == one["score"] and native["label"] == one["label"]


@pytest.mark.parametrize("compile_trees", ["1", "0"])
def test_model_train_saves_the_machine_code_in_the_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compile_trees: str
) -> None:
    from typer.testing import CliRunner

    from scamnet.cli.main import app
    from scamnet.detect.registry import ModelRegistry
    from scamnet.settings import Settings

    monkeypatch.setitem(tabular.SUBSCRIBER_PARAMS, "n_estimators", 30)
    monkeypatch.setenv("SCAMNET_COMPILE_TREES", compile_trees)
    rng = np.random.default_rng(10)
    calls = rng.normal(size=200)
    table = pa.table({"node": [f"n{i}" for i in range(200)], "calls_out": calls,
                      "short_call_ratio": rng.random(200),
                      "label": (calls > 0).astype(int)})  # fmt: skip
    pa.csv.write_csv(table, tmp_path / "subs.csv")
    data = tmp_path / "data"
    result = CliRunner().invoke(app, ["model", "train", "subscriber", "--input",
                                      str(tmp_path / "subs.csv"), "--label-column", "label",
                                      "--data-dir", str(data)])  # fmt: skip
    assert result.exit_code == 0, result.output
    _, trained = ModelRegistry(Settings.from_env(data)).champion("subscriber")
    model = trained.model
    assert isinstance(model, TabularModel) and model.booster is not None
    x = np.column_stack([calls, rng.random(200)])
    expected = model.booster.booster_.predict(x, num_threads=1)
    np.testing.assert_allclose(model.score(x), expected, rtol=0, atol=EXACT)
    if compile_trees == "1":
        assert isinstance(model.machine_code, MachineCode)
        assert isinstance(model.native, LLVMForest)
    else:
        assert model.machine_code is None and model.native is False
