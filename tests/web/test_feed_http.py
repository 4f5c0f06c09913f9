"""The calendar feed as calendar programs and guessers reach it, over real HTTP: HEAD and ETag
for the programs that poll it, and unknown tokens fired at once from one address, which the
throttle holds to the few a burst sent one after another would get."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import icalendar
import pytest
from factories import make_client
from live import LiveServer, serving

from espaco.clock import Clock
from espaco.services.access import login_throttle
from espaco.services.collections import calendar_feed
from espaco.settings import Settings
from espaco.web import avisos

FROZEN = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)


@pytest.fixture
def live(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    async def no_pause(refused: bool) -> None:
        return None

    monkeypatch.setattr(avisos, "pause_refusal", no_pause)
    with serving(settings, clock=Clock.fixed(FROZEN, settings.tz)) as server:
        yield server


def feed_path(live: LiveServer) -> str:
    client_id, _ = live.call(make_client)
    return calendar_feed.feed_path(live.call(calendar_feed.renew, client_id, now=FROZEN))


def test_head_and_etag_let_a_calendar_poll_without_the_body(live: LiveServer) -> None:
    path = feed_path(live)
    with httpx.Client(base_url=live.url) as http:
        full = http.get(path)
        assert full.status_code == 200 and icalendar.Calendar.from_ical(full.content)
        etag = full.headers["etag"]
        head = http.head(path)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["etag"] == etag and head.headers["content-type"].startswith(
            "text/calendar"
        )
        same = http.get(path, headers={"If-None-Match": f'"other", W/{etag}'})
        assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag
        assert same.headers["cache-control"] == "private, max-age=900"
        assert http.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_unknown_tokens_fired_at_once_get_a_few_404s_and_then_wait(live: LiveServer) -> None:
    real = feed_path(live)
    guesses = [f"/agenda/{'G' * 41}{n:02d}.ics" for n in range(40)]

    async def fire() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=len(guesses))
        async with httpx.AsyncClient(base_url=live.url, limits=limits, timeout=60) as http:
            return await asyncio.gather(*(http.get(path) for path in guesses))

    responses = asyncio.run(fire())
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {404, 429}, statuses
    # Each guess reserves its failure before it is looked up: one address's burst gets no more
    # answers than guesses sent one after another would (the free ones and the one that locks).
    assert 1 <= statuses.count(404) <= login_throttle.FREE_FAILURES + 1, statuses
    waiting = [r for r in responses if r.status_code == 429]
    assert len(waiting) >= len(guesses) - login_throttle.FREE_FAILURES - 1
    assert all(int(r.headers["retry-after"]) >= 1 for r in waiting)
    assert "Tente mais tarde" in waiting[0].text
    assert httpx.get(live.url + real).status_code == 200  # a real feed is never held
