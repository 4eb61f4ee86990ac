"""The fraud-relevant subgraph: grown from seeds, never computed over everyone.

Seeds are what detection and victims point at: numbers the subscriber model
alerted on, numbers and accounts named in victim reports. From them the graph
grows along the ties a scam group cannot avoid:

- handsets: every SIM that used a seed's handset (operators rotate SIMs on few
  phones), and the handsets themselves;
- command: a number that several members call *and* calls back, with most of
  its contacts inside the set (a team leader, an organiser);
- money: accounts that take most of their inflow from the set (the next mule
  layer, the organisers' accounts, the wallets), and accounts that pass on most
  of what they receive from several payers into the set (unreported mules);
- place: the foreign or border cells the numbers use (a compound's towers).

Victims stay out: they are called by the set, but most of their contacts are not.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from scamnet.core.identifiers import BankAccount, Imei, Phone, Wallet
from scamnet.engine.base import AnalyticsEngine, Relation
from scamnet.network.wording import counted

ROUNDS = 4
CELL_PREFIX = "cell:"  # a tower is no identifier of a person, so core has no type for it


@dataclass
class Seeds:
    """Where the subgraph starts, and the evidence each seed brings (see ``alert``, ``report``)."""

    phones: dict[str, str] = field(default_factory=dict)  # number → why it is a seed
    accounts: dict[str, str] = field(default_factory=dict)
    links: list[tuple[str, str]] = field(default_factory=list)  # (phone, account) in one report
    scores: dict[str, float] = field(default_factory=dict)  # alert score of a seed
    reports: Counter[str] = field(default_factory=Counter)  # victim reports naming it

    def alert(self, kind: str, subject: str, score: float) -> None:
        """A detector's alert on a number (kind ``subscriber``) or an account."""
        target = self.phones if kind == "subscriber" else self.accounts
        target[subject] = f"{kind} alert, score {score:.2f}"
        self.scores[subject] = max(score, self.scores.get(subject, 0.0))

    def report(self, phone: str | None, account: str | None) -> None:
        """One victim report naming the scammer's number, account, or both."""
        for subject, target in ((phone, self.phones), (account, self.accounts)):
            if subject:
                self.reports[subject] += 1
                n = self.reports[subject]
                if subject not in self.scores:  # an alert's reason says more
                    target[subject] = (
                        "named in a victim report" if n == 1 else f"named in {n} victim reports"
                    )
        if phone and account:
            self.links.append((phone, account))


@dataclass
class Subgraph:
    nodes: list[str]
    kinds: list[str]  # phone, device, account, cell
    why: list[str]  # why each node is in the subgraph, in words
    edges: tuple[np.ndarray, np.ndarray, np.ndarray]  # undirected ties for communities
    edge_kinds: np.ndarray  # call, device, transfer, report, cell: one per tie
    calls: tuple[np.ndarray, np.ndarray, np.ndarray]  # directed calls between phones (counts)
    money: tuple[np.ndarray, np.ndarray, np.ndarray]  # directed transfers (amounts)
    cell_use: tuple[np.ndarray, np.ndarray, np.ndarray]  # phone, cell, calls
    # Per node: the numbers anywhere in the lake it has MIN_PAIR_CALLS or more calls
    # with (0 for all but phones). Whether a supposed boss's ties are mostly the
    # group's is read against this (``structure.rooted``).
    ties: np.ndarray

    def index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.nodes)}

    def graph_keys(self) -> list[str]:
        """Each node's graph key, with the prefixes of core's identifier types."""
        return [graph_key(kind, node) for kind, node in zip(self.kinds, self.nodes, strict=True)]


def graph_key(kind: str, value: str) -> str:
    """The graph key of a subgraph node: ``tel:``, ``imei:``, ``acct:`` or ``wallet:``
    as core names the identifier, ``cell:`` for a tower."""
    if kind == "phone":
        return Phone(value).graph_key
    if kind == "device":
        return Imei(value).graph_key
    if kind == "account":  # the lake's transfers hold bank accounts and wallets alike
        return (Wallet if Wallet.is_valid(value) else BankAccount)(value).graph_key
    return CELL_PREFIX + value


# Weights of the undirected ties: a shared handset or a report is strong; calls
# count; a shared tower is weak and mostly attaches SIMs that have no other tie.
W_DEVICE, W_REPORT, W_CELL = 3.0, 2.0, 0.3
# Two suspected numbers with fewer calls between them (both ways) are not tied: a
# scam call to a victim is one call, rarely returned, while members report up
# daily. Without this, an ordinary subscriber who entered the subgraph (a cloned
# handset, a misnamed number) is called once by operators of every group, bridges
# them all into one community and looks like their boss.
MIN_PAIR_CALLS = 3


def _keys(engine: AnalyticsEngine, name: str, keys: set[str]) -> Relation:
    return engine.register_arrow(name, pa.table({"k": pa.array(sorted(keys), pa.string())}))


