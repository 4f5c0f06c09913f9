import pytest

from espaco.domain.errors import DomainError
from espaco.domain.pix import ascii_upper, build_static_brcode, crc16, parse_brcode

# Banco Central, Manual do BR Code: example static payload.
BCB_EXAMPLE = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)


def test_crc16_of_the_banco_central_example_is_1d3d():
    assert crc16(BCB_EXAMPLE[:-4]) == "1D3D"


def test_crc16_matches_the_ccitt_false_check_value():
    assert crc16("123456789") == "29B1"


def test_banco_central_example_parses_into_its_fields():
    assert parse_brcode(BCB_EXAMPLE) == {
        "00": "01",
        "26": "0014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000",
        "26.00": "br.gov.bcb.pix",
        "26.01": "123e4567-e12b-12d1-a456-426655440000",
        "52": "0000",
        "53": "986",
        "58": "BR",
        "59": "Fulano de Tal",
        "60": "BRASILIA",
        "62": "0503***",
        "62.05": "***",
        "63": "1D3D",
    }


def test_a_lower_case_crc_and_surrounding_spaces_are_accepted():
    assert parse_brcode(f"  {BCB_EXAMPLE[:-4]}1d3d\n")["63"] == "1d3d"


@pytest.mark.parametrize(
    ("original", "changed"),
    [
        ("Fulano", "Fulana"),
        ("BRASILIA", "BRASILIO"),
        ("0503***", "0503**A"),
        ("63041D3D", "63041D3E"),
    ],
)
def test_one_changed_character_fails_the_crc(original, changed):
    with pytest.raises(DomainError) as caught:
        parse_brcode(BCB_EXAMPLE.replace(original, changed))
    assert caught.value.code == "crc"


@pytest.mark.parametrize(
    "payload",
    [
        "",
        BCB_EXAMPLE[:-1],  # truncated CRC
        BCB_EXAMPLE[:-8],  # no field 63
        BCB_EXAMPLE.replace("5913Fulano", "5999Fulano"),  # length past the end
        BCB_EXAMPLE.replace("000201", "000202"),  # payload format indicator must be 01
        BCB_EXAMPLE.replace("0014br.gov", "0099br.gov"),  # broken nested template
        "0002016304" + crc16("0002016304"),  # right CRC, but none of the mandatory fields
        "000201" + "6303ABC",  # field 63 must hold four characters
        BCB_EXAMPLE.replace("5802BR", ""),  # country code is mandatory
        "0A02016304ABCD",
    ],
)
def test_a_broken_tlv_is_a_format_error(payload):
    with pytest.raises(DomainError) as caught:
        parse_brcode(payload)
    assert caught.value.code == "format"


def test_builder_reproduces_the_banco_central_layout_with_the_name_upper_cased():
    body = BCB_EXAMPLE[:-4].replace("Fulano de Tal", "FULANO DE TAL")
    built = build_static_brcode(
        "123e4567-e12b-12d1-a456-426655440000", "Fulano de Tal", "Brasília", None
    )
    assert built == body + crc16(body)


@pytest.mark.parametrize(
    ("amount_cents", "txid", "amount_field"),
    [(123456, "FAT2026100001", "1234.56"), (5, "***", "0.05"), (None, "abcXYZ019", None)],
)
def test_a_built_brcode_parses_back_to_what_went_in(amount_cents, txid, amount_field):
    payload = build_static_brcode(
        "12ABC34501DE35",
        "Coleta Ambiental São João Ltda",
        "São José dos Campos",
        amount_cents,
        txid,
    )
    fields = parse_brcode(payload)
    assert fields["26.00"] == "br.gov.bcb.pix"
    assert fields["26.01"] == "12ABC34501DE35"
    assert fields["52"] == "0000"
    assert fields["53"] == "986"
    assert fields.get("54") == amount_field
    assert fields["58"] == "BR"
    assert fields["59"] == "COLETA AMBIENTAL SAO JOAO"  # 25 characters
    assert fields["60"] == "SAO JOSE DOS CA"  # 15 characters
    assert fields["62.05"] == txid


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("São Paulo", "SAO PAULO"),
        ("Conceição  do   Araguaia", "CONCEICAO DO ARAGUAIA"),
        ("Ñandú", "NANDU"),
    ],
)
def test_ascii_upper_removes_accents_and_upper_cases(text, folded):
    assert ascii_upper(text) == folded


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"key": ""}, "format"),
        ({"key": "x" * 78}, "format"),
        ({"name": "   "}, "format"),
        ({"city": "漢字"}, "format"),
        ({"txid": "FAT-0001"}, "format"),
        ({"txid": "A" * 26}, "format"),
        ({"amount_cents": 0}, "amount"),
        ({"amount_cents": -100}, "amount"),
    ],
)
def test_build_static_brcode_refuses_what_the_manual_does_not_allow(kwargs, code):
    arguments = {
        "key": "pix@example.com",
        "name": "Fulano",
        "city": "Campinas",
        "amount_cents": 100,
    }
    with pytest.raises(DomainError) as caught:
        build_static_brcode(**(arguments | kwargs))
    assert caught.value.code == code
