"""The IBAMA code's shape (IN IBAMA 13/2012) and the MTR's physical states."""

from __future__ import annotations

import pytest

from espaco.domain.errors import DomainError
from espaco.domain.waste import is_hazardous, parse_ibama_code, parse_physical_state


@pytest.mark.parametrize(
    ("text", "code", "hazardous"),
    [
        ("17 09 04", "17 09 04", False),
        ("170904", "17 09 04", False),
        ("17.09.04", "17 09 04", False),
        ("17-09-04", "17 09 04", False),
        (" 18 01 03* ", "18 01 03*", True),
        ("180103*", "18 01 03*", True),
        ("13 02 05 *", "13 02 05*", True),
        ("01 01 01", "01 01 01", False),
        ("20 03 01", "20 03 01", False),
    ],
)
def test_ibama_codes_in_any_common_spelling_are_printed_in_pairs(text, code, hazardous):
    assert parse_ibama_code(text) == (code, hazardous)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("17 09 4", "format"),
        ("1709045", "format"),
        ("17 09 04**", "format"),
        ("*17 09 04", "format"),
        ("AB 09 04", "format"),
        ("１７ ０９ ０４", "format"),  # full-width digits are not ASCII digits
        ("00 01 01", "chapter"),
        ("21 01 01", "chapter"),
        ("99 99 99*", "chapter"),
    ],
)
def test_ibama_codes_of_another_shape_are_refused(text, error):
    with pytest.raises(DomainError) as caught:
        parse_ibama_code(text)
    assert caught.value.code == error


@pytest.mark.parametrize(
    ("code", "waste_class", "hazardous"),
    [
        ("18 01 03*", "I", True),
        ("18 01 03*", "", True),
        ("17 09 04", "I", True),
        ("17 09 04", "II-B", False),
        ("", "II-A", False),
        ("", " i ", True),
    ],
)
def test_hazardous_by_asterisk_or_class_i(code, waste_class, hazardous):
    assert is_hazardous(code, waste_class) is hazardous


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("sólido", "sólido"),
        ("SOLIDO", "sólido"),
        ("Líquido", "líquido"),
        ("semissolido", "semissólido"),
        (" gasoso ", "gasoso"),
    ],
)
def test_physical_states_accept_any_case_and_missing_accents(text, state):
    assert parse_physical_state(text) == state


@pytest.mark.parametrize("text", ["pastoso", "semi-sólido", "", "sólidos"])
def test_other_physical_states_are_refused(text):
    with pytest.raises(DomainError) as caught:
        parse_physical_state(text)
    assert caught.value.code == "choice"
