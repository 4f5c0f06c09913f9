""" "Enviar pelo WhatsApp": the wa.me link carries the whole text percent-encoded, whatever
characters the names hold, and stays short enough for any browser and WhatsApp client."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from espaco.domain.whatsapp import MAX_URL, NAME_LIMIT, boleto_text, link, short, ticket_text

LINE = "34191.09008 00000.000016 00000.000013 1 12340000123457"
ODD = [
    "Verde Campo Ambiental Ltda",
    "A&B Resíduos #1 + 100% limpo",
    "Linha\nquebrada\r\ne\ttab",
    "Aspas \"duplas\" e 'simples' <tag> ?x=1&y=2",
    "🚛" * 200,
    "ç" * 500,
]


def _text_of(url: str) -> str:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/")
    (text,) = parse_qs(parts.query, strict_parsing=True)["text"]
    return text


@pytest.mark.parametrize("name", ODD)
def test_the_boleto_text_survives_the_link_whole_and_short(name):
    text = boleto_text(name, 123457, date(2026, 12, 10), LINE)
    url = link(text)
    assert _text_of(url) == text
    assert len(url) <= MAX_URL
    assert set(url[len("https://wa.me/?text=") :]) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%-._~"
    )
    assert "R$ 1.234,57" in text and "vencimento 10/12/2026" in text and LINE in text


@pytest.mark.parametrize("name", ODD)
def test_the_ticket_text_survives_the_link_whole_and_short(name):
    url_in_text = "https://portal.example.com.br/coletas/123/ticket.pdf"
    text = ticket_text(name, date(2026, 11, 27), name, url_in_text)
    url = link(text)
    assert _text_of(url) == text and len(url) <= MAX_URL
    assert url_in_text in text and "27/11/2026" in text


def test_names_are_put_on_one_line_and_cut_with_an_ellipsis():
    assert short("Linha\nquebrada\r\n  e\ttab") == "Linha quebrada e tab"
    long = short("x" * 100)
    assert len(long) == NAME_LIMIT and long.endswith("…")
    assert short("curto") == "curto"


def test_an_ampersand_or_hash_in_a_name_cannot_end_the_parameter():
    url = link("A&text=B#C")
    assert "&" not in url and "#" not in url and _text_of(url) == "A&text=B#C"
