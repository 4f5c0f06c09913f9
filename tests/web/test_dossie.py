"""/coletas/dossie and the ZIP: what the page promises is what the ZIP holds, every file opens,
the index links them all, and another client's place is not found."""

from __future__ import annotations

import base64
import csv
import io
import re
import zipfile

import coletas_samples as cs
import import_samples as s
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from support import call, seed_and_log_in, soup

from espaco.tables import Location

Q4 = {"periodo": "2026-t4"}
CDF_PDF = b"%PDF-1.4\n% CDF 0001/2026\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOTA_PDF = b"%PDF-1.4\n% NF 1\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOTA_XML = b"<?xml version='1.0'?><nfeProc><NFe>1</NFe></nfeProc>"


def _inline(data: bytes, kind: str) -> dict:
    return {"base64": base64.b64encode(data).decode(), "content_type": kind}


def dossier_doc() -> dict:
    fiscal = s.invoice(1, "CLI-1")["fiscal_document"]
    fiscal.update(pdf=_inline(NOTA_PDF, "application/pdf"),
                  xml=_inline(NOTA_XML, "application/xml"))  # fmt: skip
    return s.document(
        clients=cs.clients(),
        invoices=[{**s.invoice(1, "CLI-1"), "fiscal_document": fiscal}, s.invoice(2, "CLI-2")],
        collections=[
            cs.with_photos(cs.collection(1, performed_at="2026-10-05T09:32:00-03:00"), 2),
            cs.collection(2, status="done", performed_at="2026-11-20T14:00:00-03:00",
                          location="LOC-3", mtr_number="260010679502"),
            cs.collection(3, performed_at="2026-07-05T09:00:00-03:00"),  # another quarter
            cs.collection(4, status="cancelled", performed_at=None, scheduled_on="2026-10-09"),
            cs.collection(9, "CLI-2", "LOC-2"),
        ],
        certificates=[
            s.certificate(1, "CLI-1", mtr_numbers=["260010679501"],
                          pdf=_inline(CDF_PDF, "application/pdf")),
            s.certificate(2, "CLI-2", mtr_numbers=["260010679509"],
                          pdf=_inline(CDF_PDF, "application/pdf")),
        ],
    )  # fmt: skip


@pytest.fixture
def seeded(web):
    return seed_and_log_in(web, dossier_doc())


def test_the_page_says_what_the_zip_holds_and_how_big(seeded):
    response = seeded.get("/coletas/dossie", params=Q4)
    assert response.status_code == 200
    page = soup(response)
    items = [li.get_text(" ", strip=True) for li in page.select(".dossie-itens li")]
    assert items[0].startswith("2 tickets") and items[1].startswith("1 CDF")
    assert items[2].startswith("2 arquivos de notas")
    assert re.fullmatch(r"[0-9.]+(,[0-9])? (KB|MB)", page.select_one("#dossie-tamanho").text)
    link = page.select_one('a[href^="/coletas/dossie.zip"]')["href"]
    assert link == "/coletas/dossie.zip?periodo=2026-t4"


def test_the_zip_holds_every_file_each_one_opens_and_the_index_links_them(seeded):
    response = seeded.get("/coletas/dossie.zip", params=Q4)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    assert "content-encoding" not in response.headers  # stored PDFs are not gzipped again
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    names = archive.namelist()
    tickets = sorted(n for n in names if n.startswith("tickets/"))
    assert tickets == ["tickets/2026-10-05-COL-1.pdf", "tickets/2026-11-20-COL-2.pdf"]
    for name in tickets:
        assert archive.getinfo(name).compress_type == zipfile.ZIP_STORED
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read(name))).pages)
        assert name.rsplit("-", 2)[-2] + "-" + name.rsplit("-", 1)[-1][:-4] in text  # COL-n
    (cdf,) = [n for n in names if n.startswith("cdf/")]
    assert archive.read(cdf) == CDF_PDF
    notas = sorted(n for n in names if n.startswith("notas/"))
    assert [n.rsplit(".", 1)[1] for n in notas] == ["pdf", "xml"]
    assert archive.read(notas[0]) == NOTA_PDF and archive.read(notas[1]) == NOTA_XML
    rows = list(csv.reader(io.StringIO(archive.read("relatorio-residuos.csv").decode("utf-8-sig")),
                           delimiter=";"))  # fmt: skip
    assert rows[0][0] == "Código IBAMA" and len(rows) == 2  # one waste, one unit
    assert rows[1][5:7] == ["10,000", "m3"]  # 5 + 5, the July one outside the quarter
    report = PdfReader(io.BytesIO(archive.read("relatorio-residuos.pdf")))
    assert "Relatório de resíduos" in report.pages[0].extract_text()
    index = BeautifulSoup(archive.read("index.html").decode(), "html.parser")
    links = {a["href"] for a in index.select("a")}
    assert links == set(names) - {"index.html"}
    assert "Cliente 2" not in index.text and "COL-9" not in " ".join(names)


def test_another_clients_place_is_not_found(seeded):
    places = call(seeded, Location.select(Location.id, Location.external_id).run)
    theirs = next(p["id"] for p in places if p["external_id"] == "LOC-2")
    for path in ("/coletas/dossie", "/coletas/dossie.zip"):
        assert seeded.get(path, params={"local": theirs}).status_code == 404, path


def test_a_place_narrows_the_dossier(seeded):
    places = call(seeded, Location.select(Location.id, Location.external_id).run)
    loc3 = next(p["id"] for p in places if p["external_id"] == "LOC-3")
    response = seeded.get("/coletas/dossie.zip", params={**Q4, "local": loc3})
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert [n for n in names if n.startswith("tickets/")] == ["tickets/2026-11-20-COL-2.pdf"]
    assert not [n for n in names if n.startswith("cdf/")]  # COL-2's MTR has no CDF


@pytest.mark.parametrize(
    "params", [{"periodo": "2026-t7"}, {"inicio": "2026-02-30"}, {"local": "9" * 30}]
)
def test_bad_filters_get_the_page_with_a_message_not_another_periods_zip(seeded, params):
    for path in ("/coletas/dossie", "/coletas/dossie.zip"):
        response = seeded.get(path, params=params)
        assert response.status_code == 422, path
        assert response.headers["content-type"].startswith("text/html")
        assert soup(response).select_one(".alerta .erro").text