def _column(engine: AnalyticsEngine, query: str) -> list[str]:
    return [str(v) for v in engine.to_arrow(engine.sql(query)).column(0).to_pylist()]


def extract(engine: AnalyticsEngine, seeds: Seeds) -> Subgraph:
    """Grow the subgraph from ``seeds`` over the lake views ``calls``, ``transfers``
    and the reference view ``cells``."""
    pairs = engine.materialize(
        "SELECT caller AS a, callee AS b, count(*) AS n FROM calls GROUP BY 1, 2"
    )
    devices = engine.materialize(
        "SELECT DISTINCT caller AS phone, imei FROM calls WHERE imei IS NOT NULL"
    )
    money = engine.materialize(
        "SELECT source AS a, target AS b, sum(amount)::DOUBLE AS amt FROM transfers GROUP BY 1, 2"
    )
    why: dict[str, str] = {**seeds.phones, **seeds.accounts}
    phones = set(seeds.phones)
    _keys(engine, "net_phones", phones)
    handsets = set(
        _column(
            engine, f"SELECT DISTINCT imei FROM {devices.name} d JOIN net_phones p ON d.phone = p.k"
        )
    )
    _keys(engine, "net_devices", handsets)
    for phone in _column(
        engine, f"SELECT DISTINCT phone FROM {devices.name} d JOIN net_devices h ON d.imei = h.k"
    ):
        if phone not in phones:
            phones.add(phone)
            why[phone] = "used a handset of a suspected number"
    for imei in handsets:
        why[imei] = "handset used by suspected numbers"
    for _ in range(ROUNDS):
        _keys(engine, "net_phones", phones)
        found = engine.to_arrow(
            engine.sql(f"""
            WITH und AS (SELECT a AS x, b AS y FROM {pairs.name} UNION ALL
                         SELECT b, a FROM {pairs.name}),
            touch AS (SELECT x, count(DISTINCT y) AS tot,
                             count(DISTINCT y) FILTER (WHERE y IN (SELECT k FROM net_phones))
                             AS ins
                      FROM und WHERE x NOT IN (SELECT k FROM net_phones) GROUP BY x),
            mutual AS (SELECT p.a AS x, count(DISTINCT p.b) AS m FROM {pairs.name} p
                       JOIN {pairs.name} q ON q.a = p.b AND q.b = p.a
                       WHERE p.b IN (SELECT k FROM net_phones) GROUP BY p.a)
            SELECT x, ins, tot FROM touch JOIN mutual USING (x) WHERE m >= 2 AND ins >= 0.6 * tot
        """)
        ).to_pylist()
        if not found:
            break
        for r in found:
            phones.add(r["x"])
            why[r["x"]] = f"calls and is called back by {counted(r['ins'], 'suspected number')}"
    accounts = set(seeds.accounts)
    for _ in range(ROUNDS + 1):
        _keys(engine, "net_accounts", accounts)
        found = engine.to_arrow(
            engine.sql(f"""
            WITH inflow AS (SELECT b AS x, sum(amt) AS total,
                                   sum(amt) FILTER (WHERE a IN (SELECT k FROM net_accounts))
                                   AS inset
                            FROM {money.name} GROUP BY b),
            outflow AS (SELECT a AS x, sum(amt) AS total, count(DISTINCT b)
                               FILTER (WHERE b IN (SELECT k FROM net_accounts)) AS targets,
                               sum(amt) FILTER (WHERE b IN (SELECT k FROM net_accounts)) AS inset
                        FROM {money.name} GROUP BY a),
            senders AS (SELECT b AS x, count(DISTINCT a) AS payers, sum(amt) AS received
                        FROM {money.name} GROUP BY b)
            SELECT x, 'receives ' || round(100 * inset / total)::INTEGER
                      || '% of its money from suspected accounts' AS why
            FROM inflow WHERE inset >= 0.5 * total AND x NOT IN (SELECT k FROM net_accounts)
            UNION
            SELECT x, 'passes on ' || round(100 * o.inset / o.total)::INTEGER
                      || '% of its outflow to suspected accounts, from ' || payers || ' payers'
                      AS why
            FROM outflow o JOIN senders s USING (x)
            WHERE o.inset >= 0.5 * o.total AND o.total BETWEEN 0.8 * s.received AND s.received
              AND payers >= 3 AND x NOT IN (SELECT k FROM net_accounts)
        """)
        ).to_pylist()
        if not found:
            break
        for r in found:
            accounts.add(r["x"])
            why.setdefault(r["x"], r["why"])
    return _assemble(engine, phones, handsets, accounts, seeds, why, pairs, devices, money)


