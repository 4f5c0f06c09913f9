"""Solicitar coleta over HTTP: the form, its calendar, validation, double submits, the list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import pytest
from factories import make_location
from litestar.testing import TestClient
from support import HX, call, client_login, make_client, post, soup

from espaco.domain import scheduling
from espaco.settings import Settings
from espaco.tables import AuditEvent, CollectionRequest, OutboxEmail

CODE = "ABCD-EFGH-JKMN-PQRS"
GOOD = "Duas caçambas de entulho, acesso pela rua de trás."


def today(settings: Settings) -> date:
    return datetime.now(UTC).astimezone(settings.tz).date()


def earliest(settings: Settings) -> date:
    return scheduling.earliest_date(today(settings), settings.request_notice_days)


@pytest.fixture
def portal(web: TestClient) -> Iterator[tuple[TestClient, int, int]]:
    """A logged-in client with one active place (and one inactive); yields (http, client, place)."""
    client_id = make_client(web, code=CODE, emails=("compras@paoquente.com.br",))
    place = call(web, make_location, client_id, label="Matriz")
    call(web, make_location, client_id, label="Filial antiga", active=False)
    document = call(web, _document, client_id)
    assert client_login(web, document, CODE).status_code == 303
    yield web, client_id, place


async def _document(client_id: int) -> str:
    from espaco.tables import Client

    return (await Client.select(Client.document).where(Client.id == client_id))[0]["document"]


def form_key(http: TestClient) -> str:
    field = soup(http.get("/solicitar-coleta")).find("input", attrs={"name": "chave"})
    assert field is not None
    return str(field["value"])


def send(http: TestClient, **fields: str) -> object:
    return post(http, "/solicitar-coleta", fields, form_page="/solicitar-coleta")


def requests_of(http: TestClient) -> list[dict]:
    return call(http, lambda: CollectionRequest.select().order_by(CollectionRequest.id))


def valid(http: TestClient, settings: Settings, place: int, **overrides: str) -> dict[str, str]:
    fields = {
        "local": str(place),
        "data": earliest(settings).isoformat(),
        "descricao": GOOD,
        "chave": form_key(http),
    }
    fields.update(overrides)
    return fields


def test_form_offers_only_the_clients_active_places(portal) -> None:  # type: ignore[no-untyped-def]
    http, _, place = portal
    page = soup(http.get("/solicitar-coleta"))
    radios = page.select("input[name=local]")
    assert [r["value"] for r in radios] == [str(place)]
    assert (
        page.select_one(f"label[for=local-{place}]").get_text(" ", strip=True).startswith("Matriz")
    )


def test_calendar_disables_days_inside_the_notice_and_marks_sundays(
    portal, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    http, _, _ = portal
    page = soup(http.get("/solicitar-coleta"))
    first = earliest(settings)
    enabled = page.select("#calendario input[name=data]:not([disabled])")
    assert enabled and enabled[0]["value"] == first.isoformat()
    for radio in page.select("#calendario input[name=data][disabled]"):
        assert radio["value"] < first.isoformat()
        assert page.select_one(f"label[for={radio['id']}]") is not None
    assert page.select("#calendario td.domingo")
    assert "referência" in page.select_one("#solicitar").get_text()
    assert page.select_one("noscript") is not None  # the plain date field without JavaScript


def test_calendar_moves_by_month_as_a_fragment_for_htmx_and_a_page_without(
    portal, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    http, _, place = portal
    month = soup(http.get("/solicitar-coleta")).select_one("#mes-seguinte")["value"]
    fields = valid(http, settings, place, data="", mes=month)
    fragment = post(http, "/solicitar-coleta", fields, form_page="/solicitar-coleta", headers=HX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="solicitar"')
    assert "<html" not in fragment.text
    full = soup(send(http, **fields))
    assert full.select_one("#solicitar form") is not None
    assert full.select_one("#mes-anterior") is not None
    # A bookmarked month still opens as a page.
    bookmarked = soup(http.get(f"/solicitar-coleta?mes={month}"))
    assert bookmarked.select_one("#mes-anterior") is not None


def test_a_request_is_confirmed_with_its_protocol_and_emailed(portal, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    http, client_id, place = portal
    response = send(http, **valid(http, settings, place))
    assert response.status_code == 303
    year = today(settings).year
    assert response.headers["location"] == f"/solicitacoes/{year}-000001?enviada=1"
    page = soup(http.get(response.headers["location"]))
    assert page.select_one(".protocolo").get_text() == f"{year}-000001"
    assert "Solicitação enviada" in page.get_text()
    rows = requests_of(http)
    assert len(rows) == 1 and rows[0]["status"] == "pending" and rows[0]["client"] == client_id
    mails = call(http, lambda: OutboxEmail.select().where(OutboxEmail.kind == "request_received"))
    assert len(mails) == 1 and mails[0]["recipients"] == "compras@paoquente.com.br"
    assert f"{year}-000001" in mails[0]["subject"] and f"{year}-000001" in mails[0]["body_text"]
    events = call(http, lambda: AuditEvent.select().where(AuditEvent.action == "request_created"))
    assert len(events) == 1


def test_htmx_submit_answers_hx_redirect(portal, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    http, _, place = portal
    response = post(
        http, "/solicitar-coleta", valid(http, settings, place), form_page="/solicitar-coleta",
        headers=HX,
    )  # fmt: skip
    assert response.headers["HX-Redirect"].startswith("/solicitacoes/")


def test_another_clients_place_posted_by_hand_is_refused_and_nothing_written(
    portal, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    http, _, place = portal
    other = make_client(http, name="Outra Empresa Ltda")
    foreign = call(http, make_location, other, label="Deles")
    inactive = call(http, make_location, portal[1], label="Fechada", active=False)
    for bad in (str(foreign), str(inactive), "abc", ""):
        response = send(http, **valid(http, settings, place, local=bad))
        assert response.status_code == 422
        assert soup(response).select_one("#local-erro") is not None
    assert requests_of(http) == []
    assert call(http, lambda: OutboxEmail.select()) == []


def test_a_date_in_the_past_or_inside_the_notice_is_refused_with_a_message(
    portal, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    http, _, place = portal
    for day, words in (
        (date(2020, 1, 6), "já passou"),
        (today(settings), "prazo mínimo"),
        (None, "Escolha a data"),
    ):
        fields = valid(http, settings, place, data=day.isoformat() if day else "")
        response = send(http, **fields)
        assert response.status_code == 422
        assert words in soup(response).select_one("#data-erro").get_text()
        # What was typed comes back, under the same one-time key.
        page = soup(response)
        assert page.select_one("#descricao").get_text() == GOOD
        assert page.select_one("input[name=chave]")["value"] == fields["chave"]
    assert requests_of(http) == []


@pytest.mark.parametrize(("text", "words"), [("curta", "ao menos 10"), ("x" * 2001, "no máximo")])
def test_a_description_too_short_or_too_long_is_refused(
    portal, settings: Settings, text: str, words: str
) -> None:  # type: ignore[no-untyped-def]
    http, _, place = portal
    response = send(http, **valid(http, settings, place, descricao=text))
    assert response.status_code == 422
    assert words in soup(response).select_one("#descricao-erro").get_text()
    assert requests_of(http) == []


def test_errors_for_htmx_are_the_form_fragment_with_422(portal, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    http, _, place = portal
    fields = valid(http, settings, place, descricao="")
    response = post(http, "/solicitar-coleta", fields, form_page="/solicitar-coleta", headers=HX)
    assert response.status_code == 422
    assert response.text.lstrip().startswith("{#") is False
    assert soup(response).select_one("section#solicitar") is not None
    assert "<html" not in response.text


def test_a_double_submit_creates_one_request(portal, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    http, _, place = portal
    fields = valid(http, settings, place)
    first = send(http, **fields)
    second = send(http, **fields)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert len(requests_of(http)) == 1


def test_back_button_and_send_again_with_a_fresh_form_creates_one_request(
    portal, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    http, _, place = portal
    first = send(http, **valid(http, settings, place))
    again = send(http, **valid(http, settings, place))  # a new key: the form was reloaded
    assert first.headers["location"] == again.headers["location"]
    other = send(http, **valid(http, settings, place, descricao=GOOD + " E papelão."))
    assert other.headers["location"] != first.headers["location"]
    assert len(requests_of(http)) == 2


def test_list_shows_situacao_and_a_pending_request_can_be_cancelled(
    portal, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    http, _, place = portal
    location = send(http, **valid(http, settings, place)).headers["location"]
    protocol = location.split("/")[2].split("?")[0]
    listing = soup(http.get("/solicitacoes"))
    assert protocol in listing.select_one("#solicitacoes").get_text()
    assert "Pendente" in listing.select_one("#solicitacoes").get_text()
    asked = post(http, f"/solicitacoes/{protocol}/cancelar", form_page=location)
    assert asked.status_code == 200  # without JavaScript: a page asks first
    confirm = soup(asked).find("form", action=f"/solicitacoes/{protocol}/cancelar")
    assert confirm.find("input", attrs={"name": "confirmado"})["value"] == "1"
    assert confirm.find("button", string="Sim, cancelar a solicitação") is not None
    assert requests_of(http)[0]["status"] == "pending"
    assert soup(http.get(location)).select_one("form[action$=cancelar]")["hx-confirm"]
    response = post(
        http, f"/solicitacoes/{protocol}/cancelar", {"confirmado": "1"}, form_page=location
    )
    assert response.status_code == 303
    detail = soup(http.get(f"/solicitacoes/{protocol}"))
    assert "Cancelada" in detail.get_text()
    assert detail.select_one("form[action$=cancelar]") is None
    again = post(
        http, f"/solicitacoes/{protocol}/cancelar", {"confirmado": "1"}, form_page="/solicitacoes"
    )
    assert again.status_code == 409


def test_another_clients_request_is_not_found(portal, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    http, _, place = portal
    location = send(http, **valid(http, settings, place)).headers["location"]
    protocol = location.split("/")[2].split("?")[0]
    http.cookies.clear()
    other_code = "QRST-ABCD-EFGH-JKMN"
    other = make_client(http, name="Outra", code=other_code)
    call(http, make_location, other)
    assert client_login(http, call(http, _document, other), other_code).status_code == 303
    assert http.get(f"/solicitacoes/{protocol}").status_code == 404
    cancel = post(http, f"/solicitacoes/{protocol}/cancelar", form_page="/solicitacoes")
    assert cancel.status_code == 404
    assert requests_of(http)[0]["status"] == "pending"


def test_pages_need_a_login(web: TestClient) -> None:
    for path in ("/solicitar-coleta", "/solicitacoes"):
        response = web.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/entrar?volta={quote(path, safe='')}"


def test_a_month_button_brings_the_form_back_on_that_month_keeping_what_was_typed(
    portal, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    http, _, place = portal
    first = soup(http.get("/solicitar-coleta"))
    month = first.select_one("#mes-seguinte")["value"]
    fields = valid(http, settings, place, data="", mes=month)
    response = send(http, **fields)
    assert response.status_code == 200 and requests_of(http) == []
    page = soup(response)
    year, number = (int(part) for part in month.split("-"))
    assert page.select_one("#calendario-titulo").get_text().endswith(f"de {year}")
    assert page.select_one(f"input[name=local][value='{place}']").has_attr("checked")
    assert page.select_one("#descricao").get_text() == GOOD
    assert page.select_one("input[name=chave]")["value"] == fields["chave"]
    assert page.select_one(f"#dia-{year:04d}-{number:02d}-15") is not None
    # Without JavaScript the buttons submit the form they sit in; htmx posts it the same way.
    buttons = page.select("#calendario button.mes-nav")
    assert buttons, "no month navigation on the calendar"
    for button in buttons:
        assert button.find_parent("form")["action"] == "/solicitar-coleta"
        assert button["type"] == "submit" and button["name"] == "mes"


def test_the_list_of_requests_is_paged(portal) -> None:  # type: ignore[no-untyped-def]
    http, client_id, place = portal

    async def many() -> None:
        for n in range(51):
            await CollectionRequest.insert(
                CollectionRequest(
                    client=client_id,
                    location=place,
                    protocol=f"2026-{n + 1:06d}",
                    intended_on=date(2026, 12, 15),
                    description=GOOD,
                    submission_key=f"paged-{n}",
                    created_at=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=n),
                )
            )

    call(http, many)
    first = soup(http.get("/solicitacoes"))
    assert len(first.select("#solicitacoes li")) == 50
    assert "2026-000051" in first.select_one("#solicitacoes li").get_text()
    assert first.select_one("a[rel=next]")["href"] == "/solicitacoes?pagina=2"
    second = soup(http.get("/solicitacoes?pagina=2"))
    assert [li.a.get_text() for li in second.select("#solicitacoes li")] == [
        "Protocolo 2026-000001"
    ]
    assert second.select_one("a[rel=prev]")["href"] == "/solicitacoes?pagina=1"
    assert second.select_one("a[rel=next]") is None
