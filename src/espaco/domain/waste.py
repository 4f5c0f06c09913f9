"""Waste identification: the IBAMA code and the physical state.

The Lista Brasileira de Resíduos Sólidos (IBAMA Normative Instruction 13/2012, annex) codes
each waste with six digits in three pairs — chapter, subchapter, waste — printed "17 09 04";
an asterisk after the code ("18 01 03*") marks a hazardous waste. Chapters run 01 to 20.
The physical states are those SINIR's MTR asks for.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, NamedTuple

from espaco.domain.errors import DomainError

PHYSICAL_STATES: Final = ("sólido", "líquido", "semissólido", "gasoso")
_STATE_BY_KEY: Final = {
    unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode(): s for s in PHYSICAL_STATES
}
# Separators an ERP may put between the pairs: spaces, dots, hyphens or none.
_CODE = re.compile(r"([0-9]{2})[ .\-]?([0-9]{2})[ .\-]?([0-9]{2})\s*(\*?)")
CHAPTERS: Final = range(1, 21)


class IbamaCode(NamedTuple):
    """A code of the Lista Brasileira, with whether it marks the waste hazardous."""

    code: str  # "17 09 04" or "18 01 03*"
    hazardous: bool


def parse_ibama_code(text: str) -> IbamaCode:
    """The code in its printed form (``"18 01 03*"``), from ``"180103*"``, ``"18.01.03 *"``…

    Raises DomainError ``format`` (not three pairs of digits) or ``chapter`` (not 01–20)."""
    match = _CODE.fullmatch(text.strip())
    if match is None or not text.isascii():
        raise DomainError(
            "format",
            'Código IBAMA deve ter seis dígitos em três pares, como "17 09 04" '
            "(asterisco no fim para resíduo perigoso)",
        )
    chapter, sub, item, star = match.groups()
    if int(chapter) not in CHAPTERS:
        raise DomainError("chapter", "Código IBAMA com capítulo fora da lista (01 a 20)")
    return IbamaCode(f"{chapter} {sub} {item}{star}", bool(star))


def is_hazardous(code: str, waste_class: str) -> bool:
    """Hazardous when the code carries the asterisk or the class is NBR 10004's Classe I."""
    return code.endswith("*") or waste_class.strip().upper() == "I"


def parse_physical_state(text: str) -> str:
    """One of PHYSICAL_STATES, accepting any case and missing accents."""
    key = unicodedata.normalize("NFKD", text.strip().lower()).encode("ascii", "ignore").decode()
    state = _STATE_BY_KEY.get(key)
    if state is None:
        raise DomainError("choice", "Estado físico deve ser " + ", ".join(PHYSICAL_STATES))
    return state
