"""Clients: look-ups and access codes."""

from __future__ import annotations

from datetime import datetime

from espaco.services.access.access_codes import new_access_code, normalize_code
from espaco.services.access.passwords import hash_secret
from espaco.tables import Client


async def set_demo_access_code(external_id: str, *, now: datetime) -> str:
    """Give a demo client a fresh code and return it in clear (the demo prints it).

    Only ``espaco demo`` may do this: in a real portal the code is never shown, only e-mailed.
    """
    code = new_access_code()
    await Client.update(
        {
            Client.access_code_hash: hash_secret(normalize_code(code)),
            Client.code_generated_at: now,
            Client.session_epoch: Client.session_epoch + 1,
        }
    ).where(Client.external_id == external_id)
    return code
