"""Row validation, done column by column inside DuckDB.

Identifier columns (phones, IMEIs, accounts, wallets, URLs) are checked with the
core identifier types, once per distinct value: feeds repeat the same numbers
millions of times, so a cache keeps validation at the speed of the engine while
every value still passes through the same code as everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime

import duckdb
import numpy as np
import pyarrow as pa

from scamnet.core.errors import InvalidIdentifier
from scamnet.core.identifiers import BankAccount, Imei, Phone, Url, Wallet
from scamnet.core.records import FraudType
from scamnet.ingest.fastlane import LANES, imei_lane_sql, phone_lane
from scamnet.ingest.kinds import Column, ColumnType, KindSpec
from scamnet.ingest.mapping import Mapping
from scamnet.ingest.numbers import MINOR_UNITS, STORED_PLACES, decimal_text, whole_sql

T = ColumnType
LOOKUP_TYPES = (T.PHONE, T.IMEI, T.PARTY, T.URL)
MAX_INT = {"duration_s": 86_400, "seq": 1_000_000}


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _party(raw: str) -> str:
    try:
        return BankAccount.clean(raw)
    except InvalidIdentifier as first:
        try:
            return Wallet.clean(raw)
        except InvalidIdentifier:
            raise first from None


# What the engine's trim() strips (Unicode category Zs), so a value cleaned here
# equals the value trimmed in SQL.
SPACES = "".join(map(chr, (32, 160, 5760, *range(8192, 8203), 8239, 8287, 12288)))
PARALLEL_FROM = 50_000  # below this, starting worker processes costs more than it saves


def clean_many(type_name: str, region: str, raws: list[str]) -> list[tuple[str | None, str | None]]:
    """(canonical value, None) or (None, reason) for each raw value."""
    cleaners: dict[str, Callable[[str], str]] = {
        "phone": lambda raw: Phone.clean_in(raw, region),
        "imei": Imei.clean,
        "party": _party,
        "url": Url.clean,
    }
    clean = cleaners[type_name]
    out: list[tuple[str | None, str | None]] = []
    for raw in raws:
        text = raw.strip(SPACES)
        if not text:
            out.append((None, None))  # blank: missing, not invalid
            continue
        try:
            out.append((clean(text), None))
        except InvalidIdentifier as exc:
            out.append((None, exc.reason))
    return out


class LookupCache:
    """Canonical value or refusal reason for each distinct raw identifier, per type."""

    def __init__(self, con: duckdb.DuckDBPyConnection, region: str,
                 limit: int | None = None) -> None:  # fmt: skip
        self.con = con
        self.region = region
        # A long-lived process (the stream's intake) forgets the values past ``limit``
        # per type: the tables would grow without end, and every batch joins them.
        self.limit = limit
        # Every raw value validated so far, as read (untrimmed), per type: a set here,
        # not a table, since a batch's values are compared with it and never joined.
        self.seen: dict[ColumnType, set[str]] = {t: set() for t in LOOKUP_TYPES}
        for t in LOOKUP_TYPES:
            # ex_*: the few values whose canonical form differs from the raw text,
            # that are invalid, or blank (value and reason NULL). Rows join only ex_*,
            # a small table, and a value not in it is known to be valid as written.
            con.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS ex_{t.value} "
                "(raw VARCHAR, value VARCHAR, reason VARCHAR)"
            )

    def extend(self, kind_type: ColumnType, source_sql: str) -> None:
        """Validate the raw values of ``source_sql`` not seen before, and remember them."""
        seen = self.seen[kind_type]
        if self.limit is not None and len(seen) > self.limit:
            self.con.execute(f"DELETE FROM ex_{kind_type.value}")
            seen.clear()
        distinct = self.con.execute(
            f"SELECT DISTINCT v FROM ({source_sql}) s(v) WHERE v IS NOT NULL"
        ).fetchall()
        fresh = [v for (v,) in distinct if v not in seen]
        if not fresh:
            return  # every value seen before (or none at all)
        seen.update(fresh)
        if kind_type in LANES:
            # Values valid as written are recognised column-wise and never reach Python's
            # identifier types: they are simply not in ex_*.
            values = pa.array(fresh, pa.string())
            if kind_type is T.PHONE:
                fast = phone_lane(values)
            else:
                self.con.register("lk_new", pa.table({"v": values}))
                valid = {v for (v,) in self.con.execute(imei_lane_sql("lk_new")).fetchall()}
                self.con.unregister("lk_new")
                fast = np.array([v in valid for v in fresh], dtype=bool)
            raws = [v for v, f in zip(fresh, fast.tolist(), strict=True) if not f]
        else:
            raws = fresh
        if not raws:
            return
        if len(raws) >= PARALLEL_FROM:
            with ProcessPoolExecutor(max_workers=2) as pool:
                chunks = [raws[i : i + 20_000] for i in range(0, len(raws), 20_000)]
                parts = pool.map(clean_many, [kind_type.value] * len(chunks),
                                 [self.region] * len(chunks), chunks)  # fmt: skip
                results = [r for part in parts for r in part]
        else:
            results = clean_many(kind_type.value, self.region, raws)
        values = [v for v, _ in results]
        reasons = [r for _, r in results]
        batch = pa.table({"raw": raws, "value": values, "reason": reasons},
                         schema=pa.schema([("raw", pa.string()), ("value", pa.string()),
                                           ("reason", pa.string())]))  # fmt: skip
        self.con.register("lk_batch", batch)
        self.con.execute(
            f"INSERT INTO ex_{kind_type.value} SELECT * FROM lk_batch "
            "WHERE value IS DISTINCT FROM raw"
        )
        self.con.unregister("lk_batch")


NO_VALUE = "nullif('', '')"  # the source of a column given as a blank constant


def _trimmed(column: str) -> str:
    """``nullif(trim(column), '')``, skipping the trim where it cannot change anything.

    Trimming every value costs as much as the rest of the validation. Text that is
    all ASCII (as many bytes as characters: a cheap test) and neither starts nor
    ends with a space is left as it is; anything else is trimmed by the engine,
    which strips every Unicode space separator.
    """
    return (
        f"CASE WHEN strlen({column}) = length({column}) AND {column} <> '' "
        f"AND NOT prefix({column}, ' ') AND NOT suffix({column}, ' ') THEN {column} "
        f"ELSE nullif(trim({column}), '') END"
    )


def source_expr(mapping: Mapping, target: str, trimmed: bool = True) -> str:
    """SQL for the raw text of scamnet column ``target``; empty means missing.

    Identifier columns take the text as read (``trimmed=False``): they are trimmed
    once per distinct value when they are validated (see ``clean_many``).
    """
    if target in mapping.constants:
        return f"nullif({_q(mapping.constants[target])}, '')"  # NO_VALUE when blank
    sources = mapping.source_columns(target)
    if len(sources) == 1:
        return _trimmed(_ident(sources[0])) if trimmed else _ident(sources[0])
    joined = " || '-' || ".join(f"trim({_ident(c)})" for c in sources)
    return f"nullif({joined}, '')"


def _time_expr(raw: str, fmt: str | None, date_only: bool) -> str:
    # The session time zone is the mapping's: text with an offset keeps it, naive
    # text is read as local time there. Stored instants are absolute (UTC).
    if date_only:
        return f"try_strptime({raw}, {_q(fmt)})::DATE" if fmt else f"TRY_CAST({raw} AS DATE)"
    if fmt:
        return f"try_strptime({raw}, {_q(fmt)})::TIMESTAMP::TIMESTAMPTZ"
    return f"TRY_CAST({raw} AS TIMESTAMPTZ)"


# Real UTC offsets run from -12:00 to +14:00; anything past ±14:59 is not an offset.
BAD_OFFSET = r"[+-](1[5-9]|[2-9][0-9])(:?[0-9][0-9])?$|[+-][0-9][0-9]:?[6-9][0-9]$"
# Lines may only break inside the values of free-text columns.
MULTILINE = {"text", "narrative", "offence"}


def column_sql(col: Column, raw: str, mapping: Mapping, joins: list[str],
               latest: str = "", currency: str | None = None) -> tuple[str, str, str]:  # fmt: skip
    """(value expression, lookup-reason expression, error expression) for one column.

    The value is computed once in an inner query as ``__v_<name>`` (and a lookup's
    reason as ``__b_<name>``); the error expression refers to those names, so no cast
    or join is evaluated twice. The error is NULL when the value is valid.
    ``latest`` is the latest instant a record may carry (SQL), ``currency`` the raw
    currency column of the row, which sets an amount's decimal places.
    """
    n = col.name
    v, b = _ident(f"__v_{n}"), _ident(f"__b_{n}")
    missing = f"{raw} IS NULL"
    bad = "NULL"
    if col.type in LOOKUP_TYPES:
        alias = f"ex_{n}"
        joins.append(f"LEFT JOIN ex_{col.type.value} {alias} ON {alias}.raw = {raw}")
        value = f"CASE WHEN {alias}.raw IS NULL THEN {raw} ELSE {alias}.value END"
        bad = f"{alias}.reason"
        missing = f"{v} IS NULL AND {b} IS NULL"  # blank values are in ex_* as (NULL, NULL)
        err = f"CASE WHEN {b} IS NOT NULL THEN 'invalid {n}: ' || {b} END"
    elif col.type in (T.TIMESTAMP, T.DATE):
        date_only = col.type is T.DATE
        value = _time_expr(raw, mapping.formats.get(n), date_only)
        # Bounds as values, not year(): comparing is several times cheaper.
        low, high = ("DATE '1900-01-01'", "DATE '2101-01-01'") if date_only else (
            "TIMESTAMPTZ '1900-01-01 00:00:00'", "TIMESTAMPTZ '2101-01-01 00:00:00'")  # fmt: skip
        future = ""
        if latest:
            bound = f"CAST({latest} AS DATE)" if date_only else latest
            future = f"WHEN {v} > {bound} THEN 'invalid {n}: in the future' "
        # An offset past ±14:59 is refused by the pattern before the engine reads it
        # (it would otherwise take +25:00 as a day and an hour). Only text with a
        # sign after its date, and not in UTC ("Z"), can hold one: the pattern runs
        # on those rows alone, and most feeds write UTC.
        offset = (f"WHEN NOT suffix({raw}, 'Z') "
                  f"AND (contains({raw}, '+') OR contains(substr({raw}, 11), '-')) "
                  f"AND regexp_matches({raw}, {_q(BAD_OFFSET)}) "
                  f"THEN 'invalid {n}: not a valid UTC offset' ")  # fmt: skip
        err = (f"CASE {'' if date_only else offset}"
               f"WHEN {v} IS NULL THEN 'invalid {n}: not a date or time' "
               f"WHEN {v} < {low} OR {v} >= {high} "
               f"THEN 'invalid {n}: year out of range' {future}END")  # fmt: skip
    elif col.type is T.INT:
        value = whole_sql(raw, mapping)
        hi = MAX_INT.get(n, 2**31 - 1)
        err = (f"CASE WHEN {v} IS NULL THEN 'invalid {n}: not a whole number' "
               f"WHEN {v} < 0 THEN 'invalid {n}: negative' "
               f"WHEN {v} > {hi} THEN 'invalid {n}: larger than {hi}' END")  # fmt: skip
    elif col.type is T.AMOUNT:
        text = decimal_text(raw, mapping, signed=False)
        value = f"TRY_CAST({text} AS DECIMAL(18,2))"
        # Decimal places as written, against the currency's minor unit: "1.005" is
        # refused, never rounded to 1.01.
        places = (f"(CASE WHEN contains({text}, '.') "
                  f"THEN length({text}) - instr({text}, '.') ELSE 0 END)")  # fmt: skip
        units = "2"
        if currency is not None and MINOR_UNITS:
            arms = " ".join(f"WHEN {_q(c)} THEN {u}" for c, u in sorted(MINOR_UNITS.items()))
            units = f"CASE upper(trim({currency})) {arms} ELSE 2 END"
        floor = "<= 0" if col.required else "< 0"
        err = (f"CASE WHEN {text} IS NULL OR {v} IS NULL THEN 'invalid {n}: not an amount' "
               f"WHEN {places} > {units} "
               f"THEN 'invalid {n}: finer than the currency''s minor unit' "
               f"WHEN {places} > {STORED_PLACES} "
               f"THEN 'invalid {n}: more than {STORED_PLACES} decimal places' "
               f"WHEN {v} {floor} THEN 'invalid {n}: must be positive' END")  # fmt: skip
    elif col.type is T.FLOAT:
        value = f"TRY_CAST({decimal_text(raw, mapping, signed=True)} AS DOUBLE)"
        limit = {"lat": 90, "lon": 180}.get(n)
        rng = (f"WHEN abs({v}) > {limit} THEN 'invalid {n}: outside -{limit} to {limit}' "
               if limit else "")  # fmt: skip
        err = (f"CASE WHEN {v} IS NULL OR NOT isfinite({v}) "
               f"THEN 'invalid {n}: not a number' {rng}END")  # fmt: skip
    elif col.type is T.BOOL:
        words = f"CASE lower({raw}) WHEN 'yes' THEN 'true' WHEN 'no' THEN 'false' ELSE {raw} END"
        value = f"TRY_CAST({words} AS BOOLEAN)"
        err = f"CASE WHEN {v} IS NULL THEN 'invalid {n}: not true or false' END"
    elif col.type is T.COUNTRY:
        value = f"upper({raw})"
        err = (f"CASE WHEN NOT regexp_matches({v}, '^[A-Z]{{2}}$') "
               f"THEN 'invalid {n}: not an ISO country code' END")  # fmt: skip
    elif col.type is T.FRAUD_TYPE:
        allowed = ", ".join(_q(t.value) for t in FraudType)
        value = f"lower({raw})"
        err = f"CASE WHEN {v} NOT IN ({allowed}) THEN 'invalid {n}: unknown fraud type' END"
    else:  # TEXT and NAME
        value = raw
        limit = 200 if col.type is T.NAME else col.max_length
        # A line break is allowed only in free text; in a name or a code it is a
        # quoted field that swallowed a line ending, and would break the record.
        control = "\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F" if n in MULTILINE else "\\x00-\\x1F"
        err = (f"CASE WHEN length({v}) > {limit} "
               f"THEN 'invalid {n}: longer than {limit} characters' "
               f"WHEN regexp_matches({v}, '[{control}]') THEN 'invalid {n}: "
               f"{'control characters' if n in MULTILINE else 'line break or control characters'}' "
               "END")  # fmt: skip
    outcome = "'missing ' || " + _q(n) if col.required else "NULL"
    err = f"CASE WHEN {missing} THEN {outcome} ELSE {err} END"
    return value, bad, err


def validated_sql(
    spec: KindSpec, mapping: Mapping, cache: LookupCache, latest: datetime | None = None
) -> str:
    """A query over ``raw`` giving each row's ordinal, canonical columns, first error
    and a hash of its natural key (``__k``). Times after ``latest`` are rejected."""
    joins: list[str] = []
    values: list[str] = []
    errors: list[str] = []
    raws = {c.name: source_expr(mapping, c.name, c.type not in LOOKUP_TYPES) for c in spec.columns}
    if mapping.direction and spec.name == "calls":
        d = mapping.direction
        leg = f"trim({_ident(d.column)})"
        a, b = raws["caller"], raws["callee"]
        raws["caller"] = f"CASE WHEN {leg} = {_q(d.incoming)} THEN {b} ELSE {a} END"
        raws["callee"] = f"CASE WHEN {leg} = {_q(d.incoming)} THEN {a} ELSE {b} END"
        raws["direction"] = leg
        staged_leg = _ident("__direction")
        known = f"{staged_leg} IN ({_q(d.outgoing)}, {_q(d.incoming)})"
        errors.append(
            f"CASE WHEN {staged_leg} IS NULL OR NOT {known} "
            f"THEN 'invalid direction: neither {d.outgoing} nor {d.incoming}' END"
        )
    for t in LOOKUP_TYPES:  # one pass per identifier type, over all its columns
        # A column absent from the source (a blank constant) has no value to validate.
        sources = [f"SELECT {raws[c.name]} FROM raw" for c in spec.columns
                   if c.type is t and raws[c.name] != NO_VALUE]  # fmt: skip
        if sources:
            cache.extend(t, " UNION ALL ".join(sources))
    inner: list[str] = []
    bound = f"TIMESTAMPTZ {_q(latest.isoformat())}" if latest else ""
    # The error expressions run in the outer query, over the staged raw columns.
    currency = _ident("__currency") if "currency" in raws else None
    for col in spec.columns:
        raw = f"r.{_ident('__' + col.name)}"
        value, bad, err = column_sql(col, raw, mapping, joins, bound, currency)
        inner.append(f"{value} AS {_ident('__v_' + col.name)}")
        inner.append(f"{bad} AS {_ident('__b_' + col.name)}")
        values.append(f"{_ident('__v_' + col.name)} AS {_ident(col.name)}")
        errors.append(err.replace(raw, _ident("__" + col.name)))
    staged = ", ".join(f"{expr} AS {_ident('__' + name)}" for name, expr in raws.items())
    passthrough = ", ".join(_ident("__" + name) for name in raws)
    reason = f"coalesce({', '.join(errors)})"
    # A hash of the natural key finds repeated keys with a cheap integer aggregate;
    # the repeats are then compared on the key itself.
    key_hash = "hash(" + ", ".join(_ident("__v_" + k) for k in spec.key) + ")"
    return (
        f"SELECT __ord, {', '.join(values)}, {reason} AS __reason, {key_hash} AS __k FROM ("
        f"SELECT r.__ord, {passthrough}, {', '.join(inner)} "
        f"FROM (SELECT rowid AS __ord, {staged} FROM raw) r {' '.join(joins)})"
    )
