from decimal import Decimal

import pytest

from espaco.domain.errors import DomainError
from espaco.domain.money import (
    cents_to_decimal_str,
    format_brl,
    format_decimal_br,
    format_quantity,
    parse_money,
)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1234.56", 123456),
        ("10", 1000),
        ("0.5", 50),
        ("0.05", 5),
        ("0", 0),
        ("0.00", 0),
        (" 99.9 ", 9990),
        ("007.10", 710),
        ("12345678901.23", 1234567890123),
    ],
)
def test_parse_money_reads_a_decimal_string_as_centavos(text, cents):
    assert parse_money(text) == cents


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1,234.56", "format"),
        ("1.234,56", "format"),
        ("1e3", "format"),
        ("12.345", "too_many_decimals"),
        ("0.001", "too_many_decimals"),
        ("", "format"),
        ("   ", "format"),
        ("abc", "format"),
        ("R$ 10,00", "format"),
        ("+10", "format"),
        (".5", "format"),
        ("5.", "format"),
        ("١٢", "format"),  # Arabic-Indic digits match \d, not [0-9]
        ("-10.00", "negative"),
        ("-0.01", "negative"),
    ],
)
def test_parse_money_refuses_anything_but_the_strict_format(text, code):
    with pytest.raises(DomainError) as caught:
        parse_money(text)
    assert caught.value.code == code


@pytest.mark.parametrize("number", [1234.56, 10, None])
def test_parse_money_refuses_a_json_number(number):
    with pytest.raises(DomainError) as caught:
        parse_money(number)
    assert caught.value.code == "format"


@pytest.mark.parametrize(("text", "cents"), [("-10.5", -1050), ("-0", 0), ("3", 300)])
def test_parse_money_takes_negatives_when_allowed(text, cents):
    assert parse_money(text, allow_negative=True) == cents


@pytest.mark.parametrize(
    ("cents", "shown"),
    [
        (123456, "R$ 1.234,56"),
        (0, "R$ 0,00"),
        (5, "R$ 0,05"),
        (100, "R$ 1,00"),
        (-123456, "-R$ 1.234,56"),
        (123456789012, "R$ 1.234.567.890,12"),
    ],
)
def test_format_brl_writes_reais_the_brazilian_way(cents, shown):
    assert format_brl(cents) == shown


@pytest.mark.parametrize(
    ("cents", "shown"), [(123456, "1.234,56"), (0, "0,00"), (-50, "-0,50"), (99999, "999,99")]
)
def test_format_decimal_br_uses_a_decimal_comma_and_thousands_dots(cents, shown):
    assert format_decimal_br(cents) == shown


@pytest.mark.parametrize(
    ("cents", "text"),
    [(123456, "1234.56"), (1000, "10.00"), (5, "0.05"), (0, "0.00"), (-1050, "-10.50")],
)
def test_cents_to_decimal_str_is_the_import_format_and_round_trips(cents, text):
    assert cents_to_decimal_str(cents) == text
    assert parse_money(text, allow_negative=True) == cents


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2.35", "2,35"),
        ("4", "4"),
        ("1234.5", "1.234,5"),
        ("2.350", "2,350"),
        ("0.125", "0,125"),
        (Decimal("2.35"), "2,35"),
        (Decimal("1E+3"), "1.000"),
        (Decimal("-0.5"), "-0,5"),
        (12, "12"),
    ],
)
def test_format_quantity_keeps_the_given_decimals_with_a_comma(value, shown):
    assert format_quantity(value) == shown


@pytest.mark.parametrize(
    "bad", ["2,35", "abc", "", "1e3", Decimal("NaN"), Decimal("Infinity"), 2.35]
)
def test_format_quantity_refuses_what_is_not_a_decimal(bad):
    with pytest.raises(DomainError) as caught:
        format_quantity(bad)
    assert caught.value.code == "format"
