"""The fast lanes never accept what the core identifier types would refuse or rewrite, and
the lookup cache built on them gives every raw value the core's value or reason."""

from __future__ import annotations

import random

import duckdb
import phonenumbers
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from scamnet.core.errors import InvalidIdentifier
from scamnet.core.identifiers import Imei, Phone
from scamnet.ingest.fastlane import check_patterns, imei_lane_sql, phone_lane, phone_rules
from scamnet.ingest.kinds import ColumnType
from scamnet.ingest.validate import LookupCache, clean_many


def _lane(values: list[str], phones: bool) -> set[str]:
    if phones:
        accepted = phone_lane(pa.array(values, pa.string()))
        return {v for v, ok in zip(values, accepted.tolist(), strict=True) if ok}
    con = duckdb.connect()
    con.register("vals", pa.table({"v": pa.array(values, pa.string())}))
    return {v for (v,) in con.execute(imei_lane_sql("vals")).fetchall()}


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


AWKWARD_PHONES = [
    "+8613800138000",  # valid as written
    "+86 138 0013 8000",  # spaces
    " +8613800138000",  # a leading space
    "+8613800138000 ",  # a trailing one
    "\u3000+8613800138000",  # an ideographic space
    "\u00a0+8613800138000\u00a0",  # no-break spaces
    "+8613800138000\n",  # a line feed after it
    "\uff0b8613800138000",  # a fullwidth plus
    "+" + "8613800138000".translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    "+" + "8613800138000".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
    "13800138000",  # national, the region's
    "013800138000",
    "0086 138 0013 8000",
    "+86-138-0013-8000",
    "(+86) 13800138000",
    "+860013800138000",
    "+8613800138000a",
    "+86138001380",  # short
    "+861380013800000000",  # long
    "+16502530000",  # a shared code (+1)
    "+79161234567",
    "+4915112345678",
    "+442079460000",
    "+0",
    "+",
    "",
    "   ",
    "\u3000",
    "tel:+8613800138000",
    "+8613800138000;ext=1",
    "+86 10 6552 9988",  # a Beijing fixed line
    "+85221234567",  # Hong Kong
    "+8210" + "1234" * 2,  # Korea, mobile
    "+8613800138000\x00",
    "+86\u200b13800138000",  # a zero-width space inside
    "\u2007+8613800138000",  # a figure space (Zs)
]


def test_the_lookup_cache_gives_the_core_value_or_reason_for_awkward_numbers() -> None:
    """The ingest rule: each raw value, as read, gets the canonical value the core gives it
    (the raw text when the lane took it), or the core's reason; a blank is missing."""
    con = duckdb.connect()
    cache = LookupCache(con, "CN")
    values = AWKWARD_PHONES + [v + "1" for v in AWKWARD_PHONES]
    con.register("vals", pa.table({"v": pa.array(values, pa.string())}))
    cache.extend(ColumnType.PHONE, "SELECT v FROM vals")
    cache.extend(ColumnType.PHONE, "SELECT v FROM vals")  # seen: nothing validated twice
    got = {
        raw: (value, reason)
        for raw, value, reason in con.execute(
            "SELECT v, CASE WHEN e.raw IS NULL THEN v ELSE e.value END, e.reason "
            "FROM vals LEFT JOIN ex_phone e ON e.raw = v"
        ).fetchall()
    }
    want = dict(zip(values, clean_many("phone", "CN", values), strict=True))
    assert got == want
    assert sum(1 for v, r in want.values() if v is None and r is not None) >= 10  # refused
    assert con.execute("SELECT count(*) FROM ex_phone").fetchone() == (
        sum(1 for raw, (v, _r) in want.items() if v != raw),
    )
