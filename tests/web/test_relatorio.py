"""/coletas/relatorio over HTTP: presets and dates, htmx and plain GET, CSV, PDF, pendências."""

from __future__ import annotations

import csv
import io

import coletas_samples as cs
import import_samples as s
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from support import HX, call, seed_and_log_in, soup

from espaco.tables import Location

Q4 = {"periodo": "2026-t4"}


def standard_doc() -> dict:
    """CLI-1: a validada (with its CDF), a realizada at another place, an agendada and a
    cancelada; CLI-2: one of its own."""
    return s.document(
        clients=cs.clients(),
        collections=[
            cs.collection(1, performed_at="2026-10-05T09:32:00-03:00"),
            cs.collection(
                2, status="done", performed_at="2026-10-20T14:00:00-03:00", quantity="2.35",
                unit="t", location="LOC-3", mtr_number="260010679502", mtr_status="Salvo",
            ),
            cs.collection(3, status="scheduled", scheduled_on="2026-11-20", performed_at=None,
                          mtr_number=None, mtr_status=None),
            cs.collection(4, status="cancelled", scheduled_on="2026-10-10", performed_at=None,
                          mtr_number=None, mtr_status=None),
            cs.collection(9, "CLI-2", "LOC-2"),
        ],
        certificates=[
            s.certificate(1, "CLI-1", mtr_numbers=["260010679501"]),
            s.certificate(2, "CLI-2", mtr_numbers=["260010679509"]),
        ],
    )  # fmt: skip


def report_doc() -> dict:
    doc = standard_doc()
    first = doc["collections"][0]
    first["waste"].update(ibama_code="17 09 04", physical_state="sólido")
    first["transporter"] = {"name": "Transportes <b>Exemplo</b>", "document": "11222333000181"}
    first["destination"] = {"receiver": {"name": "ATT Recicla"}, "treatment": "=Reciclagem"}
    doc["collections"].append(
        cs.collection(10, status="done", performed_at="2026-11-03T08:00:00-03:00",
                      quantity="0.0015", unit="t", mtr_number=None, mtr_status=None,
                      waste={"description": "Óleo lubrificante usado", "class": "I",
                             "ibama_code": "130205*"})
    )  # fmt: skip
    doc["collections"].append(
        cs.collection(11, status="done", performed_at="2026-11-04T08:00:00-03:00",
                      quantity="1.0005", unit="t", mtr_number=None, mtr_status=None,
                      waste={"description": "Óleo lubrificante usado", "class": "I",
                             "ibama_code": "13 02 05*"})
    )  # fmt: skip
    return doc


@pytest.fixture
def seeded(web):
    return seed_and_log_in(web, report_doc())


