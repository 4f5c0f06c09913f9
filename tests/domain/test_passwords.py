"""The staff password policy (ASVS §6.2): length, the shipped common list, trivial patterns."""

from __future__ import annotations

import pytest

from espaco.domain.passwords import MIN_LENGTH, common_passwords, password_problem


@pytest.mark.parametrize(
    ("password", "username", "says"),
    [
        ("curta", "ana", "ao menos 10"),
        ("aaaaaaaaaa", "ana", "repetido"),
        ("ZZZZZZZZZZZZZZ", "ana", "repetido"),
        ("abababababab", "ana", "repetido"),
        ("abc1abc1abc1", "ana", "repetido"),
        ("1234567890", "ana", "sequência"),
        ("0987654321", "ana", "sequência"),
        ("7890123456", "ana", "sequência"),
        ("abcdefghijkl", "ana", "sequência"),
        ("ZYXWVUTSRQPO", "ana", "sequência"),
        ("asdfghjkl", "ana", "ao menos 10"),
        ("1qaz2wsx3edc", "ana", "sequência"),
        ("qwertyuiop", "ana", "sequência"),
        ("football2026", "ana", "mais usadas"),
        ("princess", "ana", "ao menos 10"),
        ("!!princess!!", "ana", "mais usadas"),
        ("password123", "ana", "mais usadas"),
        ("Password2026!", "ana", "mais usadas"),  # a listed word with digits and a symbol
        ("iloveyou2026", "ana", "mais usadas"),
        ("Senha@2026!", "ana", "mais usadas"),
        ("brasil123456", "ana", "mais usadas"),
        ("#Admin2026#", "ana", "mais usadas"),
        ("planejamento2026", "ana", "mais usadas"),
        ("joaquim-da-silva-2026", "joaquim", "nome de usuário"),
        ("SenhaDoJOAQUIM!", "joaquim", "nome de usuário"),
        (" espaço no início", "ana", "espaço"),
        ("x" * 201 + "yz", "ana", "no máximo"),
    ],
)
def test_weak_passwords_are_refused_in_portuguese(password: str, username: str, says: str) -> None:
    problem = password_problem(password, username)
    assert problem is not None and says in problem


@pytest.mark.parametrize(
    "password",
    [
        "uma senha bem longa",
        "senha-forte-da-equipe",
        "Tr3s-palavras-ao-acaso",
        "cavalo correto bateria grampo",
        "q8#Lr2!vZp0m",
    ],
)
def test_long_uncommon_passwords_pass(password: str) -> None:
    assert password_problem(password, "ana") is None


def test_a_short_username_is_not_searched_in_the_password() -> None:
    assert password_problem("uma senha bem longa", "ma") is None


def test_the_shipped_list_holds_a_few_thousand_lower_case_entries_long_enough_to_matter() -> None:
    entries = common_passwords()
    assert 2_000 <= len(entries) <= 20_000
    assert all(entry == entry.lower() and len(entry) >= 8 for entry in entries)
    assert {"1234567890", "qwertyuiop", "password1", "iloveyou"} <= entries


def test_every_listed_password_long_enough_to_be_typed_is_refused() -> None:
    allowed = [p for p in common_passwords() if len(p) >= MIN_LENGTH and not password_problem(p)]
    assert allowed == []
