"""Money in the account detector's explanations carries its currency, written as the
locale writes it (Babel), never as 1.48e+05."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa

from scamnet.detect.alerts import account_alerts, account_inputs
from scamnet.detect.detectors import train
from scamnet.detect.money import format_money, is_money, main_currency

NBSP = "\u202f"  # CLDR's narrow no-break space, French's thousands separator


def test_amounts_carry_their_currency_and_the_locale_s_separators() -> None:
    assert format_money(148_000, "CNY") == "CN¥148,000.00"
    assert format_money(148_000, "usd") == "$148,000.00"
    assert (
        format_money(148_000, "CNY", locale="fr").replace(NBSP, " ").replace("\xa0", " ")
        == "148 000,00 CNY"
    )
    assert format_money(1234.5, None) == "1,234.5"
    assert format_money(1234.5, "xqz") == "XQZ1,234.50"  # a code CLDR does not know


def test_only_sums_of_money_are_money() -> None:
    assert is_money("max_in") and is_money("nb_sum_out")
    assert not is_money("n_in") and not is_money("pass_through")


def test_an_account_s_currency_is_the_one_most_of_its_transfers_are_in() -> None:
    got = main_currency(["a", "a", "a", "b", "c"], ["CNY", "cny ", "THB", "THB", None])
    assert got == {"a": "CNY", "b": "THB"}


def test_account_alerts_explain_amounts_in_the_account_s_currency() -> None:
    rng = np.random.default_rng(3)
    n = 300
    mules = [f"M{i}" for i in range(30)]
    others = [f"A{i}" for i in range(n)]
    src, dst, value, time, currency = [], [], [], [], []
    for _ in range(2500):  # ordinary payments in yuan
        a, b = rng.choice(others, 2)
        src.append(a), dst.append(b), value.append(float(rng.integers(10, 500)))
        time.append(float(rng.integers(0, 30))), currency.append("CNY")
    for m in mules:  # the mules differ only by one large sum received, each
        for _ in range(8):
            src.append(str(rng.choice(others))), dst.append(m)
            value.append(float(rng.integers(10, 500))), time.append(float(rng.integers(0, 30)))
            currency.append("CNY")
        src.append(str(rng.choice(others))), dst.append(m), value.append(148_000.0)
        time.append(float(rng.integers(0, 30))), currency.append("CNY")
    transfers = pa.table({"src": src, "dst": dst, "value": value, "time": time,
                          "currency": currency})  # fmt: skip
    accounts = [*mules, *others[:150]]
    labels = ["mule"] * len(mules) + ["normal"] * 150
    trained = train(account_inputs(transfers, accounts, labels), "normal")
    alerts = account_alerts(trained, transfers, "2023-10-01/2023-10-14")
    explained = " | ".join(a.explanation for a in alerts)
    assert alerts and re.search(r"= CN¥\d{1,3}(,\d{3})+\.\d{2}\b", explained), explained
    assert "e+0" not in explained
