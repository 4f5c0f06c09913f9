import pytest

from espaco.domain.errors import DomainError
from espaco.domain.fiscal import (
    FISCAL_KIND_LABELS,
    format_access_key,
    nfe_key_check_digit,
    validate_access_key,
    validate_nfe_key,
    validate_nfse_key,
)

# The sample NF-e of the SEFAZ Manual de Integração do Contribuinte (its XML
# example, Id "NFe3508..."), and two keys published in explanations of the
# key's layout (an NFC-e from Amazonas and an NF-e from Rio de Janeiro).
PUBLISHED_KEYS = [
    "35080599999090910270550010000000015180051273",
    "13181017921427000125650010000000309887251170",
    "33150308370779000149550010001100931002410775",
]


def _key(cnpj: str, dv: str = "") -> str:
    # cUF 35 (SP), AAMM 2610, CNPJ, model 55, series 001, number 123,
    # tpEmis 1, cNF 00001234.
    return "35" + "2610" + cnpj + "55" + "001" + "000000123" + "1" + "00001234" + dv


@pytest.mark.parametrize("key", PUBLISHED_KEYS)
def test_published_nfe_keys_are_valid(key):
    assert nfe_key_check_digit(key[:43]) == key[43]
    assert validate_nfe_key(key) == key


def test_a_key_built_from_its_parts_with_an_alphanumeric_cnpj_is_valid():
    body = _key("12ABC34501DE35")
    key = body + nfe_key_check_digit(body)
    assert len(key) == 44
    assert validate_nfe_key(key.lower()) == key


@pytest.mark.parametrize(
    ("first43", "dv"),
    [
        # Worked by hand; the weights run 2, 3, ..., 9, 2, 3, ... from the right.
        ("0" * 43, "0"),  # remainder 0 -> 0
        ("0" * 42 + "1", "9"),  # 1 x 2 = 2 -> 11 - 2 = 9
        ("0" * 42 + "5", "1"),  # 5 x 2 = 10 -> 11 - 10 = 1
        ("0" * 41 + "60", "4"),  # 6 x 3 = 18, remainder 7 -> 11 - 7 = 4
        ("0" * 41 + "40", "0"),  # 4 x 3 = 12, remainder 1 -> 0
        ("0" * 35 + "1" + "0" * 7, "2"),  # 8th from the right, weight 9 -> 11 - 9 = 2
        ("0" * 34 + "1" + "0" * 8, "9"),  # 9th from the right, weight 2 again
        ("0" * 37 + "2" + "0" * 5, "8"),  # 6th from the right: 2 x 7 = 14, remainder 3 -> 8
    ],
)
def test_nfe_check_digit_uses_weights_two_to_nine_from_the_right(first43, dv):
    assert nfe_key_check_digit(first43) == dv


def test_nfe_check_digit_values_a_letter_as_its_code_minus_48():
    # "A" is worth ord("A") - 48 = 17; at index 19 (the CNPJ's last position,
    # 24th from the right) its weight is 9: 153 mod 11 = 10 -> DV 11 - 10 = 1.
    body = "0" * 19 + "A" + "0" * 23
    assert nfe_key_check_digit(body) == "1"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (PUBLISHED_KEYS[0][:-1], "length"),
        (PUBLISHED_KEYS[0] + "0", "length"),
        ("", "length"),
        ("A" + PUBLISHED_KEYS[0][1:], "format"),  # letters only in the CNPJ positions
        (PUBLISHED_KEYS[0][:43] + "A", "format"),
        (PUBLISHED_KEYS[0][:43] + "4", "check_digit"),
        (PUBLISHED_KEYS[0][:10] + "8" + PUBLISHED_KEYS[0][11:], "check_digit"),
    ],
)
def test_validate_nfe_key_refuses_with_a_code(text, code):
    with pytest.raises(DomainError) as caught:
        validate_nfe_key(text)
    assert caught.value.code == code


@pytest.mark.parametrize(
    "text",
    [
        "3508 0599 9990 9091 0270 5500 1000 0000 0151 8005 1273",
        "NFe35080599999090910270550010000000015180051273",
    ],
)
def test_validate_nfe_key_accepts_the_danfe_grouping_and_the_xml_id(text):
    assert validate_nfe_key(text) == PUBLISHED_KEYS[0]


NFSE_KEY = "35095082" + "2" + "12345678000195" + "0000000000123" + "2610" + "123456789" + "1"


def test_validate_nfse_key_takes_fifty_digits():
    assert len(NFSE_KEY) == 50
    assert validate_nfse_key(" ".join(NFSE_KEY[i : i + 10] for i in range(0, 50, 10))) == NFSE_KEY


@pytest.mark.parametrize(
    ("text", "code"),
    [(NFSE_KEY[:-1], "length"), (NFSE_KEY + "1", "length"), (NFSE_KEY[:-1] + "X", "format")],
)
def test_validate_nfse_key_checks_length_and_digits(text, code):
    with pytest.raises(DomainError) as caught:
        validate_nfse_key(text)
    assert caught.value.code == code


@pytest.mark.parametrize(("kind", "key"), [("nfe", PUBLISHED_KEYS[1]), ("nfse", NFSE_KEY)])
def test_validate_access_key_dispatches_on_the_kind(kind, key):
    assert validate_access_key(kind, key) == key


def test_validate_access_key_refuses_an_unknown_kind():
    with pytest.raises(DomainError) as caught:
        validate_access_key("cte", PUBLISHED_KEYS[0])  # type: ignore[arg-type]
    assert caught.value.code == "kind"


def test_format_access_key_groups_by_four():
    assert (
        format_access_key(PUBLISHED_KEYS[0])
        == "3508 0599 9990 9091 0270 5500 1000 0000 0151 8005 1273"
    )
    assert format_access_key(NFSE_KEY).count(" ") == 12


def test_fiscal_kind_labels_name_the_documents():
    assert FISCAL_KIND_LABELS == {"nfe": "NF-e", "nfse": "NFS-e"}
