import pytest

from espaco.domain.documents import (
    cnpj_check_digits,
    cpf_check_digits,
    document_kind,
    format_cnpj,
    format_cpf,
    format_document,
    is_valid_cnpj,
    is_valid_cpf,
    mask_cpf,
    mask_document,
    normalize_document,
    validate_document,
)
from espaco.domain.errors import DomainError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("123.456.789-09", "12345678909"),
        (" 12.abc.345/01de-35 ", "12ABC34501DE35"),
        ("12 ABC 345 01DE 35", "12ABC34501DE35"),
        ("11.222.333/0001\u201381", "11222333000181"),  # en dash pasted from a document
        ("", ""),
    ],
)
def test_normalize_document_strips_punctuation_and_upper_cases(text, expected):
    assert normalize_document(text) == expected


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("123.456.789-09", True),
        ("390.533.447-05", True),  # python-stdnum's documented example
        ("12345678909", True),
        ("123.456.789-08", False),
        ("123.456.789-90", False),
        ("111.111.111-11", False),  # all digits equal: passes mod 11, never issued
        ("000.000.000-00", False),
        ("1234567890", False),
        ("123456789012", False),
        ("1234567890A", False),
        ("", False),
    ],
)
def test_is_valid_cpf_checks_both_digits_and_refuses_repeated_digits(text, valid):
    assert is_valid_cpf(text) is valid


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("12.ABC.345/01DE-35", True),  # Receita Federal's alphanumeric example
        ("12.abc.345/01de-35", True),
        ("12.ABC.345/01DE-36", False),
        ("12.ABC.345/01DE-53", False),
        ("11.222.333/0001-81", True),
        ("11.222.333/0001-82", False),
        ("11.111.111/1111-11", False),
        ("00.000.000/0000-00", False),
        ("12.ABC.345/01DE-3A", False),  # check digits are always digits
        ("12.AB@.345/01DE-35", False),
        ("12.ABC.345/01DE-3", False),
    ],
)
def test_is_valid_cnpj_accepts_the_alphanumeric_cnpj(text, valid):
    assert is_valid_cnpj(text) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("123.456.789-09", "12345678909"),
        ("12.abc.345/01de-35", "12ABC34501DE35"),
        ("11222333000181", "11222333000181"),
    ],
)
def test_validate_document_returns_the_normalised_document(text, expected):
    assert validate_document(text) == expected


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("123.456.789-08", "check_digit", "CPF com dígito verificador inválido"),
        ("12.ABC.345/01DE-36", "check_digit", "CNPJ com dígito verificador inválido"),
        ("111.111.111-11", "check_digit", "CPF com dígito verificador inválido"),
        ("1234567890A", "format", "CPF deve ter 11 dígitos"),
        (
            "12.ABC.345/01DE-3A",
            "format",
            "CNPJ deve ter 12 letras ou números seguidos de 2 dígitos",
        ),
        ("12345", "format", "Documento deve ser um CPF (11 dígitos) ou um CNPJ (14 caracteres)"),
        ("  ", "format", "Informe um CPF ou CNPJ"),
    ],
)
def test_validate_document_refuses_with_a_code_and_a_portuguese_message(text, code, message):
    with pytest.raises(DomainError) as caught:
        validate_document(text)
    assert (caught.value.code, str(caught.value)) == (code, message)


@pytest.mark.parametrize(
    ("normalised", "kind"),
    [("12345678909", "cpf"), ("12ABC34501DE35", "cnpj"), ("11222333000181", "cnpj")],
)
def test_document_kind_is_told_by_length(normalised, kind):
    assert document_kind(normalised) == kind


def test_document_kind_refuses_other_lengths():
    with pytest.raises(DomainError) as caught:
        document_kind("123")
    assert caught.value.code == "format"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12345678909", "123.456.789-09"),
        ("12ABC34501DE35", "12.ABC.345/01DE-35"),
        ("11222333000181", "11.222.333/0001-81"),
    ],
)
def test_format_document_uses_the_receita_federal_presentation(text, expected):
    assert format_document(text) == expected


def test_format_cpf_and_format_cnpj_accept_punctuated_input():
    assert format_cpf("123.456.789-09") == "123.456.789-09"
    assert format_cnpj("12abc34501de35") == "12.ABC.345/01DE-35"


@pytest.mark.parametrize("bad", ["123", "123456789012345"])
def test_format_cpf_refuses_a_wrong_length(bad):
    with pytest.raises(DomainError):
        format_cpf(bad)


@pytest.mark.parametrize(
    ("normalised", "shown"),
    [
        ("12345678909", "***.456.789-**"),
        ("39053344705", "***.533.447-**"),
        ("12ABC34501DE35", "12.ABC.345/01DE-35"),
    ],
)
def test_mask_document_hides_a_cpf_and_shows_a_cnpj(normalised, shown):
    assert mask_document(normalised) == shown


def test_mask_cpf_keeps_only_the_middle_six_digits():
    assert mask_cpf("123.456.789-09") == "***.456.789-**"


@pytest.mark.parametrize(
    ("first9", "digits"), [("123456789", "09"), ("390533447", "05"), ("000000001", "91")]
)
def test_cpf_check_digits_complete_a_valid_cpf(first9, digits):
    assert cpf_check_digits(first9) == digits
    assert is_valid_cpf(first9 + digits)


@pytest.mark.parametrize(
    ("first12", "digits"),
    [("12ABC34501DE", "35"), ("12abc34501de", "35"), ("112223330001", "81")],
)
def test_cnpj_check_digits_complete_a_valid_cnpj(first12, digits):
    assert cnpj_check_digits(first12) == digits
    assert is_valid_cnpj(first12 + digits)


@pytest.mark.parametrize("bad", ["12345678", "1234567890", "12345678A"])
def test_cpf_check_digits_refuse_a_base_that_is_not_nine_digits(bad):
    with pytest.raises(DomainError) as caught:
        cpf_check_digits(bad)
    assert caught.value.code == "format"


@pytest.mark.parametrize("bad", ["12ABC34501D", "12ABC34501DE3", "12ABC-34501D"])
def test_cnpj_check_digits_refuse_a_base_that_is_not_twelve_characters(bad):
    with pytest.raises(DomainError) as caught:
        cnpj_check_digits(bad)
    assert caught.value.code == "format"
