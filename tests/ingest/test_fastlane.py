"""The SQL fast lanes never accept what the core identifier types would refuse or rewrite."""

from __future__ import annotations

import random

import duckdb
import phonenumbers
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from scamnet.core.errors import InvalidIdentifier
from scamnet.core.identifiers import Imei, Phone
from scamnet.ingest.fastlane import (
    check_patterns,
    imei_lane_sql,
    phone_lane_sql,
    phone_rules,
    phone_shapes_sql,
)


def _lane(values: list[str], phones: bool) -> set[str]:
    con = duckdb.connect()
    con.register("vals", pa.table({"v": pa.array(values, pa.string())}))
    if phones:
        shapes = {(c, int(n)) for c, n in con.execute(phone_shapes_sql("vals")).fetchall()}
        sql = phone_lane_sql("vals", shapes)
    else:
        sql = imei_lane_sql("vals")
    return {v for (v,) in con.execute(sql).fetchall()}


def _core_phone(raw: str) -> str | None:
    try:
        return Phone.clean_in(raw, "CN")
    except InvalidIdentifier:
        return None


def _candidates() -> list[str]:
    """Example numbers of every single-region plan and type, and near misses of each."""
    rng = random.Random(7)
    out = []
    codes = {code for code, _len in phone_rules()}
    for code in sorted(codes, key=int):
        region = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[int(code)][0]
        for kind in range(11):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            out.append(e164)
            out.append(e164[:-1] + str((int(e164[-1]) + 1) % 10))  # another number
            out.append(e164[:-1])  # one digit short
            out.append(e164 + str(rng.randrange(10)))  # one digit long
            digits = list(e164[len(code) + 1 :])
            rng.shuffle(digits)
            out.append(f"+{code}{''.join(digits)}")  # same length, scrambled
        for _ in range(5):  # random national numbers
            out.append(
                f"+{code}" + "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 12)))
            )
    return out


def test_phone_lane_agrees_with_libphonenumber_on_every_plan() -> None:
    check_patterns()
    values = _candidates()
    accepted = _lane(values, phones=True)
    wrong = [v for v in accepted if _core_phone(v) != v]
    assert not wrong, wrong[:10]
    valid = {v for v in values if _core_phone(v) == v}
    # The lane does the work: nearly every valid number needs no Python at all (what it
    # leaves are national numbers with a leading zero and very short ones).
    assert len(accepted) >= 0.95 * len(valid), (len(accepted), len(valid))


def test_phone_lane_leaves_other_formats_to_the_core() -> None:
    odd = [
        "8613800138000",
        "+86 138 0013 8000",
        "0086138001380000",
        "+0861380013800",
        "+1 650 253 0000",
        "+16502530000",
        "+79161234567",
        "+86138001380a0",
    ]
    assert _lane(odd, phones=True) == set()  # shared codes (+1, +7) and non-E.164 text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("0123456789", min_size=13, max_size=17), min_size=1, max_size=50))
def test_imei_lane_agrees_with_the_core(values: list[str]) -> None:
    accepted = _lane(values, phones=False)
    for v in values:
        try:
            same = Imei.clean(v) == v
        except InvalidIdentifier:
            same = False
        assert (v in accepted) == (same and len(v) == 15)
