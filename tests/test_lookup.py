"""``espaco.db.read.Lookup``: the keys asked in one turn of the event loop are read with one
statement, each caller gets its own key's rows, and nothing is answered from a statement that
started before it was asked; on the suite's engine."""

from __future__ import annotations

import asyncio
from typing import Any, NamedTuple

import pytest
from factories import make_client

from espaco.db import read
from espaco.db.read import BATCH_MAX, Lookup
from espaco.tables import Client


class _Named(NamedTuple):
    id: int
    name: str
    document: str


_BY_DOCUMENT = Lookup(
    _Named, "SELECT id, name, document FROM client WHERE document IN {keys} ORDER BY id",
    key="document",
)  # fmt: skip


class _Member(NamedTuple):
    group_key: str
    name: str


# Two rows for each key: the rows of a key come back together, in the statement's order.
_TWICE = Lookup(
    _Member,
    "SELECT c.document AS group_key, c.name || v.suffix AS name FROM client c"
    " CROSS JOIN (SELECT '' AS suffix UNION ALL SELECT ' (2)') v"
    " WHERE c.document IN {keys} ORDER BY 1, 2",
    key="group_key",
)


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...]]]:
    """Every statement a Lookup runs, with its arguments."""
    seen: list[tuple[str, tuple[Any, ...]]] = []
    real = read.db_fetch

    async def counted(engine: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        seen.append((sql, args))
        return await real(engine, sql, *args, **kwargs)

    monkeypatch.setattr(read, "db_fetch", counted)
    return seen


async def _documents(n: int) -> list[str]:
    documents = [f"{n:02d}{i:012d}" for i in range(n)]
    for i, document in enumerate(documents):
        await make_client(name=f"Cliente {i}", document=document, code=None, emails=())
    return documents


async def test_the_keys_asked_together_are_read_with_one_statement(db, statements):
    documents = await _documents(BATCH_MAX - 2)
    asked = [*documents, "00000000000000", documents[0]]  # one missing, one asked twice
    found = await asyncio.gather(*(_BY_DOCUMENT.first(key) for key in asked))
    assert len(statements) == 1
    assert len(set(statements[0][1])) == BATCH_MAX - 1  # each key once
    assert [row.document if row else None for row in found] == [*documents, None, documents[0]]
    assert found[0] is not None and found[0].name == "Cliente 0"


async def test_more_keys_than_a_statement_holds_take_more_statements(db, statements):
    documents = await _documents(BATCH_MAX + 5)
    found = await asyncio.gather(*(_BY_DOCUMENT.first(key) for key in documents))
    assert [len(set(args)) for _, args in statements] == [BATCH_MAX, 5]
    # Spelled for a power of two (the first key repeated): a few statements, each kept prepared.
    assert [len(args) for _, args in statements] == [BATCH_MAX, 8]
    assert [row.document for row in found if row] == documents


async def test_keys_asked_one_after_another_are_each_read_alone(db, statements):
    documents = await _documents(3)
    for document in documents:
        assert (await _BY_DOCUMENT.first(document)).document == document  # type: ignore[union-attr]
    assert [len(args) for _, args in statements] == [1, 1, 1]
    assert " = " in statements[0][0] and " IN (" not in statements[0][0]


async def test_each_key_gets_all_its_rows_in_order(db, statements):
    documents = await _documents(3)
    found = await asyncio.gather(*(_TWICE.rows(key) for key in documents), _TWICE.rows("x"))
    assert len(statements) == 1
    assert [[row.name for row in rows] for rows in found] == [
        ["Cliente 0", "Cliente 0 (2)"], ["Cliente 1", "Cliente 1 (2)"],
        ["Cliente 2", "Cliente 2 (2)"], [],
    ]  # fmt: skip


async def test_a_key_asked_while_a_statement_runs_waits_for_a_statement_of_its_own(db, monkeypatch):
    """A request that comes while another's lookup is on its way must not get that lookup's
    answer: what was committed between the two (here a rename) shows on the later one."""
    (document,) = await _documents(1)
    real = read.db_fetch
    first_running, go_on = asyncio.Event(), asyncio.Event()

    async def slow_first(engine: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        found = await real(engine, sql, *args, **kwargs)
        if not first_running.is_set():
            first_running.set()
            await go_on.wait()
        return found

    monkeypatch.setattr(read, "db_fetch", slow_first)
    early = asyncio.create_task(_BY_DOCUMENT.first(document))
    await first_running.wait()
    await Client.update({Client.name: "Renomeado"}).where(Client.document == document)
    late = asyncio.create_task(_BY_DOCUMENT.first(document))
    await asyncio.sleep(0.05)
    assert late.done()  # not held back by the statement in flight
    go_on.set()
    assert (await early).name == "Cliente 0"  # type: ignore[union-attr]
    assert (await late).name == "Renomeado"  # type: ignore[union-attr]


async def test_inside_a_transaction_the_key_is_read_on_its_connection_at_once(db, statements):
    (document,) = await _documents(1)
    async with Client._meta.db.transaction():
        await Client.update({Client.name: "Na transação"}).where(Client.document == document)
        found = await _BY_DOCUMENT.first(document)
    assert found is not None and found.name == "Na transação"
    assert len(statements) == 1


async def test_a_failed_statement_fails_every_caller_and_the_next_turn_reads_again(db, monkeypatch):
    documents = await _documents(2)
    real = read.db_fetch
    calls = 0

    async def fails_once(engine: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionResetError("a conexão caiu")
        return await real(engine, sql, *args, **kwargs)

    monkeypatch.setattr(read, "db_fetch", fails_once)
    results = await asyncio.gather(
        *(_BY_DOCUMENT.first(key) for key in documents), return_exceptions=True
    )
    assert [type(r) for r in results] == [ConnectionResetError, ConnectionResetError]
    assert (await _BY_DOCUMENT.first(documents[1])).document == documents[1]  # type: ignore[union-attr]


async def test_a_caller_that_goes_away_leaves_the_others_their_rows(db):
    documents = await _documents(2)
    leaving = asyncio.create_task(_BY_DOCUMENT.first(documents[0]))
    staying = asyncio.create_task(_BY_DOCUMENT.first(documents[1]))
    await asyncio.sleep(0)  # both asked in this turn
    leaving.cancel()
    assert (await staying).document == documents[1]  # type: ignore[union-attr]
    with pytest.raises(asyncio.CancelledError):
        await leaving


async def test_the_others_get_their_rows_when_the_reading_caller_goes_away_mid_read(
    db, monkeypatch
):
    """The first caller of a turn reads for all; when its request goes away while the statement
    runs, the others are read again in a statement of their own."""
    documents = await _documents(2)
    real = read.db_fetch
    running = asyncio.Event()
    calls = 0

    async def hangs_first(engine: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            running.set()
            await asyncio.Event().wait()  # until cancelled
        return await real(engine, sql, *args, **kwargs)

    monkeypatch.setattr(read, "db_fetch", hangs_first)
    reader = asyncio.create_task(_BY_DOCUMENT.first(documents[0]))
    others = [asyncio.create_task(_BY_DOCUMENT.first(d)) for d in (documents[1], documents[0])]
    await running.wait()
    reader.cancel()
    found = await asyncio.wait_for(asyncio.gather(*others), 5)
    assert [row.document for row in found if row] == [documents[1], documents[0]]
    assert calls == 2
    with pytest.raises(asyncio.CancelledError):
        await reader


def test_a_lookup_says_where_its_keys_go_and_which_field_holds_them():
    with pytest.raises(ValueError, match="IN {keys}"):
        Lookup(_Named, "SELECT id, name, document FROM client WHERE document = {}", key="document")
    with pytest.raises(ValueError, match="'cpf'"):
        Lookup(_Named, "SELECT id, name, document FROM client WHERE document IN {keys}", key="cpf")
