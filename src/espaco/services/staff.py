"""Staff users of the back-office."""

from __future__ import annotations

import re
from datetime import datetime

from espaco.services.passwords import hash_secret
from espaco.tables import StaffRole, StaffUser

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
MIN_PASSWORD = 10


def password_problem(password: str) -> str | None:
    """Why a password is refused, in Portuguese, or None."""
    if len(password) < MIN_PASSWORD:
        return f"a senha deve ter ao menos {MIN_PASSWORD} caracteres"
    if password.strip() != password:
        return "a senha não pode começar nem terminar com espaço"
    return None


async def create_staff(
    username: str, password: str, role: str, *, name: str = "", email: str = "", now: datetime
) -> str | None:
    """Create a staff user; return a Portuguese error message, or None when created."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        return "usuário inválido: use letras minúsculas, números, ponto, hífen ou sublinhado"
    if role not in StaffRole.__members__:
        return "papel inválido: use master ou planejamento"
    problem = password_problem(password)
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
