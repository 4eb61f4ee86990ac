"""The Splink model (DuckDB backend): comparisons designed for names across scripts.

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

import duckdb
import pyarrow as pa
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator

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


def settings() -> SettingsCreator:
    name = cl.CustomComparison(
        output_column_name="name",
        comparison_description="name across scripts",
        comparison_levels=[
            cll.NullLevel("f1"),
            {"sql_condition": "han_l = han_r", "label_for_charts": NAME_LEVELS[5]},
            {"sql_condition": f"({_SAME_FORM})", "label_for_charts": NAME_LEVELS[4]},
            {"sql_condition": f"{_BEST} >= 0.95", "label_for_charts": NAME_LEVELS[3]},
            {"sql_condition": f"{_BEST} >= 0.88", "label_for_charts": NAME_LEVELS[2]},
            {"sql_condition": f"{_BEST} >= 0.75", "label_for_charts": NAME_LEVELS[1]},
            cll.ElseLevel(),
        ],
    )
    dob = cl.CustomComparison(
        output_column_name="dob",
        comparison_description="birth date",
        comparison_levels=[
            cll.NullLevel("dob"),
            {"sql_condition": "dob_l = dob_r", "label_for_charts": DOB_LEVELS[3]},
            {"sql_condition": "dob_l = dob_swap_r", "label_for_charts": DOB_LEVELS[2]},
            {"sql_condition": "year(dob_l) = year(dob_r)", "label_for_charts": DOB_LEVELS[1]},
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


def _connection(table: pa.Table) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("records_arrow", table)
    con.execute("CREATE TABLE records AS SELECT * FROM records_arrow")
    con.unregister("records_arrow")
    return con


def train(table: pa.Table, seed: int = 1) -> dict[str, Any]:
    """Learn the weights from the records themselves (no labels); returns the model."""
    con = _connection(table)
    linker = Linker(
        "records", settings(), db_api=DuckDBAPI(connection=con), set_up_basic_logging=False
    )
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
    con.close()
    return model


def predict(model: dict[str, Any], table: pa.Table, threshold: float = 0.05) -> list[Pair]:
    """Every blocked pair with a match probability of at least ``threshold``, with reasons."""
    con = _connection(table)
    linker = Linker("records", model, db_api=DuckDBAPI(connection=con), set_up_basic_logging=False)
    frame = linker.inference.predict(threshold_match_probability=threshold)
    rows = frame.as_duckdbpyrelation().to_arrow_table().to_pylist()
    con.close()
    return [Pair(r["uid_l"], r["uid_r"], float(r["match_probability"]), reasons(r)) for r in rows]


def match(model: dict[str, Any], table: pa.Table, query: pa.Table, limit: int = 5) -> list[Pair]:
    """Query by example: the records most likely to be the person ``query`` describes."""
    con = _connection(table)
    # Registered with its types: as a list of dicts a query with no birth date would
    # carry an untyped NULL, which the date comparisons cannot bind.
    con.execute("CREATE TABLE query_records AS SELECT * FROM query")
    linker = Linker("records", model, db_api=DuckDBAPI(connection=con), set_up_basic_logging=False)
    frame = linker.inference.find_matches_to_new_records(
        "query_records", blocking_rules=[*BLOCKS], match_weight_threshold=-20
    )
    rows = frame.as_duckdbpyrelation().to_arrow_table().to_pylist()
    con.close()
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
