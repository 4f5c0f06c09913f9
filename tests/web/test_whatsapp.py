""" "Enviar pelo WhatsApp" on the boleto page and on each ticket of the Coletas table: a plain
``https://wa.me/?text=…`` link (no JavaScript, no number), opening in a new tab, whose text
survives odd characters in the provider's and the place's names."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from urllib.parse import parse_qs, urlsplit

import coletas_samples as cs
import import_samples as s
import pytest
from litestar.testing import TestClient
from support import call, login, soup

from espaco.app import create_app
from espaco.domain.whatsapp import MAX_URL, boleto_text, link, ticket_text
from espaco.tables import Collection, Invoice
from espaco.web.coletas import TicketShare

ODD_PROVIDER = 'Verde & Campo #1 + 100% "Ambiental"  <Ltda>'
ODD_PLACE = "Obra Sul; Galpão 2 & 3 #fundos + 50% ‘aspas’ 🚛"


@pytest.fixture
def portal(settings):
    odd = replace(settings, provider_name=ODD_PROVIDER)
    with TestClient(create_app(odd), base_url="http://portal.example.com.br") as web:
        doc = s.document(
            clients=[s.client(1, locations=[s.location(1, label=ODD_PLACE)])],
            invoices=[
                s.invoice(1, "CLI-1"),
                s.invoice(2, "CLI-1", status="paid", paid_on="2026-11-09", paid_amount="1234.58"),
            ],  # fmt: skip
            collections=[
                cs.collection(1, performed_at="2026-10-05T09:32:00-03:00"),
                cs.collection(
                    2,
                    status="scheduled",
                    scheduled_on="2026-12-20",
                    performed_at=None,
                    mtr_number=None,
                    mtr_status=None,
                ),  # fmt: skip
            ],
        )
        call(web, cs.seed, odd, doc)
        login(web)
        yield web


def _text(href: str) -> str:
    parts = urlsplit(href)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://wa.me/"
    (text,) = parse_qs(parts.query, strict_parsing=True)["text"]
    return text


def _ids(web) -> dict[str, int]:
    async def read():
        invoices = await Invoice.select(Invoice.id, Invoice.external_id)
        collections = await Collection.select(Collection.id, Collection.external_id)
        return {r["external_id"]: r["id"] for r in [*invoices, *collections]}

    return call(web, read)


def test_the_boleto_page_links_its_text_to_whatsapp(portal):
    ids = _ids(portal)
    page = soup(portal.get(f"/financeiro/{ids['FAT-1']}/boleto"))
    (share,) = [a for a in page.select("a") if a.get_text(strip=True) == "Enviar pelo WhatsApp"]
    assert share["target"] == "_blank" and "noopener" in share["rel"]
    text = _text(share["href"])
    line = page.select_one("#linha-digitavel").get_text(" ", strip=True)
    assert text == boleto_text(ODD_PROVIDER, 123457, date(2026, 11, 10), line)
    assert "R$ 1.234,57" in text and "vencimento 10/11/2026" in text and line in text
    assert 'Verde & Campo #1 + 100% "Ambiental" <Ltda>' in text  # on one line, whole
    assert len(share["href"]) <= MAX_URL
    assert "&" not in share["href"].split("?", 1)[1].replace("&amp;", "")


def test_a_paid_boleto_offers_nothing_to_send(portal):
    ids = _ids(portal)
    page = soup(portal.get(f"/financeiro/{ids['FAT-2']}/boleto"))
    assert not page.select("a[href^='https://wa.me/']")


def test_each_ticket_in_the_coletas_table_has_its_whatsapp_link(portal):
    ids = _ids(portal)
    page = soup(portal.get("/coletas", params={"inicio": "2026-10-01", "fim": "2026-12-31"}))
    shares = page.select("a[href^='https://wa.me/']")
    assert len(shares) == 1  # the realizada; an agendada has no ticket yet
    (share,) = shares
    assert share.get_text() == "WhatsApp" and "WhatsApp" in share["aria-label"]
    assert share["target"] == "_blank" and "noopener" in share["rel"]
    url = f"http://portal.example.com.br/coletas/{ids['COL-1']}/ticket.pdf"
    expected = ticket_text(ODD_PROVIDER, date(2026, 10, 5), ODD_PLACE, url)
    assert _text(share["href"]) == expected
    assert share["href"] == link(expected)  # the cached pieces give the domain's own link
    assert len(share["href"]) <= MAX_URL


@pytest.mark.parametrize(
    "place",
    ["Matriz", "Filial 01/01/2000 & Cia #2 + 100%", 'Pátio "B"\nDoca 3 🚛', "x" * 300],
)
def test_each_rows_cached_link_is_the_link_of_its_whole_text(place: str) -> None:
    share = TicketShare("Ambiental Ltda; ", "https://portal.example")
    for day in (date(2026, 1, 1), date(2000, 1, 1), date(2026, 11, 28)):
        url = "https://portal.example/coletas/42/ticket.pdf"
        expected = link(ticket_text("Ambiental Ltda; ", day, place, url))
        assert share.link(42, day, place) == expected
