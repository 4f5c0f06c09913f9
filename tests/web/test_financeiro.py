"""/financeiro over HTTP: the page and its htmx fragment, the period filter, the note, the
boleto and its PDF, and another client's ids answering 404."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

from bs4 import BeautifulSoup
from conftest import make_settings
from factories import make_client
from financeiro_factories import make_invoice
from i2of5 import bars_from_pdf, decode_i2of5
from litestar.testing import TestClient
from pypdf import PdfReader
from support import HX, app_client, call, client_login, soup

from espaco.domain.boleto import format_digitable_line
from espaco.domain.pix import build_static_brcode, parse_brcode
from espaco.services.operations.media import MediaStore
from espaco.tables import Boleto, FiscalDocument


def today() -> date:
    return datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("America/Sao_Paulo")).date()


def logged_in(web: TestClient) -> int:
    client_id, code = call(
        web, make_client, name="Padaria Pão Quente Ltda", document="12ABC34501DE35"
    )
    assert client_login(web, "12ABC34501DE35", code).status_code == 303
    return client_id


def card(page: BeautifulSoup, name: str) -> str:
    return " ".join(page.select_one(f"#card-{name}").get_text(" ").split())


def test_financeiro_needs_a_session(web):
    response = web.get("/financeiro", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/entrar?volta=%2Ffinanceiro"
    assert web.get("/financeiro/1/boleto.pdf", follow_redirects=False).status_code == 303


def test_page_shows_the_four_cards_and_the_closures_of_the_year(web):
    client_id = logged_in(web)
    t = today()
    call(
        web,
        make_invoice,
        client_id,
        date(t.year, 1, 10),
        100_00,
        status="paid",
        paid_on=date(t.year, 1, 9),
    )
    call(web, make_invoice, client_id, date(t.year, 12, 31), 250_50)
    call(web, make_invoice, client_id, date(t.year, 1, 20), 70_00, status="cancelled")
    page = soup(web.get("/financeiro").text)
    assert page.select_one("nav a[aria-current=page]").text == "Financeiro"
    assert "R$ 100,00" in card(page, "pago") and "1 fatura" in card(page, "pago")
    assert "R$ 350,50" in card(page, "geral") and "2 faturas" in card(page, "geral")
    assert "deixada de fora" in page.select_one("#canceladas").text
    rows = page.select("#fechamentos tbody tr")
    assert len(rows) == 3
    assert "paga em 09/01" in rows[-1].text or "paga em 09/01" in page.text
    assert page.select_one("svg.grafico title").text.startswith("Faturado e pago")
    assert len(page.select("svg.grafico rect")) == 24


def test_em_aberto_is_everything_unpaid_and_says_how_much_of_it_is_overdue(web):
    client_id = logged_in(web)
    t = today()
    call(web, make_invoice, client_id, t - timedelta(days=3), 1_036_45)  # vencida
    call(web, make_invoice, client_id, t + timedelta(days=3), 710_05)  # a vencer
    call(web, make_invoice, client_id, t - timedelta(days=1), 50_00, status="paid", paid_on=t)
    inicio, fim = (t - timedelta(days=40)).isoformat(), (t + timedelta(days=40)).isoformat()
    page = soup(web.get(f"/financeiro?inicio={inicio}&fim={fim}").text)
    aberto = card(page, "aberto")
    assert aberto.startswith("Em aberto R$ 1.746,50 2 faturas"), aberto
    assert "dos quais vencido R$ 1.036,45 (1 fatura)" in aberto
    assert [h.get_text() for h in page.select(".cartoes h3")] == [
        "Em aberto",
        "Pago",
        "Geral do período",
    ]
    assert "R$ 1.796,50" in card(page, "geral")


def test_no_overdue_line_when_nothing_is_overdue(web):
    client_id = logged_in(web)
    call(web, make_invoice, client_id, today() + timedelta(days=3), 710_05)
    page = soup(web.get("/financeiro").text)
    assert page.select_one("#card-vencido") is None
    assert "R$ 710,05" in card(page, "aberto")


def test_htmx_period_change_swaps_only_the_fragment(web):
    client_id = logged_in(web)
    call(web, make_invoice, client_id, date(2024, 5, 10), 12_34)
    full = web.get("/financeiro?inicio=2024-01-01&fim=2024-12-31")
    fragment = web.get("/financeiro?inicio=2024-01-01&fim=2024-12-31", headers=HX)
    assert "<html" in full.text and "<html" not in fragment.text
    part = soup(fragment.text)
    assert part.select_one("div#financeiro") is not None
    assert "R$ 12,34" in card(part, "geral")
    assert part.select_one("#inicio")["value"] == "2024-01-01"
    form = part.select_one("form")
    assert form["action"] == "/financeiro" and form["hx-get"] == "/financeiro"
    assert form["hx-push-url"] == "true" and form["method"] == "get"
    assert "HX-Request" in fragment.headers["vary"]
    assert len(gzip.compress(fragment.content)) < 8 * 1024


def test_presets_and_invalid_dates(web):
    logged_in(web)
    t = today()
    page = soup(web.get("/financeiro?periodo=ano-passado").text)
    assert page.select_one("#inicio")["value"] == f"{t.year - 1}-01-01"
    assert page.select_one("a[aria-current=page][hx-get]").text == "Ano passado"
    bad = web.get("/financeiro?inicio=2026-02-31&fim=2026-03-01")
    assert bad.status_code == 422 and "Data inválida" in bad.text
    backwards = web.get("/financeiro?inicio=2026-05-01&fim=2026-03-01")
    assert backwards.status_code == 422 and "posterior" in backwards.text


def test_note_opens_as_fragment_and_as_page_with_its_files(web, settings):
    client_id = logged_in(web)
    store = MediaStore.for_settings(settings)
    xml = store.store_document(b'<?xml version="1.0"?><NFSe><n>1</n></NFSe>', "xml")
    invoice = call(web, make_invoice, client_id, today(), 150_075, fiscal="nfe", xml_path=xml)
    fragment = soup(web.get(f"/financeiro/{invoice}/nota", headers=HX).text)
    section = fragment.select_one("section#nota-detalhe")
    assert section is not None and "NF-e" in section.h2.text
    key = section.select_one(".chave").text
    assert re.fullmatch(r"(\d{4} ){10}\d{4}", key)
    assert "R$ 1.500,75" in section.text and "Coleta de resíduos" in section.text
    full = web.get(f"/financeiro/{invoice}/nota")
    assert "<html" in full.text and 'id="nota-detalhe"' in full.text
    got = web.get(f"/financeiro/{invoice}/nota.xml")
    assert got.status_code == 200 and got.content.startswith(b"<?xml")
    assert "attachment" in got.headers["content-disposition"]
    summary = web.get(f"/financeiro/{invoice}/nota.pdf")
    assert summary.headers["content-type"] == "application/pdf"
    text = PdfReader(BytesIO(summary.content)).pages[0].extract_text()
    assert "R$ 1.500,75" in text and "Padaria Pão Quente Ltda" in text and "—" in text


def test_boleto_page_pdf_text_and_barcode(web):
    client_id = logged_in(web)
    due = today() + timedelta(days=10)
    invoice = call(web, make_invoice, client_id, due, 150_075)
    page = soup(web.get(f"/financeiro/{invoice}/boleto").text)
    line = page.select_one("#linha-digitavel").text
    groups = [g.text for g in page.select("#linha-digitavel > span.nowrap")]
    assert " ".join(groups) == line and len(groups) == 5  # wraps between groups only
    assert page.select_one("[data-copiar=linha-digitavel]") is not None
    assert page.select_one('script[src*="copiar"][defer]') is not None
    response = web.get(f"/financeiro/{invoice}/boleto.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert line in text and "R$ 1.500,75" in text and "Padaria Pão Quente Ltda" in text
    assert "—" in text  # a TrueType font: the em dash prints
    assert any("DejaVu" in str(f) for f in _fonts(reader))
    barcode = call(web, _barcode_of, invoice)
    assert decode_i2of5(bars_from_pdf(response.content)) == barcode
    assert format_digitable_line(_line_of(barcode)) == line


def test_paid_and_cancelled_invoices_offer_no_payable_boleto(web):
    client_id = logged_in(web)
    paid = call(web, make_invoice, client_id, today(), 10_00, status="paid", paid_on=today())
    cancelled = call(web, make_invoice, client_id, today(), 10_00, status="cancelled")
    for invoice in (paid, cancelled):
        page = soup(web.get(f"/financeiro/{invoice}/boleto").text)
        assert page.select_one("#linha-digitavel") is None
        assert "não há boleto a pagar" in page.text
        assert web.get(f"/financeiro/{invoice}/boleto.pdf").status_code == 404
    table = soup(web.get("/financeiro").text)
    assert not table.select("a[href$='/boleto']")


def test_static_pix_qr_decodes_to_a_payload_with_a_right_crc(settings):
    import zxingcpp

    pix = make_settings(
        settings.data_dir,
        pix_key="financeiro@verdecampo.com.br",
        pix_name="Verde Campo Ambiental",
        pix_city="Campinas",
    )
    with app_client(pix) as web:
        client_id = logged_in(web)
        invoice = call(web, make_invoice, client_id, today() + timedelta(days=3), 150_075)
        page = soup(web.get(f"/financeiro/{invoice}/boleto").text)
    payload = page.select_one("#pix-copia-e-cola").text
    svg = page.select_one(".qr-codigo svg")
    assert svg is not None and svg["role"] == "img"
    image = _svg_qr_to_image(str(svg))
    [found] = zxingcpp.read_barcodes(image)
    assert found.text == payload
    fields = parse_brcode(found.text)  # raises unless the CRC is right
    assert fields["54"] == "1500.75" and fields["26.01"] == "financeiro@verdecampo.com.br"


def test_bank_pix_is_shown_as_given(web):
    client_id = logged_in(web)
    brcode = build_static_brcode("chave@banco.com.br", "Banco", "Sao Paulo", 10_00, "ABC123")
    invoice = call(web, make_invoice, client_id, today(), 10_00, pix=brcode)
    page = soup(web.get(f"/financeiro/{invoice}/boleto").text)
    assert page.select_one("#pix-copia-e-cola").text == brcode


def test_another_clients_invoice_note_xml_pdf_and_boleto_answer_404(web, settings):
    logged_in(web)
    other, _ = call(web, make_client, name="Outra Empresa Ltda")
    store = MediaStore.for_settings(settings)
    xml = store.store_document(b'<?xml version="1.0"?><NFSe/>', "xml")
    pdf = store.store_document(b"%PDF-1.4\n%%EOF\n", "pdf")
    theirs = call(web, make_invoice, other, today(), 10_00, xml_path=xml, pdf_path=pdf)
    for suffix in ("nota", "nota.pdf", "nota.xml", "boleto", "boleto.pdf"):
        response = web.get(f"/financeiro/{theirs}/{suffix}")
        assert response.status_code == 404, suffix
        assert "Outra Empresa" not in response.text
    assert web.get(f"/financeiro/{theirs + 1000}/boleto").status_code == 404


# -- helpers -----------------------------------------------------------------------------------
def _fonts(reader: PdfReader) -> list[object]:
    resources = reader.pages[0]["/Resources"]
    return [f.get_object()["/BaseFont"] for f in resources["/Font"].values()]


async def _barcode_of(invoice_id: int) -> str:
    row = await Boleto.select(Boleto.barcode).where(Boleto.invoice == invoice_id).first()
    assert row is not None
    return str(row["barcode"])


def _line_of(barcode: str) -> str:
    from espaco.domain.boleto import barcode_to_line

    return barcode_to_line(barcode)


def _svg_qr_to_image(svg: str):
    """Rasterise segno's SVG (one path of unit moves, scaled) into a PIL image for zxing."""
    from PIL import Image, ImageDraw

    width = int(float(re.search(r'width="([\d.]+)"', svg).group(1)))
    height = int(float(re.search(r'height="([\d.]+)"', svg).group(1)))
    scale_match = re.search(r"scale\(([\d.]+)\)", svg)
    scale = float(scale_match.group(1)) if scale_match else 1.0
    path = re.search(r'<path class="qrline"[^>]*\bd="([^"]+)"', svg).group(1)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for cmd, a, b in re.findall(r"([MmHhVv])(-?[\d.]+)(?:[ ,](-?[\d.]+))?", path):
        if cmd == "M":
            x, y = float(a), float(b)
        elif cmd == "m":
            x, y = x + float(a), y + float(b)
        elif cmd == "h":
            x2 = x + float(a)
            draw.rectangle([min(x, x2) * scale, (y - 0.5) * scale,
                            max(x, x2) * scale - 1, (y + 0.5) * scale - 1], fill=0)  # fmt: skip
            x = x2
        elif cmd == "H":
            x = float(a)
    return image


