"""The triage queue's page in one statement, compiled once per shape of query.

A page of 50 alerts took about 3 ms of CPU through SQLAlchemy Core, where its SQL takes
0.2 ms in SQLite: building the two statements (the count and the rows) for every list,
their cache keys, and the Core result. Here each *shape* of query (which filters are
set, the order) is built with SQLAlchemy once, as before, and compiled once for the
store's dialect; a page then binds its values and runs the compiled text through
``Connection.exec_driver_sql``, so errors are SQLAlchemy's as before (a locked or
unreachable store is still `scamnet.store.limits.StoreUnavailable`). The columns' own
result processors (the `UtcDateTime` of ``created_at``) turn the rows into the same
values the Core query returned.

The count travels with the rows, as a scalar subquery of the same filters: one
statement and one snapshot (the database computes an uncorrelated subquery once). A
page past the end has no row to carry it, so it alone runs the count by itself.
``tests/store/test_alert_page.py`` holds every shape to the Core query's answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, Select, bindparam, func, literal, or_, select
from sqlalchemy.engine import Connection, Dialect

from scamnet.store.models import AlertRow
from scamnet.store.tables.network import GroupNodeRow

if TYPE_CHECKING:
    from scamnet.store.alerts import AlertQuery

# AlertView's fields, in order.
VIEW_COLUMNS: tuple[Any, ...] = (
    AlertRow.id, AlertRow.kind, AlertRow.subject, AlertRow.score, AlertRow.label, AlertRow.model,
    AlertRow.window, AlertRow.explanation, AlertRow.created_at, AlertRow.verdict, AlertRow.assignee,
)  # fmt: skip
SORTS = {"score": AlertRow.score, "created": AlertRow.created_at, "id": AlertRow.id}

# Which filters are set, then the sort key and its direction.
_Shape = tuple[bool, bool, bool, str | None, bool, bool, str, bool]
_Processor = Callable[[Any], Any] | None


def shape(q: AlertQuery) -> _Shape:
    status = None if q.status is None else "open" if q.status == "open" else "verdict"
    return (q.kind is not None, q.min_score is not None, q.window is not None, status,
            q.assignee is not None, q.group is not None, q.sort, q.descending)  # fmt: skip


def filtered(s: _Shape) -> Select[Any]:
    """The page's columns under the filters of shape ``s``, each value a named parameter."""
    kind, min_score, window, status, assignee, group = s[:6]
    query = select(*VIEW_COLUMNS)
    if kind:
        query = query.where(AlertRow.kind == bindparam("kind"))
    if min_score:
        query = query.where(AlertRow.score >= bindparam("min_score"))
    if window:
        query = query.where(AlertRow.window == bindparam("window"))
    if status == "open":
        query = query.where(AlertRow.verdict.is_(None))
    elif status is not None:
        query = query.where(AlertRow.verdict == bindparam("status"))
    if assignee:
        query = query.where(AlertRow.assignee == bindparam("assignee"))
    if group:
        nodes = select(GroupNodeRow.node).where(GroupNodeRow.group_id == bindparam("group"))
        query = query.where(
            or_(
                (literal("tel:") + AlertRow.subject).in_(nodes),
                (literal("acct:") + AlertRow.subject).in_(nodes),
                (literal("wallet:") + AlertRow.subject).in_(nodes),
            )
        )
    return query


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    fixed: dict[str, Any]  # the statement's own values (the prefixes' literals)
    names: tuple[str, ...] | None  # the parameters' order (positional dialects), else None

    def params(self, values: dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
        if self.names is None:
            return {n: values[n] if v is None else v for n, v in self.fixed.items()}
        return tuple(values[n] if self.fixed.get(n) is None else self.fixed[n]
                     for n in self.names)  # fmt: skip


def _compile(statement: Select[Any], dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ()) if dialect.positional else None
    return _Compiled(str(compiled), dict(compiled.params), names)


@dataclass(frozen=True, slots=True)
class _Statements:
    page: _Compiled  # the rows, each with the count as its last column
    count: _Compiled  # the count alone, for a page past the end


_CACHE: dict[tuple[str, str, _Shape], _Statements] = {}
_PROCESSORS: dict[str, tuple[_Processor, ...]] = {}


def _statements(dialect: Dialect, s: _Shape) -> _Statements:
    key = (dialect.name, str(dialect.paramstyle), s)
    found = _CACHE.get(key)
    if found is None:
        query = filtered(s)
        count = select(func.count()).select_from(query.subquery())
        column = SORTS[s[6]]
        order = column.desc() if s[7] else column.asc()
        page = (query.add_columns(count.scalar_subquery()).order_by(order, AlertRow.id)
                .limit(bindparam("limit", type_=Integer))
                .offset(bindparam("offset", type_=Integer)))  # fmt: skip
        found = _CACHE[key] = _Statements(_compile(page, dialect), _compile(count, dialect))
    return found


def _processors(dialect: Dialect, description: Sequence[Any]) -> tuple[_Processor, ...]:
    """Each view column's result processor on ``dialect`` for the driver's column types
    in ``description`` (None where the driver's value is already the column's), as the
    Core query applied them."""
    found = _PROCESSORS.get(dialect.name)
    if found is None:
        found = _PROCESSORS[dialect.name] = tuple(
            c.type.dialect_impl(dialect).result_processor(dialect, d[1])
            for c, d in zip(VIEW_COLUMNS, description, strict=False)
        )
    return found


def read_page(connection: Connection, q: AlertQuery) -> tuple[int, list[tuple[Any, ...]]]:
    """The total matching ``q`` and the page's rows, as the view's column values."""
    dialect = connection.dialect
    statements = _statements(dialect, shape(q))
    values = {"kind": q.kind, "min_score": q.min_score, "window": q.window,
              "status": q.status, "assignee": q.assignee, "group": q.group,
              "limit": q.limit, "offset": q.offset}  # fmt: skip
    result = connection.exec_driver_sql(statements.page.sql, statements.page.params(values))
    description = result.cursor.description
    raw = result.all()
    if raw:
        total = int(raw[0][-1])
    elif q.offset == 0:
        total = 0
    else:
        count = statements.count
        total = int(connection.exec_driver_sql(count.sql, count.params(values)).scalar() or 0)
    rows = [list(r[:-1]) for r in raw]
    if rows:
        for i, p in enumerate(_processors(dialect, description)):
            if p is not None:
                for row in rows:
                    row[i] = p(row[i])
    return total, [tuple(r) for r in rows]
