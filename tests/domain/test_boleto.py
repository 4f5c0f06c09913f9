from datetime import date

import pytest

from espaco.domain.boleto import (
    Boleto,
    barcode_to_line,
    build_barcode,
    check_boleto_matches,
    due_date_from_factor,
    due_dates_for_factor,
    due_factor,
    format_digitable_line,
    line_to_barcode,
    mod11_general,
    parse_boleto,
)
from espaco.domain.errors import DomainError

# Published example (Banco do Brasil, after the 2025 factor restart).
EXAMPLE_LINE = "00190.00009 02812.345672 00000.123182 5 10160000015075"
EXAMPLE_DIGITS = "00190000090281234567200000123182510160000015075"
EXAMPLE_BARCODE = "00195101600000150750000002812345670000012318"


@pytest.mark.parametrize(
    "text", [EXAMPLE_LINE, EXAMPLE_DIGITS, EXAMPLE_BARCODE, f" {EXAMPLE_LINE}\n"]
)
def test_published_example_is_valid_in_either_form(text):
    assert parse_boleto(text) == Boleto(
        bank="001",
        currency="9",
        due_factor=1016,
        amount_cents=15075,
        free_field="0000002812345670000012318",
        barcode=EXAMPLE_BARCODE,
        digitable_line=EXAMPLE_DIGITS,
    )


def test_published_example_is_due_on_10_march_2025():
    assert parse_boleto(EXAMPLE_LINE).due_on(date(2025, 3, 1)) == date(2025, 3, 10)


def test_barcode_and_linha_digitavel_convert_into_each_other():
    assert barcode_to_line(EXAMPLE_BARCODE) == EXAMPLE_DIGITS
    assert line_to_barcode(EXAMPLE_DIGITS) == EXAMPLE_BARCODE
    assert format_digitable_line(EXAMPLE_DIGITS) == EXAMPLE_LINE


def _change(text: str, index: int) -> str:
    return text[:index] + str((int(text[index]) + 1) % 10) + text[index + 1 :]


@pytest.mark.parametrize(
    ("index", "message"),
    [
        (2, "Dígito verificador do campo 1 da linha digitável inválido"),
        (7, "Dígito verificador do campo 1 da linha digitável inválido"),
        (9, "Dígito verificador do campo 1 da linha digitável inválido"),
        (14, "Dígito verificador do campo 2 da linha digitável inválido"),
        (20, "Dígito verificador do campo 2 da linha digitável inválido"),
        (25, "Dígito verificador do campo 3 da linha digitável inválido"),
        (31, "Dígito verificador do campo 3 da linha digitável inválido"),
        (32, "Dígito verificador geral do boleto inválido"),
        (34, "Dígito verificador geral do boleto inválido"),  # due factor
        (45, "Dígito verificador geral do boleto inválido"),  # amount
    ],
)
def test_a_changed_digit_in_any_field_of_the_line_is_refused(index, message):
    with pytest.raises(DomainError) as caught:
        parse_boleto(_change(EXAMPLE_DIGITS, index))
    assert (caught.value.code, caught.value.message) == ("check_digit", message)


@pytest.mark.parametrize("index", [0, 4, 10, 20, 30, 43])
def test_a_changed_digit_in_the_barcode_is_refused(index):
    with pytest.raises(DomainError) as caught:
        parse_boleto(_change(EXAMPLE_BARCODE, index))
    assert caught.value.code == "check_digit"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (EXAMPLE_DIGITS[:-1], "length"),
        (EXAMPLE_BARCODE + "1", "length"),
        ("8" * 48, "length"),  # arrecadação/convênio slip
        ("", "length"),
        (EXAMPLE_DIGITS[:-1] + "X", "format"),
        (EXAMPLE_LINE.replace(" ", "/"), "format"),
    ],
)
def test_parse_boleto_refuses_wrong_lengths_and_characters(text, code):
    with pytest.raises(DomainError) as caught:
        parse_boleto(text)
    assert caught.value.code == code


def test_parse_boleto_refuses_a_currency_other_than_the_real():
    body = "0018" + "1016" + "0000015075" + "0000002812345670000012318"
    barcode = body[:4] + str(mod11_general(body)) + body[4:]
    with pytest.raises(DomainError) as caught:
        parse_boleto(barcode)
    assert (caught.value.code, caught.value.message) == (
        "format",
        "Código da moeda do boleto deve ser 9 (real)",
    )


