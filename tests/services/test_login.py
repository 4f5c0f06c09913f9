"""Client login: right and wrong codes, growing delays, the hourly ceiling, known devices."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from factories import NOW, cnpj, make_client

from espaco.domain.errors import Invalid
from espaco.services.access import login, login_throttle, passwords, sessions
from espaco.tables import AuditEvent, Client, LoginThrottle, WebSession

TZ = ZoneInfo("America/Sao_Paulo")
SECRET = "s" * 40


def in_flight() -> int:
    """Password jobs running or waiting now, on both of the pool's lanes."""
    return passwords._main.admitted + passwords._known.admitted


async def attempt(document: str, code: str, *, now=NOW, ip="203.0.113.7", device=None):
    return await login.attempt_login(
        document, code, ip=ip, device_cookie=device, secret=SECRET, now=now, tz=TZ
    )


async def test_right_code_logs_in_with_any_punctuation_and_case(db):
    client_id, code = await make_client(document="12ABC34501DE35")
    result = await attempt("12.abc.345/01de-35", code.lower().replace("-", " "))
    assert result.ok and result.client_id == client_id


async def test_unknown_document_wrong_code_and_inactive_client_get_the_same_answer(db):
    _, code = await make_client(document="12ABC34501DE35")
    _, inactive_code = await make_client(active=False, document="11222333000181")
    answers = [
        await attempt("11.444.777/0001-61", code),  # valid CNPJ, no such client
        await attempt("12.ABC.345/01DE-35", "AAAA-BBBB-CCCC-DDDD"),
        await attempt("11.222.333/0001-81", inactive_code),
    ]
    assert {(a.ok, a.error, a.locked_until) for a in answers} == {(False, login.BAD_LOGIN, None)}


async def test_invalid_document_is_a_field_error_and_counts_nothing(db):
    with pytest.raises(Invalid) as refused:
        await attempt("12.ABC.345/01DE-36", "X")
    assert refused.value.errors == {"documento": "CNPJ com dígito verificador inválido"}
    assert await LoginThrottle.count() == 0


@pytest.mark.parametrize(
    ("failures", "seconds"), [(1, 0), (3, 0), (4, 2), (5, 4), (8, 32), (20, 300), (99, 300)]
)
def test_delay_grows_after_each_failure_up_to_five_minutes(failures, seconds):
    assert login_throttle.delay_after(failures) == timedelta(seconds=seconds)


async def test_brute_force_on_one_document_is_slowed_then_allowed_after_the_wait(db):
    _, code = await make_client(document="12ABC34501DE35")
    now = NOW
    for _ in range(4):
        await attempt("12ABC34501DE35", "WRONG", now=now)
        now += timedelta(seconds=1)
    # the fourth failure imposed 2 s: an attempt one second later is refused, even a right one
    blocked = await attempt("12ABC34501DE35", code, now=now)
    assert not blocked.ok and blocked.locked_until is not None
    assert "aguarde" in blocked.error
    later = await attempt("12ABC34501DE35", code, now=now + timedelta(seconds=2))
    assert later.ok


async def test_hundredth_failure_locks_the_document_until_the_hour_ends(db):
    await make_client(document="12ABC34501DE35")
    # 98 failures already this hour (seeded: each real one costs an argon2 verification)
    for key in (login.throttle_key(SECRET, "doc", "12ABC34501DE35"),):
        await LoginThrottle.insert(
            LoginThrottle(key=key, failures=98, window_start=NOW, last_failure_at=NOW)
        )
    now = NOW + timedelta(minutes=10)
    await attempt("12ABC34501DE35", "WRONG", now=now)  # 99th: a delay
    result = await attempt("12ABC34501DE35", "WRONG", now=now + timedelta(minutes=6))  # 100th
    assert result.locked_until == NOW + login_throttle.WINDOW
    assert "bloqueado até 10:00 de 28/11/2026" in result.error  # 13:00 UTC in São Paulo


async def test_guessing_spread_over_many_documents_is_held_by_the_ip_ceiling(db):
    ip = "198.51.100.9"
    await LoginThrottle.insert(
        LoginThrottle(
            key=login.throttle_key(SECRET, "ip", ip),
            failures=99,
            window_start=NOW,
            last_failure_at=NOW,
        )
    )
    _, code = await make_client(document="12ABC34501DE35")
    hundredth = await attempt("11.444.777/0001-61", "WRONG", ip=ip)  # another document
    assert hundredth.locked_until == NOW + login_throttle.WINDOW
    a_minute_later = NOW + timedelta(minutes=1)
    # from that IP even a right code for a fresh document waits for the hour to end
    locked = await attempt("12ABC34501DE35", code, ip=ip, now=a_minute_later)
    assert not locked.ok and locked.locked_until == NOW + login_throttle.WINDOW
    elsewhere = await attempt("12ABC34501DE35", code, ip="192.0.2.1", now=a_minute_later)
    assert elsewhere.ok
    after_the_hour = await attempt("12ABC34501DE35", code, ip=ip, now=NOW + login_throttle.WINDOW)
    assert after_the_hour.ok