async def _mark_up_fiscal_number() -> None:
    await FiscalDocument.update({FiscalDocument.number: '9<b>"x&y'}).where(FiscalDocument.id > 0)


def test_a_fiscal_number_with_markup_is_shown_as_text(web):
    client_id = logged_in(web)
    t = today()
    call(web, make_invoice, client_id, date(t.year, 3, 10))
    call(web, _mark_up_fiscal_number)
    for headers in ({}, {"HX-Request": "true"}):
        page = soup(web.get("/financeiro", headers=headers).text)
        (row,) = page.select("#fechamentos tbody tr")
        assert row.select("b") == []
        assert 'NFS-e 9<b>"x&y' in row.get_text()


def test_the_chart_says_which_months_it_draws_labels_years_and_gives_its_values(web):
    client_id = logged_in(web)
    call(web, make_invoice, client_id, date(2025, 12, 10), 300_00)
    call(web, make_invoice, client_id, date(2026, 1, 10), 123_45, status="paid", paid_on=None)
    page = soup(web.get("/financeiro?inicio=2026-01-01&fim=2026-03-31").text)
    assert page.select_one("#grafico-titulo").get_text() == (
        "Faturado e pago por mês: abr/2025 a mar/2026"
    )
    svg = page.select_one("svg.grafico")
    labels = [t.get_text() for t in svg.select("text")]
    assert labels.count("2025") == 1 and labels.count("2026") == 1  # under abr and jan
    summary = svg.select_one("title").get_text()  # what a screen reader reads for the image
    assert "dez/2025: faturado R$ 300,00, pago R$ 0,00" in summary
    assert "jan/2026: faturado R$ 123,45, pago R$ 123,45" in summary
    rows = page.select("details.valores tbody tr")
    assert len(rows) == 12
    assert [c.get_text() for c in rows[9].find_all(["th", "td"])] == [
        "jan/2026",
        "R$ 123,45",
        "R$ 123,45",
    ]
