"""The network's evidence counts agree with their nouns."""

from __future__ import annotations

import numpy as np

from scamnet.network.structure import Structure, _account_evidence, _phone_evidence
from scamnet.network.wording import counted


def test_one_is_singular_and_the_rest_plural() -> None:
    assert counted(1, "call") == "1 call"
    assert counted(2, "call") == "2 calls"
    assert counted(0, "call") == "0 calls"
    assert counted(1.0, "team") == "1 team"
    assert counted(12_345, "group member") == "12,345 group members"
    assert counted(1, "tier of command", "tiers of command") == "1 tier of command"
    assert counted(3, "tier of command", "tiers of command") == "3 tiers of command"


def _structure(**values: list[float]) -> Structure:
    fields = ("command", "subordinates", "bosses_below", "money_rank", "money_in", "money_out",
              "payers_in_set", "boss", "level")  # fmt: skip
    return Structure(**{f: np.array(values.get(f, [0.0, 0.0]), dtype=float) for f in fields})


def test_a_member_bridging_one_team_says_so_in_the_singular() -> None:
    s = _structure(command=[1.0, 0.5], subordinates=[1, 2], bosses_below=[1, 2], level=[1, 3])
    one, two = _phone_evidence(0, s, 1.0), _phone_evidence(1, s, 1.0)
    assert "1 tier of command below it" in one and "3 tiers of command below it" in two
    assert "1 number calls it more than" in one and "2 numbers call it more than" in two
    assert "bridges 1 team (" in one and "bridges 2 teams (" in two


def test_an_account_paid_by_one_group_account_says_so_in_the_singular() -> None:
    s = _structure(money_in=[1500.0, 148_000.0], money_out=[0.0, 0.0], payers_in_set=[1, 3])
    assert _account_evidence(0, s).startswith("receives 1,500 from 1 group account")
    assert _account_evidence(1, s).startswith("receives 148,000 from 3 group accounts")
