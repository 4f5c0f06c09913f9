"""Sealing a secret that must wait in the database: AES-256-GCM under a key derived from
``ESPACO_SECRET_KEY``.

The outbox holds an access-code e-mail until the SMTP server takes it, which after an outage can
be hours. The code itself is stored only sealed, beside a body that carries :data:`MASK` where
the code goes; the sender opens the seal at send time and wipes it once the message is sent or
given up. A copy of the database (a backup, a stolen disk, PostgreSQL's WAL, SQLite's free
pages) therefore never holds a usable code without the secret key, and no code at all once its
message has left.

The associated data binds a sealed value to its outbox row (its Message-ID), so a value copied
into another row does not open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# What the stored bodies show where the secret goes: the same length as a code, nothing that
# HTML escaping or quoted-printable would change before the sender puts the code back.
MASK = "••••-••••-••••-••••"
VERSION = "v1"
_NONCE_BYTES = 12


class SealError(ValueError):
    """A sealed value does not open: another key (ESPACO_SECRET_KEY changed) or tampered."""


def _key(secret_key: str) -> bytes:
    # The secret key is high-entropy (checked at start-up), so one HMAC is a sound KDF here.
    return hmac.new(secret_key.encode(), b"espaco outbox seal v1", hashlib.sha256).digest()


def seal(secret_key: str, plaintext: str, *, bound_to: str) -> str:
    """``plaintext`` encrypted and authenticated, as ``v1.<base64>`` text."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_key(secret_key)).encrypt(nonce, plaintext.encode(), bound_to.encode())
    return f"{VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal(secret_key: str, token: str, *, bound_to: str) -> str:
    """The plaintext of :func:`seal`, or :class:`SealError`."""
    version, _, data = token.partition(".")
    if version != VERSION:
        raise SealError("selo de versão desconhecida")
    try:
        raw = base64.urlsafe_b64decode(data.encode())
        opened = AESGCM(_key(secret_key)).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], bound_to.encode()
        )
    except (InvalidTag, ValueError) as exc:
        raise SealError(
            "o código selado não abre (ESPACO_SECRET_KEY mudou?): gere um novo código"
        ) from exc
    return opened.decode()
