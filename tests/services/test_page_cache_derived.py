"""``page_cache.derived``: what a page makes of a kept read (its rows' HTML, its chart) is made
once for each read object and its arguments, never handed out for another object, and the
entries are bounded. (That a write shows on the next view, rows and charts included, is
tests/web/test_page_cache.py.)"""

from __future__ import annotations

import pytest

from espaco.services import page_cache


@pytest.fixture(autouse=True)
def _empty() -> None:
    page_cache.clear()


def _counting() -> tuple[list[tuple[object, ...]], object]:
    made: list[tuple[object, ...]] = []

    def make(rows: list[str], *arguments: object) -> str:
        made.append((rows, *arguments))
        return "|".join(rows) + repr(arguments)

    return made, make


def test_made_once_for_each_read_object_and_arguments() -> None:
    made, make = _counting()
    rows = ["a", "b"]
    first = page_cache.derived(make, rows, "share", {7: "Filial"})
    assert page_cache.derived(make, rows, "share", {7: "Filial"}) is first
    assert first == "a|b('share', {7: 'Filial'})" and len(made) == 1
    # Other arguments, another object with equal rows: made again, each right.
    assert page_cache.derived(make, rows, "share", {7: "Matriz"}) == "a|b('share', {7: 'Matriz'})"
    assert page_cache.derived(make, rows, None, None) == "a|b(None, None)"
    assert page_cache.derived(make, ["a", "b"], "share", {7: "Filial"}) == first
    assert len(made) == 4


def test_never_handed_out_for_another_object() -> None:
    # Filed under the object's id: the entry keeps its object alive, so no later object can
    # have that id while the entry stands. Objects made and dropped one after another, which
    # CPython gives the same id when nothing keeps them (checked below), each get their own.
    def make(rows: list[str]) -> str:  # keeps nothing of its own
        return rows[0]

    for n in range(200):
        rows = [str(n)]
        assert page_cache.derived(make, rows) == str(n)
        del rows
    ids = set()
    for n in range(200):
        rows = [str(n)]
        ids.add(id(rows))
        del rows
    assert len(ids) < 200  # ids come back once their object is gone


def test_at_most_its_size_least_recently_used_out() -> None:
    made, make = _counting()
    kept = [[str(n)] for n in range(page_cache.DERIVED_SIZE + 1)]
    for rows in kept:
        page_cache.derived(make, rows)
    page_cache.derived(make, kept[1])  # used again: now the most recent
    assert len(page_cache._derived) == page_cache.DERIVED_SIZE
    page_cache.derived(make, kept[1])
    assert len(made) == page_cache.DERIVED_SIZE + 1  # kept[1] was still there
    page_cache.derived(make, kept[0])  # the least recently used: dropped, made again
    assert len(made) == page_cache.DERIVED_SIZE + 2
