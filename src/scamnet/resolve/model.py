"""The Splink model: comparisons designed for names across scripts.

One set of settings for every backend: the comparisons' SQL is written in
DuckDB's dialect and Splink renders it for the engine that runs the linkage
(DuckDB by default, Spark when it is the engine; see ``scamnet.engine``).

Comparisons, each a column of evidence whose weights Splink learns without labels
(u from random pairs, m by expectation maximisation):

- name: same 汉字; the same letters in some pair of forms (pinyin or Wade–Giles,
  either name order); Jaro–Winkler ≥ 0.95, ≥ 0.88, ≥ 0.75 on the best pair of
  forms (typos); otherwise different;
- birth date: same; day and month swapped; same year; different;
- resident ID number, passport number, phone: the same value is strong evidence.

Pairs are generated only within blocks (same birth date or its swap, same
document, same phone, same name form), never over all pairs.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator

from scamnet.engine import AnalyticsEngine, open_engine
from scamnet.resolve.records import FORM_SLOTS

# Splink reports every training step, and parameters it could not train (a document
# never shared in the blocks), at INFO and WARNING; the CLI prints its own summary.
logging.getLogger("splink").setLevel(logging.ERROR)

_SLOTS = range(1, FORM_SLOTS + 1)
_BEST = (
    "greatest("
    + ", ".join(f"jaro_winkler_similarity(f{i}_l, f{j}_r)" for i in _SLOTS for j in _SLOTS)
    + ")"
)
_SAME_FORM = " or ".join(f"f{i}_l = f{j}_r" for i in _SLOTS for j in _SLOTS)

# Labels by comparison vector value (Splink numbers levels from the else level, 0, upwards).
NAME_LEVELS = [
    "different name",
    "partly similar name (Jaro–Winkler ≥ 0.75)",
    "similar name (≥ 0.88)",
    "name spelled alike (≥ 0.95)",
    "same name across scripts",
    "same 汉字",
]
DOB_LEVELS = [
    "different birth date",
    "same birth year",
    "birth date with day and month swapped",
    "same birth date",
]
EXACT_LEVELS = {"id_number": "same resident ID", "passport": "same passport", "phone": "same phone"}


def _level(sql: str, label: str) -> cll.CustomLevel:
    # Written once in DuckDB's SQL; Splink translates it for another backend.
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb")


def settings() -> SettingsCreator:
    name = cl.CustomComparison(
        output_column_name="name",
        comparison_description="name across scripts",
        comparison_levels=[
            cll.NullLevel("f1"),
            _level("han_l = han_r", NAME_LEVELS[5]),
            _level(f"({_SAME_FORM})", NAME_LEVELS[4]),
            _level(f"{_BEST} >= 0.95", NAME_LEVELS[3]),
            _level(f"{_BEST} >= 0.88", NAME_LEVELS[2]),
            _level(f"{_BEST} >= 0.75", NAME_LEVELS[1]),
            cll.ElseLevel(),
        ],
    )
    dob = cl.CustomComparison(
        output_column_name="dob",
        comparison_description="birth date",
        comparison_levels=[
            cll.NullLevel("dob"),
            _level("dob_l = dob_r", DOB_LEVELS[3]),
            _level("dob_l = dob_swap_r", DOB_LEVELS[2]),
            _level("year(dob_l) = year(dob_r)", DOB_LEVELS[1]),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="uid",
        comparisons=[name, dob, *(cl.ExactMatch(c) for c in EXACT_LEVELS)],
        blocking_rules_to_generate_predictions=[*BLOCKS],
        retain_intermediate_calculation_columns=True,
    )


BLOCKS: list[BlockingRuleCreator] = [
    block_on("dob"),
    CustomRule("l.dob = r.dob_swap"),
    block_on("id_number"),
    block_on("passport"),
    block_on("phone"),
    block_on("f1"),
    CustomRule("l.f1 = r.f2"),
]


@dataclass(frozen=True, slots=True)
class Pair:
    uid_l: str
    uid_r: str
    probability: float
    reasons: tuple[str, ...]


def _linker(model: dict[str, Any] | SettingsCreator, table: pa.Table,
            engine: AnalyticsEngine) -> Linker:  # fmt: skip
    db_api, records = engine.splink(table)
    if isinstance(model, dict):
        model = for_dialect(model, db_api.sql_dialect.sql_dialect_str)
    return Linker(records, model, db_api=db_api, set_up_basic_logging=False)


def for_dialect(model: dict[str, Any], dialect: str) -> dict[str, Any]:
    """A saved model for a backend of another SQL dialect: the trained weights put
    on the settings rendered for ``dialect`` (a saved model holds rendered SQL)."""
    if model.get("sql_dialect", dialect) == dialect:
        return model
    fresh = settings().create_settings_dict(dialect)
    if [len(c["comparison_levels"]) for c in fresh["comparisons"]] != [
        len(c["comparison_levels"]) for c in model["comparisons"]
    ]:
        raise ValueError("the saved model's comparisons differ from this version's: train again")
    out = {**model, "comparisons": fresh["comparisons"], "sql_dialect": dialect,
           "blocking_rules_to_generate_predictions":
               fresh["blocking_rules_to_generate_predictions"]}  # fmt: skip
    for new, old in zip(out["comparisons"], model["comparisons"], strict=True):
        for level, trained in zip(new["comparison_levels"], old["comparison_levels"], strict=True):
            for key in ("m_probability", "u_probability"):
                if key in trained:
                    level[key] = trained[key]
    return out


def _on(engine: AnalyticsEngine | None) -> tuple[AnalyticsEngine, bool]:
    """The engine to link on: the one given, or a private DuckDB that the caller closes."""
    return (engine, False) if engine is not None else (open_engine("duckdb"), True)


def train(table: pa.Table, seed: int = 1, engine: AnalyticsEngine | None = None) -> dict[str, Any]:
    """Learn the weights from the records themselves (no labels); returns the model."""
    on, own = _on(engine)
    try:
        linker = _linker(settings(), table, on)
        # A resident ID or the same name on the same birth date is near-certain: the
        # prior comes from how often such pairs occur.
        linker.training.estimate_probability_two_random_records_match(
            [block_on("id_number"), block_on("dob", "f1")], recall=0.7
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
        # EM on two blockings, so each comparison is trained where it is not the block.
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("f1"))
        model: dict[str, Any] = linker.misc.save_model_to_json()
    finally:
        if own:
            on.close()
    return model


def predict(model: dict[str, Any], table: pa.Table, threshold: float = 0.05,
            engine: AnalyticsEngine | None = None) -> list[Pair]:  # fmt: skip
    """Every blocked pair with a match probability of at least ``threshold``, with reasons."""
    on, own = _on(engine)
    try:
        linker = _linker(model, table, on)
        frame = linker.inference.predict(threshold_match_probability=threshold)
        rows = on.splink_rows(frame)
    finally:
        if own:
            on.close()
    return [Pair(r["uid_l"], r["uid_r"], float(r["match_probability"]), reasons(r)) for r in rows]


def match(model: dict[str, Any], table: pa.Table, query: pa.Table, limit: int = 5,
          engine: AnalyticsEngine | None = None) -> list[Pair]:  # fmt: skip
    """Query by example: the records most likely to be the person ``query`` describes."""
    on, own = _on(engine)
    try:
        linker = _linker(model, table, on)
        frame = linker.inference.find_matches_to_new_records(
            on.splink_table(query), blocking_rules=[*BLOCKS], match_weight_threshold=-20
        )
        rows = on.splink_rows(frame)
    finally:
        if own:
            on.close()
    rows.sort(key=lambda r: (-r["match_weight"], r["uid_l"]))
    return [
        Pair(r["uid_r"], r["uid_l"], float(r["match_probability"]), reasons(r))
        for r in rows[:limit]
    ]


def reasons(row: dict[str, Any]) -> tuple[str, ...]:
    """The evidence of one pair in words, from its comparison levels."""
    out = []
    for col, labels in (("name", NAME_LEVELS), ("dob", DOB_LEVELS)):
        gamma = row.get(f"gamma_{col}")
        if gamma is not None and gamma >= 0:
            out.append(labels[gamma])
    for col, label in EXACT_LEVELS.items():
        if row.get(f"gamma_{col}") == 1:
            out.append(label)
    return tuple(out)


def save(model: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model, indent=1, ensure_ascii=False), encoding="utf-8")


def load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))
