"""The seal that keeps an access code while its e-mail waits: opens only with its key and row."""

from __future__ import annotations

import base64

import pytest

from espaco.services.access.sealing import SealError, seal, unseal

KEY = "k" * 48
CODE = "ABCD-EFGH-JKMN-PQRS"


def test_a_sealed_code_opens_with_its_key_and_row() -> None:
    token = seal(KEY, CODE, bound_to="<a@espaco>")
    assert CODE not in token and token.startswith("v1.")
    assert unseal(KEY, token, bound_to="<a@espaco>") == CODE


def test_each_seal_is_different_for_the_same_code() -> None:
    assert seal(KEY, CODE, bound_to="<a@espaco>") != seal(KEY, CODE, bound_to="<a@espaco>")


@pytest.mark.parametrize(
    ("key", "row"),
    [("j" * 48, "<a@espaco>"), (KEY, "<b@espaco>")],
    ids=["another key", "another row"],
)
def test_a_seal_does_not_open_with_another_key_or_in_another_row(key: str, row: str) -> None:
    token = seal(KEY, CODE, bound_to="<a@espaco>")
    with pytest.raises(SealError):
        unseal(key, token, bound_to=row)


@pytest.mark.parametrize("token", ["", "v1.", "v1.!!!", "v2.AAAA", "v1." + "A" * 40])
def test_a_damaged_seal_is_a_seal_error(token: str) -> None:
    with pytest.raises(SealError):
        unseal(KEY, token, bound_to="<a@espaco>")


@pytest.mark.parametrize("position", [0, 12, 20, -1], ids=["nonce", "text", "text2", "tag"])
def test_a_tampered_seal_does_not_open(position: int) -> None:
    token = seal(KEY, CODE, bound_to="<a@espaco>")
    raw = bytearray(base64.urlsafe_b64decode(token.removeprefix("v1.")))
    raw[position] ^= 0x01
    tampered = "v1." + base64.urlsafe_b64encode(bytes(raw)).decode()
    with pytest.raises(SealError):
        unseal(KEY, tampered, bound_to="<a@espaco>")
