"""The row macros (templates/macros/) and the |selo and |plural filters (web/selos.py).

The macros run with autoescape off and escape the texts themselves (|h), so every text field is
fed markup here; the loops unpack the services' named tuples by position, so their order is
checked against the tuples' fields; and the Coletas columns, cells and "Carregar mais" colspan
must agree.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import make_settings
from jinja2 import Environment

from espaco.resources import resource_dir
from espaco.services.billing import financeiro
from espaco.services.collections import coletas
from espaco.services.collections.filters import WITH_TICKET
from espaco.services.solicitacoes.solicitacoes import RequestView
from espaco.web.selos import SITUACOES, plural, selo
from espaco.web.static import StaticFiles
from espaco.web.templating import create_environment

HOSTILE = '<b id="x">O\'Neil & Cia</b>'
ESCAPED = "&lt;b id=&#34;x&#34;&gt;O&#39;Neil &amp; Cia&lt;/b&gt;"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Environment:
    settings = make_settings(tmp_path_factory.mktemp("macros"))
    return create_environment(settings, StaticFiles(resource_dir("static")))


def _unpacked(macro_file: str, macro: str) -> list[str]:
    source = (resource_dir("templates") / "macros" / macro_file).read_text()
    body = source[source.index(f"{{% macro {macro}(") :]
    found = re.search(r"{% for (.+?) in rows %}", body)
    assert found, f"{macro_file}: no row loop in {macro}"
    return [name.strip() for name in found[1].split(",")]


def _collection(**overrides: object) -> coletas.Row:
    values: dict[str, object] = {
        "id": 7, "external_id": HOSTILE, "event_on": date(2026, 11, 28), "status": "validated",
        "location": HOSTILE, "service": HOSTILE, "waste_description": HOSTILE,
        "waste_class": HOSTILE, "quantity": "2.35", "unit": "m3", "mtr_number": HOSTILE,
        "mtr_status": HOSTILE, "certificate_id": 3,
    }  # fmt: skip
    values.update(overrides)
    return coletas.Row(**values)  # type: ignore[arg-type]


def test_the_row_loops_unpack_the_services_rows_in_their_field_order(env: Environment) -> None:
    assert _unpacked("coletas.html", "linhas") == list(coletas.Row._fields)
    assert _unpacked("financeiro.html", "linhas") == list(financeiro.InvoiceRow._fields)
    assert set(env.globals["macros"].coletas.COM_TICKET) == WITH_TICKET


def test_a_collection_row_escapes_every_text_from_the_erp(env: Environment) -> None:
    html = str(env.globals["macros"].coletas.linhas([_collection()]))
    assert "<b id" not in html
    # location, service, description, class, MTR, its status, and the two aria-labels
    assert html.count(ESCAPED) == 8
    cells = {td["data-label"]: td for td in BeautifulSoup(html, "html.parser").select("td")}
    assert cells["Data"].text == "28/11/2026"
    assert cells["Quantidade"].text == "2,35 m³"
    assert cells["Resíduo"].text == HOSTILE + "Classe " + HOSTILE
    assert cells["Ticket"].a["href"] == "/coletas/7/ticket.pdf"
    assert cells["Ticket"].a["aria-label"] == f"PDF do ticket {HOSTILE}"
    assert cells["MTR/SINIR"].select_one("a[href='/coletas/cdf/3/mtrs']") is not None
    assert str(cells["Situação"].span) == '<span class="selo ok">Validada</span>'


def test_a_collection_without_ticket_mtr_or_quantity_leaves_those_cells_empty(
    env: Environment,
) -> None:
    row = _collection(status="scheduled", quantity="", unit="", mtr_number=None, mtr_status=None)
    html = str(env.globals["macros"].coletas.linhas([row]))
    cells = {td["data-label"]: td for td in BeautifulSoup(html, "html.parser").select("td")}
    assert cells["Ticket"].text == cells["MTR/SINIR"].text == cells["Quantidade"].text == ""
    assert str(cells["Situação"].span) == '<span class="selo aviso">Agendada</span>'


def test_the_coletas_columns_cells_and_load_more_colspan_agree(env: Environment) -> None:
    module = env.globals["macros"].coletas
    head = BeautifulSoup(str(module.CABECALHO), "html.parser").select("th")
    row = BeautifulSoup(str(module.linhas([_collection()])), "html.parser").select("td")
    more = BeautifulSoup(str(module.carregar_mais("/coletas?pagina=x")), "html.parser")
    assert [th.text for th in head] == [td["data-label"] for td in row]
    assert more.td["colspan"] == str(len(head))


def test_a_groups_coletas_table_names_each_rows_unit_escaped(env: Environment) -> None:
    module = env.globals["macros"].coletas
    units = {9: HOSTILE}
    head = BeautifulSoup(str(module.CABECALHO_UNIDADE), "html.parser").select("th")
    html = str(module.linhas([_collection()._replace(client_id=9)], None, units))
    row = BeautifulSoup(html, "html.parser").select("td")
    more = BeautifulSoup(str(module.carregar_mais("/coletas?pagina=x", units)), "html.parser")
    assert [th.text for th in head] == [td["data-label"] for td in row]
    assert head[0].text == "Unidade" and row[0].text == HOSTILE and "<b id" not in html
    assert more.td["colspan"] == str(len(head))


def test_a_groups_financeiro_rows_name_each_unit_escaped(env: Environment) -> None:
    module = env.globals["macros"].financeiro
    head = BeautifulSoup(str(module.CABECALHO_UNIDADE), "html.parser").select("th")
    html = str(module.linhas([_invoice(client_id=9)], {9: HOSTILE}))
    row = BeautifulSoup(html, "html.parser").select("td")
    assert [th.text for th in head] == [td["data-label"] for td in row]
    assert head[0].text == "Unidade" and row[0].text == HOSTILE and "<b id" not in html


def test_a_cdf_row_escapes_its_number_and_receiver_and_counts_its_mtrs(env: Environment) -> None:
    cdf = coletas.CertificateRow(
        id=4, number=HOSTILE, issued_on=date(2026, 1, 31), period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31), receiver=HOSTILE, mtr_count=1, has_pdf=True,
    )  # fmt: skip
    html = str(env.globals["macros"].coletas.cdf_linhas([cdf]))
    assert "<b id" not in html
    assert html.count(ESCAPED) == 4  # number, receiver, and the number in two aria-labels
    assert ">1 MTR</a>" in html
    many = str(env.globals["macros"].coletas.cdf_linhas([cdf._replace(mtr_count=1200)]))
    assert ">1.200 MTRs</a>" in many


def _invoice(**overrides: object) -> financeiro.InvoiceRow:
    values: dict[str, object] = {
        "id": 9, "reference_start": date(2026, 1, 1), "reference_end": date(2026, 1, 31),
        "issued_on": date(2026, 2, 1), "due_on": date(2026, 2, 10), "amount_cents": 123456,
        "status": "open", "paid_on": None, "overdue": False, "fiscal_kind": "nfse",
        "fiscal_number": HOSTILE, "has_boleto": True,
    }  # fmt: skip
    values.update(overrides)
    return financeiro.InvoiceRow(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "badge"),
    [
        ({}, '<span class="selo aviso">aberta</span>'),
        ({"overdue": True}, '<span class="selo atencao">vencida</span>'),
        (
            {"status": "paid", "paid_on": date(2026, 2, 9)},
            '<span class="selo ok">paga em 09/02/2026</span>',
        ),
        ({"status": "paid"}, '<span class="selo ok">paga</span>'),
        ({"status": "cancelled", "overdue": True}, '<span class="selo">cancelada</span>'),
    ],
)
def test_a_closure_row_shows_its_status_and_escapes_the_fiscal_number(
    env: Environment, overrides: dict[str, object], badge: str
) -> None:
    html = str(env.globals["macros"].financeiro.linhas([_invoice(**overrides)]))
    cells = {td["data-label"]: td for td in BeautifulSoup(html, "html.parser").select("td")}
    assert str(cells["Situação"].span) == badge
    assert "<b id" not in html and f"NFS-e {ESCAPED}</a>" in html
    assert cells["Valor"].text == "R$ 1.234,56"
    payable = overrides.get("status", "open") == "open"
    assert (cells["Boleto"].a is not None) == payable
    if payable:
        assert cells["Boleto"].text == "Boleto de 10/02/2026"


def test_a_request_card_escapes_every_text(env: Environment) -> None:
    card = RequestView(
        id=1, protocol=HOSTILE, client_id=1, location_label=HOSTILE, location_address="",
        intended_on=date(2026, 3, 2), description=HOSTILE, status="refused",
        created_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC), decided_at=None, scheduled_on=None,
        refusal_reason=HOSTILE,
    )  # fmt: skip
    html = str(env.globals["macros"].solicitacoes.cartoes([card]))
    assert "<b id" not in html
    assert html.count(ESCAPED) == 4  # the protocol twice, the place, the reason
    assert '<span class="selo atencao">Recusada</span>' in html
    assert "Enviada em 01/03/2026 09:00" in html  # the provider's zone (São Paulo)


def test_the_options_macro_escapes_labels_and_marks_the_selected_one(env: Environment) -> None:
    html = str(env.globals["macros"].formulario.options([(1, HOSTILE), (2, "Sede")], 2))
    options = BeautifulSoup(html, "html.parser").select("option")
    assert [(o["value"], o.text, o.has_attr("selected")) for o in options] == [
        ("1", HOSTILE, False),
        ("2", "Sede", True),
    ]


def test_selo_gives_each_status_its_label_and_tone() -> None:
    assert selo("pending", "solicitacao") == '<span class="selo aviso">Pendente</span>'
    assert selo("cancelled", "solicitacao") == '<span class="selo">Cancelada</span>'
    assert selo("cancelled", "coleta") == '<span class="selo atencao">Cancelada</span>'
    assert selo("failed", "email") == '<span class="selo atencao">Falhou</span>'
    assert selo("whatever", "coleta") == '<span class="selo">whatever</span>'
    assert selo(HOSTILE, tom="ok") == f'<span class="selo ok">{ESCAPED}</span>'


def test_every_tone_is_styled_once_in_app_css() -> None:
    css = (resource_dir("static") / "app.css").read_text()
    tones = {tone for kind in SITUACOES.values() for _, tone in kind.values()} - {""}
    for tone in tones:
        assert len(re.findall(rf"\.selo\.{tone}\{{", css)) == 1, tone
    styles = "".join(p.read_text() for p in Path(resource_dir("static")).glob("*.css"))
    assert ".situacao-" not in styles


def test_plural() -> None:
    assert [plural(n, "fatura") for n in (0, 1, 2)] == ["faturas", "fatura", "faturas"]
    assert plural(3, "fora deixada", "foram deixadas") == "foram deixadas"
