"""Staff users: every way a staff password is set goes through the password policy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from espaco.services.access.staff import create_staff
from espaco.settings import Settings
from espaco.tables import StaffUser

NOW = datetime(2026, 11, 28, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("aaaaaaaaaa", "repetido"),
        ("1234567890", "sequência"),
        ("Senha@2026!", "mais usadas"),
        ("marta.souza.2026", "nome de usuário"),
    ],
)
async def test_create_staff_refuses_a_weak_password_and_writes_nothing(
    db: Settings, password: str, says: str
) -> None:
    problem = await create_staff("marta.souza", password, "master", now=NOW)
    assert problem is not None and says in problem
    assert await StaffUser.count() == 0


async def test_create_staff_takes_a_long_uncommon_password(db: Settings) -> None:
    assert await create_staff("marta", "cavalo correto bateria", "master", now=NOW) is None
    assert await StaffUser.count() == 1
