"""The staff password policy (OWASP ASVS 5.0 §6.2): long enough, not common, not trivial.

ASVS asks for at least 8 characters (we ask 10), no composition rules, and a check against a
list of common or breached passwords. The list ships with the package
(``common-passwords.txt``: 8,351 entries of 8+ characters from the 20,000 most common in
breaches). A password is refused when it is, or becomes after stripping the digits and symbols
people add at either end ("password2026!"), one of them or one of the Portuguese words an office
reaches for first (:data:`WEAK_WORDS`); when it is one character or a short group repeated
("aaaaaaaaaa", "abcabcabcabc"), a run along the alphabet, the digits or a keyboard row
("1234567890", "qwertyuiop", in either direction); or when it contains the username.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

MIN_LENGTH = 10
MAX_LENGTH = 200  # argon2 takes any length; a bound keeps a form from hashing megabytes
# What people add around a word to pass a "digits and symbols" rule.
_DECORATION = string.digits + string.punctuation + " "
WEAK_WORDS = frozenset(
    {
        "senha",
        "minhasenha",
        "mudar",
        "trocar",
        "brasil",
        "admin",
        "administrador",
        "master",
        "teste",
        "acesso",
        "usuario",
        "usuário",
        "empresa",
        "portal",
        "espaco",
        "espaço",
        "cliente",
        "planejamento",
        "equipe",
        "coleta",
        "residuos",
        "resíduos",
    }
)
_RUNS = (
    string.ascii_lowercase,
    string.digits + string.digits,  # wraps: "7890123456"
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower-cased (comment lines skipped)."""
    path = Path(__file__).with_name("common-passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is refused for the staff user ``username``, in Portuguese, or None."""
    if len(password) < MIN_LENGTH:
        return f"a senha deve ter ao menos {MIN_LENGTH} caracteres"
    if len(password) > MAX_LENGTH:
        return f"a senha pode ter no máximo {MAX_LENGTH} caracteres"
    if password.strip() != password:
        return "a senha não pode começar nem terminar com espaço"
    lowered = password.lower()
    if _repeats(lowered):
        return "a senha não pode ser um caractere ou um grupo curto repetido"
    if _is_run(lowered):
        return "a senha não pode ser uma sequência (como 1234567890 ou qwertyuiop)"
    core = lowered.strip(_DECORATION)
    if lowered in common_passwords() or core in common_passwords() or core in WEAK_WORDS:
        return "essa senha está entre as mais usadas (e vazadas): escolha outra, menos óbvia"
    name = username.strip().lower()
    if len(name) >= 3 and name in lowered:
        return "a senha não pode conter o nome de usuário"
    return None


def _repeats(text: str) -> bool:
    """One character or a group of up to four repeated: "aaaa…", "abab…", "abcdabcd…"."""
    return any(text == (text[:size] * len(text))[: len(text)] for size in range(1, 5))


def _is_run(text: str) -> bool:
    return any(text in run or text in run[::-1] for run in _RUNS)