async def test_known_device_is_not_held_by_failures_against_its_document(db):
    _, code = await make_client(document="12ABC34501DE35")
    doc_key = login.throttle_key(SECRET, "doc", "12ABC34501DE35")
    await LoginThrottle.insert(
        LoginThrottle(
            key=doc_key,
            failures=100,
            window_start=NOW,
            last_failure_at=NOW,
            locked_until=NOW + login_throttle.WINDOW,
        )
    )
    stranger = await attempt("12ABC34501DE35", code, ip="192.0.2.1", now=NOW + timedelta(minutes=1))
    assert not stranger.ok and stranger.locked_until == NOW + login_throttle.WINDOW
    device = login.device_token(SECRET, "12ABC34501DE35")
    owner = await attempt(
        "12ABC34501DE35", code, ip="192.0.2.2", device=device, now=NOW + timedelta(minutes=1)
    )
    assert owner.ok
    forged = await attempt(
        "12ABC34501DE35", code, ip="192.0.2.3", device="0" * 64, now=NOW + timedelta(minutes=1)
    )
    assert not forged.ok


async def test_throttle_and_audit_never_hold_the_document_or_the_code(db):
    person = "52998224725"  # a CPF
    await make_client(document=person, code="ABCD-EFGH-JKMN-PQRS")
    await attempt("529.982.247-25", "WRONG-CODE")
    await attempt("529.982.247-25", "ABCD-EFGH-JKMN-PQRS", now=NOW + timedelta(minutes=1))
    stored = repr(await LoginThrottle.select()) + repr(await AuditEvent.select())
    assert person not in stored and "ABCDEFGH" not in stored and "WRONG" not in stored
    actions = [row["action"] for row in await AuditEvent.select(AuditEvent.action)]
    assert actions == ["login_failed", "login_ok"]


async def test_session_ends_after_thirty_idle_minutes_or_twelve_hours(db):
    client_id, _ = await make_client()
    raw = await sessions.create_session(now=NOW, ip="", client_id=client_id)
    assert await sessions.load_client_session(raw, now=NOW + timedelta(minutes=29))
    # kept alive by use every 25 minutes, it still ends at 12 hours
    t = NOW + timedelta(minutes=29)
    while t + timedelta(minutes=25) < NOW + timedelta(hours=12):
        t += timedelta(minutes=25)
        assert await sessions.load_client_session(raw, now=t) is not None
    assert await sessions.load_client_session(raw, now=NOW + timedelta(hours=12, minutes=1)) is None
    idle = await sessions.create_session(now=NOW, ip="", client_id=client_id)
    assert await sessions.load_client_session(idle, now=NOW + timedelta(minutes=31)) is None


async def test_many_requests_of_one_session_at_once_store_last_seen_once(db, monkeypatch):
    client_id, _ = await make_client()
    raw = await sessions.create_session(now=NOW, ip="", client_id=client_id)
    writes = []
    real_update = WebSession.update

    def counting_update(*args, **kwargs):
        writes.append(args)
        return real_update(*args, **kwargs)

    monkeypatch.setattr(WebSession, "update", counting_update)
    later = NOW + timedelta(minutes=5)
    found = await asyncio.gather(*(sessions.load_client_session(raw, now=later) for _ in range(32)))
    assert all(s is not None and s.client_id == client_id for s in found)
    assert len(writes) == 1
    (row,) = await WebSession.select(WebSession.last_seen_at)
    assert row["last_seen_at"] == later
    # a minute later it is stored again
    await sessions.load_client_session(raw, now=later + timedelta(minutes=2))
    assert len(writes) == 2


async def test_failures_on_other_documents_do_not_hold_a_known_device_on_that_address(db):
    """ASVS 6.3: throttling must not lock the real user out. Four wrong codes from an office
    address (an attacker behind the same NAT, or a proxy left unconfigured) used to hold the
    owner's usual browser there too."""
    _, code = await make_client(document="12ABC34501DE35")
    ip = "198.51.100.20"
    for i in range(4):
        await attempt(cnpj(8000 + i), "WRONG", ip=ip)
    stranger = await attempt("12ABC34501DE35", code, ip=ip)
    assert not stranger.ok and "aguarde" in stranger.error
    device = login.device_token(SECRET, "12ABC34501DE35")
    owner = await attempt("12ABC34501DE35", code, ip=ip, device=device)
    assert owner.ok