def test_build_barcode_reproduces_the_published_example():
    free = "0000002812345670000012318"
    assert build_barcode("001", date(2025, 3, 10), 15075, free) == EXAMPLE_BARCODE


@pytest.mark.parametrize(
    ("bank", "due_on", "amount_cents"),
    [
        ("341", date(2026, 11, 10), 123456),
        ("237", date(2025, 2, 21), 1),
        ("104", date(2025, 2, 22), 99_999_999_99),
        ("033", None, 0),
    ],
)
def test_a_built_barcode_parses_back_to_its_parts(bank, due_on, amount_cents):
    free = "1090086120772730714446400"
    boleto = parse_boleto(
        format_digitable_line(barcode_to_line(build_barcode(bank, due_on, amount_cents, free)))
    )
    assert (boleto.bank, boleto.amount_cents, boleto.free_field) == (bank, amount_cents, free)
    assert boleto.due_on(date(2026, 1, 1)) == due_on


def test_a_boleto_without_due_date_has_factor_zero():
    barcode = build_barcode("001", None, 500, "0" * 25)
    assert barcode[5:9] == "0000"
    assert parse_boleto(barcode).due_factor == 0


@pytest.mark.parametrize(
    ("bank", "amount_cents", "free", "code"),
    [
        ("01", 100, "0" * 25, "format"),
        ("001", 100, "0" * 24, "format"),
        ("001", -1, "0" * 25, "negative"),
        ("001", 10**10, "0" * 25, "format"),
    ],
)
def test_build_barcode_refuses_parts_that_do_not_fit(bank, amount_cents, free, code):
    with pytest.raises(DomainError) as caught:
        build_barcode(bank, date(2026, 1, 1), amount_cents, free)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("due_on", "factor"),
    [
        (date(1997, 10, 8), 1),
        (date(2000, 7, 3), 1000),
        (date(2025, 2, 21), 9999),  # last day of the first cycle
        (date(2025, 2, 22), 1000),  # the restart
        (date(2025, 3, 10), 1016),
        (date(2049, 10, 13), 9999),
        (date(2049, 10, 14), 1000),  # the next restart, 9000 days later
    ],
)
def test_due_factor_counts_days_and_restarts_at_1000(due_on, factor):
    assert due_factor(due_on) == factor


def test_due_factor_refuses_a_date_before_the_base():
    with pytest.raises(DomainError) as caught:
        due_factor(date(1997, 10, 7))
    assert caught.value.code == "due_date_range"


@pytest.mark.parametrize(
    ("factor", "dates"),
    [
        (1000, [date(2000, 7, 3), date(2025, 2, 22)]),
        (1016, [date(2000, 7, 19), date(2025, 3, 10)]),
        (9999, [date(2025, 2, 21), date(2049, 10, 13)]),
        (500, [date(1999, 2, 19)]),
        (0, []),
    ],
)
def test_due_dates_for_factor_lists_the_candidate_of_each_cycle(factor, dates):
    assert due_dates_for_factor(factor) == dates


@pytest.mark.parametrize(
    ("factor", "reference", "due_on"),
    [
        (1016, date(2025, 3, 1), date(2025, 3, 10)),
        (1016, date(2000, 7, 1), date(2000, 7, 19)),
        (9999, date(2025, 2, 10), date(2025, 2, 21)),
        (1000, date(2025, 2, 10), date(2025, 2, 22)),
        (1005, date(2049, 10, 1), date(2049, 10, 19)),
        (0, date(2026, 1, 1), None),
    ],
)
def test_due_date_from_factor_picks_the_candidate_nearest_the_reference(factor, reference, due_on):
    assert due_date_from_factor(factor, reference) == due_on


def test_boleto_matching_its_invoice_passes():
    boleto = parse_boleto(EXAMPLE_LINE)
    # Both are compared (a zero factor or amount would be skipped, and the check prove nothing).
    assert boleto.due_factor and boleto.amount_cents == 15075
    check_boleto_matches(boleto, due_on=date(2025, 3, 10), amount_cents=15075)  # raises nothing


@pytest.mark.parametrize(
    ("due_on", "amount_cents", "code"),
    [
        (date(2025, 3, 11), 15075, "due_date_mismatch"),
        (date(2025, 3, 10), 15076, "amount_mismatch"),
    ],
)
def test_boleto_differing_from_its_invoice_is_refused(due_on, amount_cents, code):
    with pytest.raises(DomainError) as caught:
        check_boleto_matches(parse_boleto(EXAMPLE_LINE), due_on=due_on, amount_cents=amount_cents)
    assert caught.value.code == code
