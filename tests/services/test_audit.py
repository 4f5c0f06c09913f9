"""Access records (Marco Civil art. 15): IP and time kept six months, then purged by the portal;
never a CPF or an access code in them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

from factories import NOW, make_client

from espaco.services.access import login, login_throttle, sessions
from espaco.services.operations import audit, housekeeping
from espaco.tables import AuditEvent, LoginThrottle, WebSession

TZ = ZoneInfo("America/Sao_Paulo")
CPF = "52998224725"


async def event(action: str, age: timedelta, ip: str = "203.0.113.7") -> None:
    await audit.record(action, now=NOW - age, ip=ip, actor="maria")


async def test_login_records_older_than_six_months_go_and_other_events_lose_their_ip(db):
    half_year = audit.ACCESS_RETENTION
    await event("login_ok", half_year - timedelta(hours=1))  # kept: within six months
    await event("login_failed", half_year + timedelta(hours=1))
    await event("staff_login_ok", half_year + timedelta(days=30))
    await event("access_code_generated", half_year + timedelta(days=1))
    await event("access_code_generated", timedelta(days=1))

    assert await audit.purge_access_records(now=NOW) == (2, 1)

    rows = await AuditEvent.select(AuditEvent.action, AuditEvent.ip).order_by(AuditEvent.id)
    assert [(r["action"], r["ip"]) for r in rows] == [
        ("login_ok", "203.0.113.7"),
        ("access_code_generated", ""),
        ("access_code_generated", "203.0.113.7"),
    ]
    assert await audit.purge_access_records(now=NOW) == (0, 0)  # idempotent


async def test_housekeeping_deletes_expired_sessions_and_spent_login_counters_only(db):
    client_id, _ = await make_client()
    live = await sessions.create_session(now=NOW, ip="", client_id=client_id)
    await sessions.create_session(now=NOW - timedelta(minutes=31), ip="", client_id=client_id)
    await sessions.create_session(now=NOW - timedelta(hours=13), ip="", client_id=client_id)
    window = login_throttle.WINDOW
    counters = {
        "spent": (NOW - window - timedelta(seconds=1), None),
        "spent-lock-over": (NOW - window, NOW - timedelta(seconds=1)),
        "in-window": (NOW - window + timedelta(seconds=1), None),
        "locked": (NOW - window - timedelta(days=1), NOW + timedelta(seconds=1)),
    }
    for key, (start, lock) in counters.items():
        await LoginThrottle.insert(
            LoginThrottle(
                key=key, failures=5, window_start=start, last_failure_at=start, locked_until=lock
            )
        )

    counts = await housekeeping.purge(NOW)

    assert counts["expired sessions"] == 2 and counts["stale login counters"] == 2
    assert await WebSession.count() == 1
    assert await sessions.load_client_session(live, now=NOW) is not None
    kept = await LoginThrottle.select(LoginThrottle.key).order_by(LoginThrottle.key)
    assert [r["key"] for r in kept] == ["in-window", "locked"]
    assert set((await housekeeping.purge(NOW)).values()) == {0}  # idempotent


async def test_housekeeping_runs_at_start_and_stops_when_told(db):
    await event("login_ok", audit.ACCESS_RETENTION + timedelta(days=1))
    stop = asyncio.Event()
    task = asyncio.create_task(housekeeping.run(stop, interval=timedelta(seconds=60)))
    for _ in range(100):
        if await AuditEvent.count() == 0:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert await AuditEvent.count() == 0


async def test_login_records_hold_ip_and_time_but_no_cpf_and_no_code(db):
    _, code = await make_client(document=CPF)
    for attempt_code in ("AAAA-BBBB-CCCC-DDDD", code):
        await login.attempt_login(
            "529.982.247-25", attempt_code, ip="198.51.100.4", device_cookie=None,
            secret="k" * 40, now=NOW, tz=TZ,
        )  # fmt: skip
    rows = await AuditEvent.select().where(AuditEvent.action.like("login%"))
    assert {r["action"] for r in rows} == {"login_failed", "login_ok"}
    assert all(r["ip"] == "198.51.100.4" and r["created_at"] == NOW for r in rows)
    text = repr(rows)
    for secret in (CPF, "529.982.247-25", "982247", code, code.replace("-", "")):
        assert secret not in text
