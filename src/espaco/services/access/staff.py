"""Staff users of the back-office."""

from __future__ import annotations

import re
from datetime import datetime

from espaco.domain.passwords import password_problem
from espaco.services.access.passwords import hash_secret
from espaco.services.operations import audit
from espaco.tables import StaffRole, StaffUser

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")

__all__ = ["USERNAME", "create_staff", "password_problem", "reset_second_factor"]


async def create_staff(
    username: str, password: str, role: str, *, name: str = "", email: str = "", now: datetime
) -> str | None:
    """Create a staff user; return a Portuguese error message, or None when created."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        return "usuário inválido: use letras minúsculas, números, ponto, hífen ou sublinhado"
    if role not in StaffRole.__members__:
        return "papel inválido: use master ou planejamento"
    problem = password_problem(password, username)
    if problem:
        return problem
    if await StaffUser.exists().where(StaffUser.username == username):
        return f"o usuário {username} já existe"
    await StaffUser.insert(
        StaffUser(
            username=username,
            name=name,
            email=email,
            role=role,
            password_hash=hash_secret(password),
            created_at=now,
        )
    )
    return None


async def reset_second_factor(username: str, *, now: datetime, actor: str = "cli") -> str | None:
    """Turn a staff user's TOTP off (a lost phone): the secret is forgotten, the user's sessions
    end, and the next login asks for the password only, then for a new enrolment when
    ``ESPACO_STAFF_MFA=required``. Returns a Portuguese error message, or None when done."""
    username = username.strip().lower()
    rows = await StaffUser.select(StaffUser.id).where(StaffUser.username == username)
    if not rows:
        return f"o usuário {username} não existe"
    await StaffUser.update(
        {
            StaffUser.totp_secret: None,
            StaffUser.totp_enabled: False,
            StaffUser.totp_last_step: None,
            StaffUser.session_epoch: StaffUser.session_epoch + 1,
        }
    ).where(StaffUser.id == rows[0]["id"])
    await audit.record("staff_totp_reset", now=now, actor=actor, details={"username": username})
    return None
