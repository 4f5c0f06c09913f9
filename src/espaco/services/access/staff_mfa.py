"""TOTP two-factor login for staff users (RFC 6238, the codes of any authenticator app).

The secret is stored on the user's row from the moment enrolment starts, but only counts once
the user has confirmed it with a code (``totp_enabled``); until then reloading the page shows
the same QR code, so a scan already made stays valid.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno

from espaco.services.operations import audit
from espaco.tables import StaffUser

# One step before and one after: a phone clock 30 s off still works.
VALID_WINDOW = 1
DIGITS = 6


@dataclass(frozen=True)
class Enrolment:
    """What a user needs to add the account to an authenticator app."""

    secret: str
    uri: str
    qr_svg: str

    @property
    def grouped_secret(self) -> str:
        """The secret in groups of four, easier to type by hand."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


def normalize_totp(typed: str) -> str:
    """The digits of what was typed (``123 456`` → ``123456``)."""
    return "".join(ch for ch in typed if ch.isdigit())


def code_matches(secret: str, typed: str, *, now: datetime) -> bool:
    """True when ``typed`` is the code of ``secret`` at ``now`` (± one 30-second step)."""
    return matching_step(secret, typed, now=now) is not None


def matching_step(secret: str, typed: str, *, now: datetime) -> int | None:
    """The time step (30-second counter) whose code ``typed`` is, within ± one step of ``now``;
    None when it is none of them."""
    code = normalize_totp(typed)
    if len(code) != DIGITS:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in sorted(range(-VALID_WINDOW, VALID_WINDOW + 1), key=abs):  # 0, -1, 1, ...
        if hmac.compare_digest(totp.generate_otp(current + offset), code):
            return current + offset
    return None


async def _use_step(staff_id: int, step: int) -> bool:
    """Record ``step`` as used, unless it (or a later one) already was: a code is good once, even
    when two requests bring it at the same moment (the update is the check)."""
    done = (
        await StaffUser.update({StaffUser.totp_last_step: step})
        .where(
            (StaffUser.id == staff_id)
            & (StaffUser.totp_last_step.is_null() | (StaffUser.totp_last_step < step))
        )
        .returning(StaffUser.id)
    )
    return bool(done)


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as inline SVG markup (no script, no style attribute)."""
    return segno.make(uri, error="m").svg_inline(scale=5, light="#fff", svgclass="qr")


async def totp_enabled(staff_id: int) -> bool:
    rows = await StaffUser.select(StaffUser.totp_enabled).where(StaffUser.id == staff_id)
    return bool(rows and rows[0]["totp_enabled"])


async def start_enrolment(staff_id: int, *, issuer: str) -> Enrolment | None:
    """The pending secret of ``staff_id`` (created on first call); None when TOTP is already on
    or the user does not exist."""
    rows = await StaffUser.select(
        StaffUser.username, StaffUser.totp_secret, StaffUser.totp_enabled
    ).where(StaffUser.id == staff_id)
    if not rows or rows[0]["totp_enabled"]:
        return None
    secret = rows[0]["totp_secret"]
    if not secret:
        secret = pyotp.random_base32()  # 160 bits, what RFC 4226 recommends
        await StaffUser.update({StaffUser.totp_secret: secret}).where(
            (StaffUser.id == staff_id) & (StaffUser.totp_enabled.eq(False))
        )
    uri = pyotp.TOTP(secret).provisioning_uri(name=rows[0]["username"], issuer_name=issuer)
    return Enrolment(secret=secret, uri=uri, qr_svg=qr_svg(uri))


async def confirm_enrolment(staff_id: int, typed: str, *, now: datetime, ip: str) -> bool:
    """Turn TOTP on when ``typed`` is a current code of the pending secret."""
    rows = await StaffUser.select(
        StaffUser.username, StaffUser.totp_secret, StaffUser.totp_enabled
    ).where(StaffUser.id == staff_id)
    if not rows or rows[0]["totp_enabled"] or not rows[0]["totp_secret"]:
        return False
    step = matching_step(rows[0]["totp_secret"], typed, now=now)
    if step is None or not await _use_step(staff_id, step):
        return False
    await StaffUser.update({StaffUser.totp_enabled: True}).where(StaffUser.id == staff_id)
    await audit.record("staff_totp_enabled", now=now, actor=rows[0]["username"], ip=ip)
    return True


async def second_factor_ok(staff_id: int, typed: str, *, now: datetime) -> bool:
    """True when ``typed`` is a current code of the user's enabled TOTP secret that was not
    used before: a code seen over a shoulder or in a log cannot be replayed within its window."""
    rows = await StaffUser.select(StaffUser.totp_secret, StaffUser.totp_enabled).where(
        StaffUser.id == staff_id
    )
    if not rows or not rows[0]["totp_enabled"] or not rows[0]["totp_secret"]:
        return False
    step = matching_step(rows[0]["totp_secret"], typed, now=now)
    return step is not None and await _use_step(staff_id, step)