def table(page: BeautifulSoup) -> list[list[str]]:
    return [
        [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in page.select("#relatorio-tabela tbody tr")
    ]


def test_a_quarter_shows_one_line_per_waste_with_totals_to_the_thousandth(seeded):
    response = seeded.get("/coletas/relatorio", params=Q4)
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("#periodo option[selected]")["value"] == "2026-t4"
    assert "4º trimestre de 2026: de 01/10/2026 a 31/12/2026" in page.select_one("h2").text
    lines = table(page)
    assert [line[0] for line in lines] == ["13 02 05*", "17 09 04"]
    oil, rcc = lines
    assert "Perigoso" in oil[1] and "1,002 t" in oil[2] and "2 coletas" in oil[2]
    assert "2 sem MTR" in oil[6]
    assert "sólido" in rcc[1] and "Não perigoso" in rcc[1]
    assert "Transportes <b>Exemplo</b> — 11.222.333/0001-81" in rcc[3]  # escaped, shown as text
    assert page.select_one("#relatorio-tabela b") is None
    assert rcc[4] == "ATT Recicla" and rcc[5] == "=Reciclagem"
    assert "CDF: 0001/2026" in rcc[6]
    totals = [t.text for t in page.select(".total-unidade")]
    assert totals == ["5,000 m3", "3,352 t"]  # 2.35 + 0.0015 + 1.0005, half up
    assert "Cliente 2" not in response.text


def test_dates_and_a_place_filter_and_htmx_gets_the_fragment_only(seeded):
    places = call(seeded, Location.select(Location.id, Location.external_id).run)
    loc3 = next(p["id"] for p in places if p["external_id"] == "LOC-3")
    params = {"inicio": "2026-10-15", "fim": "2026-10-31", "local": str(loc3)}
    full = seeded.get("/coletas/relatorio", params=params)
    part = seeded.get("/coletas/relatorio", params=params, headers=HX)
    assert full.status_code == part.status_code == 200
    assert "<html" in full.text and "<html" not in part.text
    fragment = soup(part)
    assert fragment.select_one("section")["id"] == "relatorio-resultado"
    assert [t.text for t in fragment.select(".total-unidade")] == ["2,350 t"]
    links = [a["href"] for a in fragment.select(".acoes a")]
    assert links[0] == f"/coletas/relatorio.csv?inicio=2026-10-15&fim=2026-10-31&local={loc3}"


@pytest.mark.parametrize(
    "params",
    [
        {"periodo": "2026-t9"},
        {"inicio": "2026-13-01"},
        {"inicio": "2026-12-01", "fim": "2026-01-01"},
        {"local": "abc"},
        {"periodo": "9" * 5000},
    ],
)
def test_bad_filters_answer_422_with_a_message_and_the_default_report(seeded, params):
    response = seeded.get("/coletas/relatorio", params=params)
    assert response.status_code == 422
    assert soup(response).select_one("#relatorio-resultado .erro").text


def test_a_nul_in_the_filters_is_refused_before_the_page(seeded):
    # web/limits.py refuses a NUL in any query string, for every route, before parsing.
    response = seeded.get("/coletas/relatorio", params={"inicio": "2026-01-01\x00"})
    assert response.status_code == 400
    assert "NUL" in response.text


@pytest.mark.parametrize("path", ["/coletas/relatorio.csv", "/coletas/relatorio.pdf"])
def test_a_file_with_bad_filters_is_refused_not_another_period(seeded, path):
    response = seeded.get(path, params={"inicio": "2026-02-30"})
    assert response.status_code == 400
    assert "text/html" in response.headers["content-type"]


def test_csv_has_a_row_per_waste_and_unit_in_excel_brazilian_form(seeded):
    response = seeded.get("/coletas/relatorio.csv", params=Q4)
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == ["Código IBAMA", "Resíduo", "Classe", "Estado físico", "Perigoso",
                           "Quantidade"]  # fmt: skip
    body = {(r[0], r[6]): r for r in rows[1:]}
    assert set(body) == {("13 02 05*", "t"), ("17 09 04", "m3"), ("17 09 04", "t")}
    assert body[("13 02 05*", "t")][5] == "1,002" and body[("13 02 05*", "t")][4] == "Sim"
    assert body[("17 09 04", "t")][5] == "2,350"
    assert body[("17 09 04", "m3")][10] == "'=Reciclagem"  # no formula for Excel


def test_pdf_reads_back_with_the_wastes_and_totals(seeded):
    response = seeded.get("/coletas/relatorio.pdf", params=Q4)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Relatório de resíduos — 01/10/2026 a 31/12/2026" in text
    assert "13 02 05*" in text and "Óleo lubrificante usado" in text
    assert "3,352 t" in text and "0001/2026" in text and "ATT Recicla" in text


def test_pendencias_are_listed_with_links_to_the_collections(seeded):
    page = soup(seeded.get("/coletas/relatorio", params=Q4))
    section = page.select_one("#pendencias")
    assert "Coleta realizada sem MTR: 2" in section.text
    links = [a["href"] for a in section.select("a")]
    assert any(
        link.startswith("/coletas?inicio=2026-11-03&fim=2026-11-03&local=") for link in links
    )
    inicio = soup(seeded.get("/inicio")).select_one("#inicio-pendencias")
    assert "Coleta realizada sem MTR: 2" in inicio.text
    assert inicio.select_one('a[href="/coletas/relatorio#pendencias"]')


def test_another_clients_place_is_not_found(seeded):
    places = call(seeded, Location.select(Location.id, Location.external_id).run)
    theirs = next(p["id"] for p in places if p["external_id"] == "LOC-2")
    for path in ("/coletas/relatorio", "/coletas/relatorio.csv", "/coletas/relatorio.pdf"):
        assert seeded.get(path, params={"local": theirs}).status_code == 404, path


def test_the_client_turns_the_weekly_email_off_and_on_with_a_csrf_form(seeded):
    page = soup(seeded.get("/coletas/relatorio", params=Q4))
    form = page.select_one("form.aviso-semanal")
    assert form.select_one('input[name="aviso"]')["value"] == "nao"
    token = form.select_one('input[name="_csrf_token"]')["value"]
    refused = seeded.post("/coletas/relatorio/aviso", data={"aviso": "nao"})
    assert refused.status_code == 403  # no CSRF token
    done = seeded.post("/coletas/relatorio/aviso", data={"aviso": "nao", "_csrf_token": token},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"] == "/coletas/relatorio#pendencias"
    again = soup(seeded.get("/coletas/relatorio", params=Q4)).select_one("form.aviso-semanal")
    assert again.select_one('input[name="aviso"]')["value"] == "sim"
    assert "desligado" in again.text
