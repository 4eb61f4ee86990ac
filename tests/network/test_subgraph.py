"""The subgraph counts every call tie of its numbers, inside it or not (the rooting rule
of ``structure`` reads a supposed boss's ties against all of them)."""

from __future__ import annotations

import pyarrow as pa

from scamnet.engine import open_engine
from scamnet.network.subgraph import MIN_PAIR_CALLS, Seeds, extract

SEED, FRIEND, STRANGER, OTHER = (f"+861380000000{i}" for i in range(1, 5))


def _calls(pairs: list[tuple[str, str, int]]) -> pa.Table:
    rows = [(a, b) for a, b, n in pairs for _ in range(n)]
    return pa.table({
        "caller": [a for a, _ in rows], "callee": [b for _, b in rows],
        "imei": pa.array([None] * len(rows), pa.string()),
        "cell_id": pa.array([None] * len(rows), pa.string()),
    })  # fmt: skip


def test_ties_count_partners_outside_the_subgraph() -> None:
    # The seed: 2 + 1 calls with a friend (one tie, both ways), 2 with a stranger (no
    # tie), 5 with another number; the friend and the other are outside the subgraph.
    assert MIN_PAIR_CALLS == 3
    calls = _calls([(SEED, FRIEND, 2), (FRIEND, SEED, 1), (SEED, STRANGER, 2), (OTHER, SEED, 5),
                    (FRIEND, OTHER, 4)])  # fmt: skip
    seeds = Seeds()
    seeds.alert("subscriber", SEED, 0.9)
    with open_engine("duckdb") as engine:
        engine.register_arrow("calls", calls)
        engine.register_arrow("transfers", pa.table({
            "source": pa.array([], pa.string()), "target": pa.array([], pa.string()),
            "amount": pa.array([], pa.float64())}))  # fmt: skip
        engine.register_arrow("cells", pa.table({
            "cell_id": pa.array([], pa.string()), "country": pa.array([], pa.string()),
            "border": pa.array([], pa.bool_())}))  # fmt: skip
        sub = extract(engine, seeds)
    assert sub.nodes == [SEED]
    assert sub.ties.tolist() == [2]  # the friend and the other number, not the stranger