async def test_a_known_device_is_held_by_its_own_failures(db):
    _, code = await make_client(document="12ABC34501DE35")
    device = login.device_token(SECRET, "12ABC34501DE35")
    for _ in range(4):
        await attempt("12ABC34501DE35", "WRONG", device=device)
    held = await attempt("12ABC34501DE35", code, device=device)
    assert not held.ok and "aguarde 2 segundos" in held.error


async def test_the_client_and_staff_logins_count_an_address_apart(db):
    ip = "198.51.100.21"
    assert login.throttle_key(SECRET, login.IP, ip) != login.throttle_key(SECRET, "staff-ip", ip)
    for _ in range(4):
        await attempt("11.444.777/0001-61", "WRONG", ip=ip)
    keys = {row["key"].split(":")[0] for row in await LoginThrottle.select(LoginThrottle.key)}
    assert keys == {"ip", "doc"}


async def test_a_success_is_not_counted_against_its_address(db):
    """An office where many people log in from one address is not slowed by its own logins:
    the failure each attempt reserves before the check is given back when the code is right."""
    ip = "198.51.100.22"
    codes = [await make_client() for _ in range(6)]
    documents = [row["document"] for row in await Client.select(Client.document)]
    for (_, code), document in zip(codes, documents, strict=True):
        assert (await attempt(document, code, ip=ip)).ok
    (row,) = await LoginThrottle.select().where(
        LoginThrottle.key == login.throttle_key(SECRET, "ip", ip)
    )
    assert row["failures"] == 0 and row["locked_until"] is None


async def test_a_success_gives_back_only_its_own_reservation(db):
    ip = "198.51.100.23"
    _, code = await make_client(document="12ABC34501DE35")
    for _ in range(4):  # someone else's mistakes from the same address: the 4th earns 2 s
        await attempt("11.444.777/0001-61", "WRONG", ip=ip)
    ip_key = login.throttle_key(SECRET, "ip", ip)
    (before,) = await LoginThrottle.select().where(LoginThrottle.key == ip_key)
    later = NOW + timedelta(seconds=3)
    assert (await attempt("12ABC34501DE35", code, ip=ip, now=later)).ok
    (after,) = await LoginThrottle.select().where(LoginThrottle.key == ip_key)
    assert after["failures"] == before["failures"] == 4
    assert after["locked_until"] == before["locked_until"]


async def test_a_full_hashing_pool_refuses_at_once_and_counts_nothing(db, monkeypatch):
    await make_client(document="12ABC34501DE35")
    monkeypatch.setattr(passwords, "MAX_WAITING", 0)
    result = await attempt("12ABC34501DE35", "WRONG")
    assert result.busy and result.error == login.BUSY and result.locked_until is None
    # refused before anything was written: a flood of them costs no transaction
    assert await LoginThrottle.count() == 0


async def test_an_attempt_the_full_pool_refuses_after_counting_gets_its_count_back(db, monkeypatch):
    """The pool can fill between the look before counting and the check (a race): then the
    reservation is given back."""
    await make_client(document="12ABC34501DE35")
    monkeypatch.setattr(passwords, "full", lambda known_device=False: False)
    monkeypatch.setattr(passwords, "MAX_WAITING", 0)
    result = await attempt("12ABC34501DE35", "WRONG")
    assert result.busy
    rows = await LoginThrottle.select(LoginThrottle.failures)
    assert len(rows) == 2 and all(row["failures"] == 0 for row in rows)


@pytest.mark.real_argon2  # the check must last for the loop to tick beside it
async def test_the_code_is_checked_on_the_hashing_thread_not_the_event_loop(db, monkeypatch):
    _, code = await make_client(document="12ABC34501DE35")
    threads = []
    real = passwords.verify_secret

    def recording(stored, secret):
        threads.append(threading.current_thread().name)
        return real(stored, secret)

    monkeypatch.setattr(passwords, "verify_secret", recording)
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        assert (await attempt("12ABC34501DE35", code)).ok
    finally:
        task.cancel()
    assert threads and all(name.startswith("argon2") for name in threads)
    assert ticks >= 3, "the event loop stood still while the code was checked"


@pytest.mark.real_argon2  # the pool's jobs must last for the others to find it full
async def test_attempts_beyond_the_pool_and_its_queue_are_refused_not_queued(db, monkeypatch):
    monkeypatch.setattr(passwords, "MAX_WAITING", 2)
    documents = [cnpj(7000 + i) for i in range(6)]
    # six addresses and documents: no counter holds any of them, only the pool's bound does
    results = await asyncio.gather(
        *(attempt(d, "WRONG", ip=f"192.0.2.{i}") for i, d in enumerate(documents))
    )
    busy = [r for r in results if r.busy]
    assert len(busy) == 4 and all(r.error == login.BUSY for r in busy)
    assert in_flight() == 0
