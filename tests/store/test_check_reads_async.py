"""The check's read path on PostgreSQL, awaited on the event loop (`CheckReads.afacts`):
the same answers as the synchronous path, many checks at once on two connections, a
broken connection dropped, and a new event loop served with new connections."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from scamnet.store import Store
from scamnet.store.checkreads import CheckReads
from tests.citizens.test_check_reads import ACCOUNT, CONFIRMED, HIGH, MEDIUM, URL, _fill
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.postgres
_names = itertools.count()
WALLET = "0x52908400098527886E0F7030069857D2E4"
ASKED = [("tel", HIGH), ("tel", MEDIUM), ("tel", CONFIRMED), ("tel", "+8613999999999"),
         ("acct", ACCOUNT), ("url", URL), ("wallet", WALLET)]  # fmt: skip
# Ends the reader's idle connections (their last statement is the check's).
KILL = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
    "AND datname = current_database() AND state = 'idle' AND query LIKE 'SELECT 0, fraud_type%'"
)


@pytest.fixture
def pg(postgres_server: PostgresServer, postgres_template: str) -> Iterator[Store]:
    name = f"checks_async{next(_names)}"
    store = Store(postgres_server.create_database(name, template=postgres_template))
    _fill(store)
    yield store
    store.dispose()


def test_awaited_reads_answer_as_the_synchronous_ones(pg: Store) -> None:
    reads = CheckReads(pg, connections=2)
    try:
        assert reads.asynchronous and not reads.inline
        expected = [reads.facts(kind, value) for kind, value in ASKED]
        before = reads.statements

        async def many() -> list[tuple[dict[str, int], list[str]]]:
            # Five times as many checks at once as connections: they queue for a slot.
            return await asyncio.gather(*(reads.afacts(k, v) for _ in range(5) for k, v in ASKED))

        got = asyncio.run(many())
        assert got == expected * 5
        assert expected[0] == ({"investment": 6}, []) and expected[2][1] == ["investment"]
        assert reads.statements - before == 5 * (len(ASKED) - 1)  # none for a wallet
        assert len(reads._pool._idle) == 2  # type: ignore[union-attr]  # never more than asked
        # A second event loop (a test client's, a restarted server's) gets new connections.
        assert asyncio.run(reads.afacts("tel", HIGH)) == expected[0]
    finally:
        reads.close()


def test_a_connection_the_server_dropped_fails_one_read_then_is_replaced(pg: Store) -> None:
    reads = CheckReads(pg, connections=1)
    try:

        async def run() -> None:
            assert await reads.afacts("tel", HIGH) == ({"investment": 6}, [])
            with pg.session() as s:  # the server ends the reader's connection
                s.execute(text(KILL))
            with pytest.raises(reads.errors):
                await reads.afacts("tel", HIGH)
            assert await reads.afacts("tel", HIGH) == ({"investment": 6}, [])

        asyncio.run(run())
    finally:
        reads.close()
