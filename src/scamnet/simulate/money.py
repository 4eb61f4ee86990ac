"""Money flows: victims pay first-layer mule accounts, the money is layered onward
to second-layer mules, then to organisers' accounts and crypto wallets; ordinary
payments (shops, friends, salaries) surround it.

Every mule forwards what it receives minus its commission, so money is
conserved along each chain to the cent; ``truth/money_flows.csv`` states it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from scamnet.core.identifiers.base import luhn_check_digit
from scamnet.core.roles import Role
from scamnet.simulate.messages import wallet_for
from scamnet.simulate.world import NORMAL, World

CENT = Decimal("0.01")
USDT_PER_CNY = Decimal("0.1389")  # about 7.2 CNY to the dollar in late 2023


def bank_card(rng: random.Random) -> str:
    """A 19-digit UnionPay-style card number (62…) with a valid Luhn digit."""
    body = "62" + "".join(rng.choice("0123456789") for _ in range(16))
    return body + str(luhn_check_digit(body))


@dataclass
class Ledger:
    rows: list[tuple[str, str, Decimal, str, int]] = field(
        default_factory=list
    )  # src,dst,amt,ccy,t
    accounts: dict[str, tuple[str, int, int]] = field(
        default_factory=dict
    )  # acct -> kind,person,group
    flows: dict[str, list[Decimal]] = field(default_factory=dict)  # acct -> [in, out, retained]
    victim_losses: list[tuple[int, int, str, Decimal, int, str]] = field(default_factory=list)

    def pay(self, src: str, dst: str, amount: Decimal, t: int, ccy: str = "CNY") -> None:
        self.rows.append((src, dst, amount, ccy, t))


def _account(ledger: Ledger, rng: random.Random, kind: str, person: int, group: int) -> str:
    acct = bank_card(rng) if kind != "wallet" else wallet_for(rng)
    ledger.accounts[acct] = (kind, person, group)
    return acct


def generate_money(
    world: World, engagements: list[tuple[int, int, int]], rng: random.Random
) -> Ledger:
    """``engagements``: (victim subscriber, fraud SIM, second) of long scam calls."""
    ledger = Ledger()
    layer1: dict[int, list[str]] = {}
    layer2: dict[int, list[str]] = {}
    top: dict[int, list[str]] = {}
    wallets: dict[int, list[str]] = {}
    commission: dict[str, Decimal] = {}
    for p in world.persons:
        if p.role is Role.MONEY_MULE:
            second = rng.random() < 0.25
            acct = _account(ledger, rng, "mule2" if second else "mule1", p.id, p.group)
            (layer2 if second else layer1).setdefault(p.group, []).append(acct)
            commission[acct] = Decimal(rng.choice(["0.01", "0.015", "0.02", "0.03"]))
        elif p.role is Role.ORGANISER or p.sub_role == "laundering":
            top.setdefault(p.group, []).append(_account(ledger, rng, "organiser", p.id, p.group))
    for g in range(world.config.groups):
        layer2.setdefault(g, layer1[g][:1])  # a tiny group may have a single layer
        wallets[g] = [_account(ledger, rng, "wallet", -1, g) for _ in range(rng.randint(2, 4))]

    victim_acct: dict[int, str] = {}
    for victim, sim, t0 in engagements:
        if rng.random() < 0.45:  # most people who stay on the line still do not pay
            continue
        g = int(world.subs.group[sim])
        if victim not in victim_acct:
            victim_acct[victim] = _account(ledger, rng, "victim", -1, -1)
        src = victim_acct[victim]
        t = t0 + rng.randint(600, 7200)
        total = Decimal(0)
        for _ in range(rng.choice([1, 1, 2, 3, 4])):
            amount = Decimal(int(rng.lognormvariate(np.log(8000), 1.0)) + 100)
            mule = rng.choice(layer1[g])
            ledger.pay(src, mule, amount, t)
            _forward(ledger, rng, mule, amount, t, commission, layer2[g], top[g], wallets[g])
            total += amount
            t += rng.randint(900, 86400)
        ledger.victim_losses.append((victim, sim, src, total, t0, mule))
    _normal_payments(world, ledger, rng, n=max(2000, 4 * len(ledger.rows)))
    return ledger


def _flow(ledger: Ledger, acct: str, inflow: Decimal, out: Decimal, kept: Decimal) -> None:
    f = ledger.flows.setdefault(acct, [Decimal(0), Decimal(0), Decimal(0)])
    f[0] += inflow
    f[1] += out
    f[2] += kept


def _split(amount: Decimal, parts: int, rng: random.Random) -> list[Decimal]:
    cuts = sorted(rng.random() for _ in range(parts - 1))
    shares = [b - a for a, b in zip([0.0, *cuts], [*cuts, 1.0], strict=True)]
    pieces = [(amount * Decimal(s)).quantize(CENT) for s in shares[:-1]]
    return [*pieces, amount - sum(pieces, Decimal(0))]


def _forward(ledger: Ledger, rng: random.Random, mule: str, amount: Decimal, t: int,
             commission: dict[str, Decimal], layer2: list[str], top: list[str],
             wallets: list[str]) -> None:  # fmt: skip
    kept = (amount * commission[mule]).quantize(CENT, ROUND_HALF_UP)
    out = amount - kept
    _flow(ledger, mule, amount, out, kept)
    t += int(rng.expovariate(1 / 5400)) + 120  # mules pass money on within hours
    for piece in _split(out, rng.randint(1, 3), rng):
        if piece <= 0:
            continue
        nxt = rng.choice(layer2)
        if nxt == mule:
            nxt = rng.choice(top)
            ledger.pay(mule, nxt, piece, t)
            _to_wallet(ledger, rng, nxt, piece, t, wallets)
            continue
        ledger.pay(mule, nxt, piece, t)
        kept2 = (piece * commission[nxt]).quantize(CENT, ROUND_HALF_UP)
        _flow(ledger, nxt, piece, piece - kept2, kept2)
        org = rng.choice(top)
        t2 = t + int(rng.expovariate(1 / 3600)) + 60
        ledger.pay(nxt, org, piece - kept2, t2)
        _to_wallet(ledger, rng, org, piece - kept2, t2, wallets)


def _to_wallet(ledger: Ledger, rng: random.Random, org: str, amount: Decimal, t: int,
               wallets: list[str]) -> None:  # fmt: skip
    usdt = (amount * USDT_PER_CNY).quantize(CENT)
    _flow(ledger, org, amount, amount, Decimal(0))
    ledger.pay(org, rng.choice(wallets), usdt, t + rng.randint(600, 20000), "USDT")


def _normal_payments(world: World, ledger: Ledger, rng: random.Random, n: int) -> None:
    normals = np.flatnonzero(world.subs.kind == NORMAL)
    people = [_account(ledger, rng, "normal", -1, -1) for _ in range(min(len(normals), n // 3))]
    merchants = [_account(ledger, rng, "merchant", -1, -1) for _ in range(max(20, n // 200))]
    employers = [_account(ledger, rng, "employer", -1, -1) for _ in range(max(5, n // 2000))]
    horizon = world.config.days * 86400
    popularity = (
        np.random.default_rng(world.config.seed + 7).zipf(1.6, len(merchants)).astype(float)
    )
    popularity /= popularity.sum()
    nrng = np.random.default_rng(world.config.seed + 8)
    times = nrng.integers(0, horizon, n)
    src = nrng.integers(0, len(people), n)
    shopping = nrng.random(n) < 0.7  # many small payments into popular merchants
    shop = nrng.choice(len(merchants), n, p=popularity)
    friend = nrng.integers(0, len(people), n)
    shop_amount = np.round(nrng.lognormal(np.log(150), 1.0, n), 2)
    friend_amount = nrng.lognormal(np.log(500), 1.0, n).astype(np.int64) + 1
    for i in range(n):
        if shopping[i]:
            dst, amount = merchants[shop[i]], Decimal(f"{shop_amount[i]:.2f}")
        else:
            dst, amount = people[friend[i]], Decimal(int(friend_amount[i]))
        if dst != people[src[i]] and amount > 0:
            ledger.pay(people[src[i]], dst, amount, int(times[i]))
    for emp in employers:  # payday: fan-out from an employer, looks like layering but is not
        t = rng.randrange(horizon)
        for staff in rng.sample(people, min(len(people), rng.randint(20, 150))):
            ledger.pay(
                emp, staff, Decimal(int(nrng.lognormal(np.log(6500), 0.4))), t + rng.randint(0, 600)
            )
