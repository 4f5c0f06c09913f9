"""Staff login rules: the same answer for every failure, the second step, the pending token."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pyotp
import pytest

from espaco.services.access import staff_login, staff_mfa
from espaco.services.access.staff import create_staff
from espaco.services.access.staff_login import Pending
from espaco.settings import Settings
from espaco.tables import AuditEvent, LoginThrottle, StaffLoginStep, StaffUser

NOW = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
TZ = ZoneInfo("America/Sao_Paulo")
SECRET = "k" * 48
PASSWORD = "senha-forte-da-equipe"


async def staff(username: str, role: str = "master", *, active: bool = True) -> int:
    assert await create_staff(username, PASSWORD, role, now=NOW) is None
    await StaffUser.update({StaffUser.active: active}).where(StaffUser.username == username)
    return int(
        (await StaffUser.select(StaffUser.id).where(StaffUser.username == username))[0]["id"]
    )


async def password(username: str, typed: str = PASSWORD, *, mfa: bool = False, ip: str = "1.2.3.4"):  # type: ignore[no-untyped-def]
    return await staff_login.check_password(
        username, typed, ip=ip, secret=SECRET, now=NOW, tz=TZ, mfa_required=mfa
    )


# -- the pending step -------------------------------------------------------------------------
async def test_pending_step_is_a_row_that_lasts_five_minutes(db: Settings) -> None:
    staff_id = await staff("ana")
    token = await staff_login.start_step(Pending(staff_id, 0, staff_login.STEP_TOTP), now=NOW)
    pending = Pending(staff_id, 0, staff_login.STEP_TOTP)
    assert await staff_login.read_pending(token, now=NOW) == pending
    later = NOW + staff_login.PENDING_TTL - timedelta(seconds=1)
    assert await staff_login.read_pending(token, now=later) == pending
    assert await staff_login.read_pending(token, now=NOW + staff_login.PENDING_TTL) is None


async def test_the_table_holds_only_the_hash_of_the_pending_token(db: Settings) -> None:
    staff_id = await staff("ana")
    token = await staff_login.start_step(Pending(staff_id, 0, staff_login.STEP_TOTP), now=NOW)
    stored = repr(await StaffLoginStep.select())
    assert token not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored


@pytest.mark.parametrize(
    "forge",
    [
        # the old signed format, made with the secret key: no row behind it
        lambda t, sid: staff_login_hmac_token(sid),
        lambda t, sid: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t, sid: "",
        lambda t, sid: t + "x" * 200,
        lambda t, sid: hashlib.sha256(t.encode()).hexdigest(),  # the stored hash itself
    ],
)
async def test_a_pending_step_cannot_be_forged(db: Settings, forge) -> None:  # type: ignore[no-untyped-def]
    staff_id = await staff("ana")
    token = await staff_login.start_step(Pending(staff_id, 0, staff_login.STEP_ENROL), now=NOW)
    assert await staff_login.read_pending(forge(token, staff_id), now=NOW) is None


def staff_login_hmac_token(staff_id: int) -> str:
    """What the secret key alone let anyone make before: a signed ``id.epoch.step.expiry``."""
    payload = f"{staff_id}.0.enrol.{int((NOW + timedelta(minutes=5)).timestamp())}"
    signature = hmac.new(SECRET.encode(), f"staff-pending:{payload}".encode(), hashlib.sha256)
    return f"{payload}.{signature.hexdigest()}"


async def test_only_a_right_password_makes_a_pending_step(db: Settings) -> None:
    staff_id = await staff("ana")
    await StaffUser.update({StaffUser.totp_secret: pyotp.random_base32()}).where(
        StaffUser.id == staff_id
    )
    await StaffUser.update({StaffUser.totp_enabled: True}).where(StaffUser.id == staff_id)
    wrong = await password("ana", "errada-errada")
    assert wrong.pending is None and await StaffLoginStep.count() == 0
    right = await password("ana")
    assert right.pending and right.next_step == staff_login.STEP_TOTP
    assert await staff_login.read_pending(right.pending, now=NOW) == Pending(
        staff_id, 0, staff_login.STEP_TOTP
    )


# -- password ----------------------------------------------------------------------------------
async def test_every_failure_gets_the_same_answer(db: Settings) -> None:
    await staff("ana")
    await staff("bia", active=False)
    answers = [await password("ninguem"), await password("ana", "errada"), await password("bia")]
    assert {a.error for a in answers} == {staff_login.BAD_LOGIN}
    assert all(a.staff_id is None and a.next_step is None for a in answers)


async def test_a_success_clears_the_username_counter_but_not_the_ip(db: Settings) -> None:
    await staff("ana")
    await password("ana", "errada")
    assert await LoginThrottle.count() == 2
    result = await password("ana")
    assert result.done
    assert await LoginThrottle.count() == 1
    row = (await StaffUser.select(StaffUser.last_login_at).where(StaffUser.username == "ana"))[0]
    assert row["last_login_at"] == NOW


async def test_audit_keeps_what_was_typed_only_when_it_can_be_a_username(db: Settings) -> None:
    await password("Senha Secreta!", "x")
    await password("ana", "x")
    actors = [e["actor"] for e in await AuditEvent.select(AuditEvent.actor)]
    assert actors == ["", "ana"]


async def test_mfa_required_sends_only_masters_to_enrolment(db: Settings) -> None:
    await staff("ana")
    await staff("pedro", role="planejamento")
    assert (await password("ana", mfa=True)).next_step == staff_login.STEP_ENROL
    assert (await password("ana", mfa=False)).done
    assert (await password("pedro", mfa=True)).done


# -- second step -------------------------------------------------------------------------------
async def test_totp_user_is_asked_for_the_code_and_a_wrong_code_counts(db: Settings) -> None:
    staff_id = await staff("ana")
    secret = pyotp.random_base32()
    await StaffUser.update({StaffUser.totp_secret: secret, StaffUser.totp_enabled: True}).where(
        StaffUser.id == staff_id
    )
    first = await password("ana")
    assert first.next_step == staff_login.STEP_TOTP and not first.done
    kw = {"ip": "1.2.3.4", "secret": SECRET, "now": NOW, "tz": TZ}
    wrong = await staff_login.check_code(first.pending, "000000", **kw)  # type: ignore[arg-type]
    assert wrong.error == staff_login.BAD_CODE and not wrong.done
    assert wrong.next_step == staff_login.STEP_TOTP and wrong.pending == first.pending
    assert await LoginThrottle.count() == 2
    stale = pyotp.TOTP(secret).at(NOW - timedelta(minutes=2))
    assert not (await staff_login.check_code(first.pending, stale, **kw)).done  # type: ignore[arg-type]
    previous = pyotp.TOTP(secret).at(NOW - timedelta(seconds=30))  # a phone clock 30 s behind
    done = await staff_login.check_code(first.pending, previous, **kw)  # type: ignore[arg-type]
    assert done.done and done.device == staff_login.device_token(SECRET, "ana")
    # the step is used up: the next code needs the password again
    code = pyotp.TOTP(secret).at(NOW)
    again = await staff_login.check_code(first.pending, code, **kw)  # type: ignore[arg-type]
    assert again.expired and not again.done
    second = await password("ana")
    assert (await staff_login.check_code(second.pending, code, **kw)).done  # type: ignore[arg-type]


async def test_a_code_is_good_once_even_within_its_window(db: Settings) -> None:
    """RFC 6238, section 5.2: a code seen over a shoulder or in a log cannot be replayed."""
    staff_id = await staff("bia")
    secret = pyotp.random_base32()
    await StaffUser.update({StaffUser.totp_secret: secret, StaffUser.totp_enabled: True}).where(
        StaffUser.id == staff_id
    )
    code = pyotp.TOTP(secret).at(NOW)
    assert await staff_mfa.second_factor_ok(staff_id, code, now=NOW)
    assert not await staff_mfa.second_factor_ok(staff_id, code, now=NOW + timedelta(seconds=20))
    older = pyotp.TOTP(secret).at(NOW - timedelta(seconds=30))
    assert not await staff_mfa.second_factor_ok(staff_id, older, now=NOW)  # an earlier step
    at_once = await asyncio.gather(
        *(
            staff_mfa.second_factor_ok(
                staff_id,
                pyotp.TOTP(secret).at(NOW + timedelta(seconds=30)),
                now=NOW + timedelta(seconds=30),
            )
            for _ in range(5)
        )
    )
    assert at_once.count(True) == 1  # the same new code, five requests at once: one wins


async def test_the_enrolment_code_cannot_be_used_again_to_log_in(db: Settings) -> None:
    staff_id = await staff("caio")
    enrolment = await staff_mfa.start_enrolment(staff_id, issuer="Verde Campo")
    assert enrolment is not None
    code = pyotp.TOTP(enrolment.secret).at(NOW)
    assert await staff_mfa.confirm_enrolment(staff_id, code, now=NOW, ip="")
    assert not await staff_mfa.second_factor_ok(staff_id, code, now=NOW)
    later = pyotp.TOTP(enrolment.secret).at(NOW + timedelta(seconds=30))
    assert await staff_mfa.second_factor_ok(staff_id, later, now=NOW + timedelta(seconds=30))


async def test_a_bumped_epoch_or_deactivation_voids_the_pending_step(db: Settings) -> None:
    staff_id = await staff("ana")
    kw = {"ip": "", "secret": SECRET, "now": NOW, "tz": TZ}
    token = await staff_login.start_step(Pending(staff_id, 0, staff_login.STEP_TOTP), now=NOW)
    await StaffUser.update({StaffUser.session_epoch: 1}).where(StaffUser.id == staff_id)
    assert (await staff_login.check_code(token, "123456", **kw)).expired  # type: ignore[arg-type]
    await StaffUser.update({StaffUser.session_epoch: 0, StaffUser.active: False}).where(
        StaffUser.id == staff_id
    )
    token = await staff_login.start_step(Pending(staff_id, 0, staff_login.STEP_TOTP), now=NOW)
    assert (await staff_login.check_code(token, "123456", **kw)).expired  # type: ignore[arg-type]


async def test_enrolment_keeps_one_secret_until_confirmed(db: Settings) -> None:
    staff_id = await staff("ana")
    first = await staff_mfa.start_enrolment(staff_id, issuer="Verde Campo")
    again = await staff_mfa.start_enrolment(staff_id, issuer="Verde Campo")
    assert first is not None and again is not None and first.secret == again.secret
    assert first.uri.startswith("otpauth://totp/Verde%20Campo:ana?")
    assert "<svg" in first.qr_svg and "style=" not in first.qr_svg and "<script" not in first.qr_svg
    assert not await staff_mfa.confirm_enrolment(staff_id, "000000", now=NOW, ip="")
    assert not await staff_mfa.totp_enabled(staff_id)
    code = pyotp.TOTP(first.secret).at(NOW)
    assert await staff_mfa.confirm_enrolment(staff_id, code, now=NOW, ip="")
    assert await staff_mfa.totp_enabled(staff_id)
    assert await staff_mfa.start_enrolment(staff_id, issuer="Verde Campo") is None


@pytest.mark.parametrize(("typed", "digits"), [("123 456", "123456"), ("12-34-56", "123456")])
def test_typed_codes_keep_only_their_digits(typed: str, digits: str) -> None:
    assert staff_mfa.normalize_totp(typed) == digits


def test_lock_message_is_in_portuguese_with_seconds_or_the_hour() -> None:
    assert "aguarde 2 segundos" in staff_login.lock_message(NOW + timedelta(seconds=2), NOW, TZ)
    hour = staff_login.lock_message(NOW + timedelta(minutes=40), NOW, TZ)
    assert "bloqueado até 12:40 de 28/11/2026" in hour


# -- lock-outs an attacker could cause ----------------------------------------------------------
async def test_wrong_passwords_from_anywhere_do_not_hold_the_admin_on_a_known_device(
    db: Settings,
) -> None:
    """Four wrong passwords for a username, typed from anywhere, used to lock its real user out
    everywhere; a browser where the user logged in before is held only by its own failures."""
    await staff("ana")
    for i in range(4):
        await password("ana", f"errada-{i}", ip=f"203.0.113.{i}")
    elsewhere = await password("ana", ip="192.0.2.50")
    assert not elsewhere.done and elsewhere.locked_until is not None
    device = staff_login.device_token(SECRET, "ana")
    known = await staff_login.check_password(
        "ana",
        PASSWORD,
        ip="192.0.2.50",
        device_cookie=device,
        secret=SECRET,
        now=NOW,
        tz=TZ,
        mfa_required=False,
    )
    assert known.done and known.device == device
    forged = await staff_login.check_password(
        "ana",
        PASSWORD,
        ip="192.0.2.51",
        device_cookie=staff_login.device_token("z" * 48, "ana"),
        secret=SECRET,
        now=NOW,
        tz=TZ,
        mfa_required=False,
    )
    assert not forged.done and forged.locked_until is not None


async def test_a_staff_device_cookie_is_good_for_its_own_user_only(db: Settings) -> None:
    ana = staff_login.device_token(SECRET, "ana")
    keys = staff_login.login_keys(SECRET, ip="1.2.3.4", username="bia", device_cookie=ana)
    assert len(keys.counted) == 2  # counted like any browser: the IP and the username
    own = staff_login.login_keys(SECRET, ip="1.2.3.4", username="ana", device_cookie=ana)
    assert own.counted == own.cleared and len(own.counted) == 1


async def test_client_failures_on_an_address_do_not_hold_the_staff_login_there(
    db: Settings,
) -> None:
    from espaco.services.access import login

    await staff("ana")
    for _ in range(6):
        await login.attempt_login(
            "11.444.777/0001-61",
            "WRONG",
            ip="1.2.3.4",
            device_cookie=None,
            secret=SECRET,
            now=NOW,
            tz=TZ,
        )
    assert (await password("ana", ip="1.2.3.4")).done


async def test_a_full_hashing_pool_refuses_the_staff_login_and_counts_nothing(
    db: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from espaco.services.access import passwords

    await staff("ana")
    monkeypatch.setattr(passwords, "MAX_WAITING", 0)
    result = await password("ana", "errada")
    assert result.busy and not result.done
    assert all(r["failures"] == 0 for r in await LoginThrottle.select(LoginThrottle.failures))


async def test_two_right_codes_at_once_open_one_login(db: Settings) -> None:
    staff_id = await staff("ana")
    secret = pyotp.random_base32()
    await StaffUser.update({StaffUser.totp_secret: secret, StaffUser.totp_enabled: True}).where(
        StaffUser.id == staff_id
    )
    token = (await password("ana")).pending
    kw = {"ip": "1.2.3.4", "secret": SECRET, "tz": TZ}
    results = await asyncio.gather(
        staff_login.check_code(token, pyotp.TOTP(secret).at(NOW), now=NOW, **kw),  # type: ignore[arg-type]
        staff_login.check_code(
            token,
            pyotp.TOTP(secret).at(NOW + timedelta(seconds=30)),
            now=NOW + timedelta(seconds=30),
            **kw,  # type: ignore[arg-type]
        ),
    )
    assert [r.done for r in results].count(True) == 1
