"""Production's argon2 parameters. The rest of the suite hashes with the cheapest ones
(``cheap_argon2`` in tests/conftest.py); these tests are marked to run at the real cost."""

from __future__ import annotations

import time

import pytest
from argon2 import PasswordHasher

from espaco.services.access import passwords

pytestmark = pytest.mark.real_argon2
PRODUCTION = "$argon2id$v=19$m=65536,t=3,p=4$"


def test_codes_are_hashed_with_rfc_9106s_second_recommendation() -> None:
    stored = passwords.hash_secret("ABCD-2345-EFGH")
    assert stored.startswith(PRODUCTION)
    assert passwords.verify_secret(stored, "ABCD-2345-EFGH")
    assert not passwords.verify_secret(stored, "ABCD-2345-EFGX")


def test_an_unknown_account_costs_a_verification_at_the_same_parameters() -> None:
    assert passwords._dummy_hash().startswith(PRODUCTION)
    started = time.process_time()
    assert not passwords.verify_secret(None, passwords.DUMMY_SECRET)
    unknown = time.process_time() - started
    stored = passwords.hash_secret("ABCD-2345-EFGH")
    started = time.process_time()
    assert not passwords.verify_secret(stored, "WRONG")
    known = time.process_time() - started
    assert 0.5 < unknown / known < 2, (unknown, known)


def test_a_hash_made_with_other_parameters_still_verifies() -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("x")
    assert passwords.verify_secret(cheap, "x") and not passwords.verify_secret(cheap, "y")
