"""Planejamento over HTTP: the queue for both roles, a request's page, Agendar and Recusar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from factories import make_location
from litestar.testing import TestClient
from support import (
    HX,
    call,
    make_client,
    message,
    post,
    soup,
    staff_logged_in,
)

from espaco.domain import scheduling
from espaco.services.solicitacoes import solicitacoes
from espaco.settings import Settings
from espaco.tables import AuditEvent, Collection, CollectionRequest, OutboxEmail


def today(settings: Settings) -> date:
    return datetime.now(UTC).astimezone(settings.tz).date()


def new_request(web: TestClient, settings: Settings, description: str = "Duas caçambas.  ") -> str:
    client_id = make_client(web, name="Padaria Pão Quente Ltda", emails=("a@pao.com.br",))
    place = call(web, make_location, client_id, label="Matriz")
    return call(
        web,
        solicitacoes.submit_request,
        (client_id,),
        location=str(place),
        intended=scheduling.earliest_date(today(settings), 1).isoformat(),
        description=description + " Entrada pela rua de trás.",
        submission_key=solicitacoes.new_submission_key(),
        settings=settings,
        now=datetime.now(UTC),
    )


def request_row(web: TestClient, protocol: str) -> dict:
    return call(
        web,
        lambda: CollectionRequest.select().where(CollectionRequest.protocol == protocol),
    )[0]


@pytest.mark.parametrize("role", ["master", "planejamento"])
def test_both_roles_see_the_queue_and_the_nav_links_it(web: TestClient, settings, role) -> None:  # type: ignore[no-untyped-def]
    protocol = new_request(web, settings)
    staff_logged_in(web, f"user-{role}", role)
    page = soup(web.get("/admin/solicitacoes"))
    assert [a.get_text() for a in page.select("#fila tbody a")] == [protocol]
    assert page.select_one("nav a[href='/admin/solicitacoes']") is not None


def test_queue_needs_a_staff_login(web: TestClient) -> None:
    response = web.get("/admin/solicitacoes", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/entrar"


def test_queue_filters_are_a_bookmarkable_get_and_a_fragment_for_htmx(web, settings) -> None:  # type: ignore[no-untyped-def]
    protocol = new_request(web, settings)
    staff_logged_in(web, "user-planejamento", "planejamento")
    assert (
        "Nenhuma"
        in soup(web.get("/admin/solicitacoes?situacao=agendada")).select_one("#fila").get_text()
    )
    fragment = web.get("/admin/solicitacoes?situacao=todas&cliente=padaria", headers=HX)
    assert fragment.text.lstrip().startswith('<section id="fila"') and "<html" not in fragment.text
    assert protocol in fragment.text
    assert protocol not in web.get("/admin/solicitacoes?cliente=outra").text
    future = (today(settings) + timedelta(days=60)).isoformat()
    assert protocol not in web.get(f"/admin/solicitacoes?inicio={future}").text


def test_agendar_schedules_and_the_client_sees_it(web: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    protocol = new_request(web, settings)
    staff_logged_in(web, "user-planejamento", "planejamento")
    url = f"/admin/solicitacoes/{protocol}"
    when = (today(settings) + timedelta(days=3)).isoformat()
    response = post(web, f"{url}/agendar", {"data": when}, form_page=url)
    assert response.status_code == 303 and response.headers["location"] == url
    page = web.get(url)
    assert "agendada para" in soup(page).select_one(".aviso").get_text()
    assert soup(page).select_one("form[action$=agendar]") is None
    row = request_row(web, protocol)
    assert row["status"] == "scheduled" and row["decided_by"] is not None
    collections = call(web, lambda: Collection.select().where(Collection.request == row["id"]))
    assert len(collections) == 1 and collections[0]["status"] == "scheduled"
    events = call(web, lambda: AuditEvent.select().where(AuditEvent.action == "request_scheduled"))
    assert events[0]["actor"] == "user-planejamento"
    kinds = [m["kind"] for m in call(web, lambda: OutboxEmail.select(OutboxEmail.kind))]
    assert "request_scheduled" in kinds


def test_recusar_needs_a_reason(web: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    protocol = new_request(web, settings)
    staff_logged_in(web, "user-master", "master")
    url = f"/admin/solicitacoes/{protocol}"
    response = post(web, f"{url}/recusar", {"motivo": "  "}, form_page=url, headers=HX)
    assert response.status_code == 422
    assert soup(response).select_one("#motivo-erro") is not None
    assert response.text.lstrip().startswith('<section id="decisao"')
    assert request_row(web, protocol)["status"] == "pending"
    ok = post(web, f"{url}/recusar", {"motivo": "Fora da área atendida."}, form_page=url)
    assert ok.status_code == 303
    row = request_row(web, protocol)
    assert row["status"] == "refused" and row["refusal_reason"] == "Fora da área atendida."


def test_a_past_date_is_refused_with_422(web: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    protocol = new_request(web, settings)
    staff_logged_in(web, "user-master", "master")
    url = f"/admin/solicitacoes/{protocol}"
    response = post(web, f"{url}/agendar", {"data": "2020-01-02"}, form_page=url)
    assert response.status_code == 422 and soup(response).select_one("#data-erro") is not None


def test_the_second_decision_is_told_it_was_already_decided(web: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    protocol = new_request(web, settings)
    staff_logged_in(web, "user-master", "master")
    url = f"/admin/solicitacoes/{protocol}"
    token_page = url  # both people opened the page before either answered
    first = post(web, f"{url}/recusar", {"motivo": "Sem caminhão."}, form_page=token_page)
    assert first.status_code == 303
    when = (today(settings) + timedelta(days=3)).isoformat()
    second = post(web, f"{url}/agendar", {"data": when}, form_page=token_page)
    assert second.status_code == 409
    assert "já foi decidida" in message(second)
    assert request_row(web, protocol)["status"] == "refused"
    assert call(web, lambda: Collection.count()) == 0


def test_unknown_protocol_is_not_found(web: TestClient) -> None:
    staff_logged_in(web, "user-master", "master")
    assert web.get("/admin/solicitacoes/2026-999999").status_code == 404