def _assemble(
    engine: AnalyticsEngine,
    phones: set[str],
    handsets: set[str],
    accounts: set[str],
    seeds: Seeds,
    why: dict[str, str],
    pairs: Relation,
    devices: Relation,
    money: Relation,
) -> Subgraph:
    _keys(engine, "net_phones", phones)
    _keys(engine, "net_accounts", accounts)
    cells = engine.to_arrow(
        engine.sql("""
        SELECT c.caller AS phone, c.cell_id AS cell, count(*) AS n FROM calls c
        JOIN net_phones p ON c.caller = p.k JOIN cells r ON r.cell_id = c.cell_id
        WHERE r.country <> 'CN' OR r.border GROUP BY 1, 2
    """)
    ).to_pydict()
    cell_ids = sorted(set(cells["cell"]))
    nodes = sorted(phones) + sorted(handsets) + sorted(accounts - phones) + cell_ids
    kinds = (
        ["phone"] * len(phones)
        + ["device"] * len(handsets)
        + ["account"] * len(accounts - phones)
        + ["cell"] * len(cell_ids)
    )
    index = {n: i for i, n in enumerate(nodes)}
    for c in cell_ids:
        why[c] = "a foreign or border cell the numbers use"
    calls = engine.to_arrow(
        engine.sql(f"""
            SELECT p.a, p.b, p.n FROM {pairs.name} p
            LEFT JOIN {pairs.name} q ON q.a = p.b AND q.b = p.a
            WHERE p.a IN (SELECT k FROM net_phones) AND p.b IN (SELECT k FROM net_phones)
              AND p.n + coalesce(q.n, 0) >= {MIN_PAIR_CALLS}
        """)
    ).to_pydict()
    # Every tie of a subgraph number, inside the subgraph or not: a pair is one tie
    # whichever way its calls went, as in ``calls`` below.
    ties = engine.to_arrow(
        engine.sql(f"""
            WITH touching AS (
                SELECT least(a, b) AS x, greatest(a, b) AS y FROM {pairs.name}
                WHERE a <> b
                  AND (a IN (SELECT k FROM net_phones) OR b IN (SELECT k FROM net_phones))
                GROUP BY 1, 2 HAVING sum(n) >= {MIN_PAIR_CALLS}),
            ends AS (SELECT x AS k FROM touching UNION ALL SELECT y FROM touching)
            SELECT k, count(*) AS n FROM ends WHERE k IN (SELECT k FROM net_phones) GROUP BY k
        """)
    ).to_pydict()
    dev = engine.to_arrow(
        engine.sql(
            f"SELECT phone, imei FROM {devices.name} WHERE phone IN (SELECT k FROM net_phones)"
        )
    ).to_pydict()
    flows = engine.to_arrow(
        engine.sql(
            f"SELECT a, b, amt FROM {money.name} WHERE a IN (SELECT k FROM net_accounts) "
            "AND b IN (SELECT k FROM net_accounts)"
        )
    ).to_pydict()
    ix = np.vectorize(index.__getitem__, otypes=[np.int64])

    def arr(xs: list[str]) -> np.ndarray:
        return ix(np.array(xs, dtype=object)) if xs else np.zeros(0, np.int64)

    call_a, call_b, call_n = arr(calls["a"]), arr(calls["b"]), np.array(calls["n"], float)
    keep_dev = [i for i, h in enumerate(dev["imei"]) if h in index]
    dev_a = arr([dev["phone"][i] for i in keep_dev])
    dev_b = arr([dev["imei"][i] for i in keep_dev])
    mon_a, mon_b, mon_w = arr(flows["a"]), arr(flows["b"]), np.array(flows["amt"], float)
    rep = [(index[p], index[a]) for p, a in seeds.links if p in index and a in index]
    rep_a = np.array([p for p, _ in rep], np.int64)
    rep_b = np.array([a for _, a in rep], np.int64)
    cell_a, cell_b = arr(cells["phone"]), arr(cells["cell"])
    tie_count = np.zeros(len(nodes), np.int64)
    tie_count[arr(ties["k"])] = np.array(ties["n"], np.int64)
    src = np.concatenate([call_a, dev_a, mon_a, rep_a, cell_a])
    dst = np.concatenate([call_b, dev_b, mon_b, rep_b, cell_b])
    weight = np.concatenate(
        [
            call_n,
            np.full(len(dev_a), W_DEVICE),
            np.ones(len(mon_a)),
            np.full(len(rep_a), W_REPORT),
            np.full(len(cell_a), W_CELL),
        ]
    )
    edge_kinds = np.repeat(
        np.array(["call", "device", "transfer", "report", "cell"]),
        [len(call_a), len(dev_a), len(mon_a), len(rep_a), len(cell_a)],
    )
    return Subgraph(
        nodes,
        kinds,
        [why.get(n, "") for n in nodes],
        (src, dst, weight),
        edge_kinds,
        (call_a, call_b, call_n),
        (mon_a, mon_b, mon_w),
        (cell_a, cell_b, np.array(cells["n"], float)),
        tie_count,
    )
