"""/avisos over HTTP: the "coleta realizada" e-mail choice, and the private calendar feed —
created and shown once, read by a real iCalendar parser, refused after renewal or turning off,
never needing a session, and throttled for addresses that keep trying unknown tokens."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import coletas_samples as cs
import icalendar
import import_samples as s
import pytest
from support import call, login, soup

from espaco.services.collections import calendar_feed
from espaco.tables import AuditEvent, Client

# The feed's window is the wall clock's, in the provider's zone (the route reads the clock).
TODAY = datetime.now(ZoneInfo("America/Sao_Paulo")).date()


def _doc() -> dict:
    soon, later = TODAY + timedelta(days=3), TODAY + timedelta(days=40)
    agendada = {"status": "scheduled", "performed_at": None, "mtr_number": None,
                "mtr_status": None}  # fmt: skip
    return s.document(
        clients=cs.clients(),
        collections=[
            cs.collection(
                1,
                **agendada,
                scheduled_on=soon.isoformat(),
                service='Troca de caçamba, 5 m³; "urgente"',
                notes="Portão lateral\nligar antes",
            ),  # fmt: skip
            cs.collection(2, **agendada, scheduled_on=later.isoformat(), location="LOC-3"),
            cs.collection(3, performed_at="2026-10-05T09:32:00-03:00"),  # realizada: not in it
            cs.collection(4, **agendada, scheduled_on=(TODAY - timedelta(days=400)).isoformat()),
            cs.collection(9, "CLI-2", "LOC-2", **agendada, scheduled_on=soon.isoformat()),
        ],
    )


@pytest.fixture
def portal(web):
    call(web, cs.seed, web.app.state.settings, _doc())
    login(web)
    return web


def _token(web) -> str:
    return soup(web.get("/avisos")).select_one('input[name="_csrf_token"]')["value"]


def _create(web, **extra) -> str:
    response = web.post("/avisos/agenda", data={"_csrf_token": _token(web), **extra})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    url = soup(response).select_one("#endereco-agenda").get_text(strip=True)
    assert url.startswith("http://portal.example.com.br/agenda/") and url.endswith(".ics")
    return url.removeprefix("http://portal.example.com.br")


def _anonymous_get(web, path: str):
    saved = dict(web.cookies)
    web.cookies.clear()
    try:
        return web.get(path, follow_redirects=False)
    finally:
        web.cookies.update(saved)


def test_the_page_starts_with_both_notices_off(portal):
    page = soup(portal.get("/avisos"))
    assert page.select_one("nav a[aria-current=page]").get_text() == "Avisos e agenda"
    assert "Desligado" in page.select_one("#coleta-realizada").get_text()
    assert page.select_one('#coleta-realizada input[name="aviso"]')["value"] == "sim"
    assert "Desligada" in page.select_one("#agenda").get_text()
    assert page.select_one("#endereco-agenda") is None


def test_the_done_email_is_turned_on_and_off_with_a_csrf_protected_form(portal):
    refused = portal.post("/avisos/coleta-realizada", data={"aviso": "sim"})
    assert refused.status_code == 403
    done = portal.post(
        "/avisos/coleta-realizada",
        data={"aviso": "sim", "_csrf_token": _token(portal)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/avisos#coleta-realizada"
    page = soup(portal.get("/avisos"))
    assert "Ligado" in page.select_one("#coleta-realizada").get_text()
    assert page.select_one('#coleta-realizada input[name="aviso"]')["value"] == "nao"
    portal.post("/avisos/coleta-realizada", data={"aviso": "nao", "_csrf_token": _token(portal)})
    assert "Desligado" in soup(portal.get("/avisos")).select_one("#coleta-realizada").get_text()


def test_the_feed_is_shown_once_and_read_by_a_calendar_parser_without_a_session(portal):
    path = _create(portal)
    assert path.split("/")[-1].removesuffix(".ics") not in portal.get("/avisos").text
    response = _anonymous_get(portal, path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "set-cookie" not in response.headers
    body = response.content
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    assert [e.decoded("DTSTART") for e in events] == [
        TODAY + timedelta(days=3),
        TODAY + timedelta(days=40),
    ]  # CLI-1's agendadas in the window; not the realizada, the old one, nor CLI-2's
    first = events[0]
    assert first.decoded("DTEND") == TODAY + timedelta(days=4)
    assert str(first["SUMMARY"]) == "Coleta agendada — Matriz"
    assert 'Serviço: Troca de caçamba, 5 m³; "urgente"' in str(first["DESCRIPTION"])
    assert "Portão lateral\nligar antes" in str(first["DESCRIPTION"])
    assert str(first["LOCATION"]).startswith("Rua das Flores, 120, Centro, Campinas/SP")
    assert str(first["UID"]).endswith("@portal.example.com.br")
    assert len({str(e["UID"]) for e in events}) == 2
    assert "DTSTAMP" in first


def test_only_a_hash_of_the_token_is_stored_and_creation_is_audited(portal):
    path = _create(portal)
    token = path.removeprefix("/agenda/").removesuffix(".ics")

    async def stored():
        client = await Client.select().where(Client.external_id == "CLI-1").first()
        events = await AuditEvent.select(AuditEvent.action).where(AuditEvent.client == client["id"])
        return client, [e["action"] for e in events]

    client, actions = call(portal, stored)
    assert client["calendar_token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(client)
    assert "calendar_feed_created" in actions


def test_renewing_asks_first_then_refuses_the_old_url(portal):
    old = _create(portal)
    page = soup(portal.get("/avisos"))
    assert "Ligada" in page.select_one("#agenda").get_text()
    ask = portal.post("/avisos/agenda", data={"_csrf_token": _token(portal)})
    assert ask.status_code == 200 and soup(ask).select_one("#endereco-agenda") is None
    assert soup(ask).select_one('input[name="confirmado"]')["value"] == "1"
    assert _anonymous_get(portal, old).status_code == 200  # not renewed until confirmed
    new = _create(portal, confirmado="1")
    assert new != old
    assert _anonymous_get(portal, old).status_code == 404
    assert _anonymous_get(portal, new).status_code == 200


def test_turning_the_feed_off_refuses_its_url(portal):
    path = _create(portal)
    response = portal.post(
        "/avisos/agenda/desligar",
        data={"_csrf_token": _token(portal), "confirmado": "1"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert _anonymous_get(portal, path).status_code == 404
    assert "Desligada" in soup(portal.get("/avisos")).select_one("#agenda").get_text()


@pytest.mark.parametrize(
    "path",
    [
        "/agenda/" + "A" * 43 + ".ics",  # the shape of a token, never issued
        "/agenda/abc.ics",
        "/agenda/" + "A" * 43,  # without the suffix
        "/agenda/" + "A" * 500 + ".ics",
        "/agenda/%C3%A7%20%27%3B.ics",
    ],
)
def test_an_unknown_token_is_not_found(portal, path):
    assert _anonymous_get(portal, path).status_code == 404


def test_an_address_that_keeps_guessing_is_made_to_wait_but_real_feeds_still_answer(
    portal, monkeypatch
):
    monkeypatch.setattr("espaco.web.avisos.pause_refusal", _no_pause)
    path = _create(portal)
    statuses = [
        _anonymous_get(portal, f"/agenda/{'B' * 42}{n % 10}.ics").status_code for n in range(6)
    ]
    assert statuses[:4] == [404, 404, 404, 404] and statuses[-1] == 429
    waiting = _anonymous_get(portal, f"/agenda/{'C' * 43}.ics")
    assert waiting.status_code == 429 and int(waiting.headers["retry-after"]) >= 1
    assert _anonymous_get(portal, path).status_code == 200  # a real feed is never held


async def _no_pause(refused: bool) -> None:
    return None


def test_the_feed_is_bounded(portal, monkeypatch):
    monkeypatch.setattr(calendar_feed, "MAX_EVENTS", 1)
    body = _anonymous_get(portal, _create(portal)).content
    assert len(icalendar.Calendar.from_ical(body).walk("VEVENT")) == 1


def test_staff_see_the_clients_choices_on_the_configuracoes_tab(settings):
    from litestar.testing import TestClient
    from support import make_client, make_staff, staff_login

    from espaco.app import create_app
    from espaco.services.collections import done_email as done

    with TestClient(app=create_app(settings)) as staff:
        make_staff(staff, "ana")
        assert staff_login(staff, "ana").status_code == 303
        client_id = make_client(staff)

        def tab() -> dict[str, str]:
            page = soup(staff.get(f"/admin/clientes/{client_id}?aba=configuracoes"))
            cells = page.select(".avisos-cliente dt, .avisos-cliente dd")
            return {
                cells[i].get_text(strip=True): cells[i + 1].get_text(" ", strip=True)
                for i in range(0, len(cells), 2)
            }

        before = tab()
        assert before["Aviso de coleta realizada"] == "Desligado"
        assert before["Agenda de coletas (calendário)"] == "Desligada"

        async def choose() -> None:
            await done.set_enabled(client_id, True)
            await calendar_feed.renew(client_id, now=datetime.now(UTC))

        call(staff, choose)
        after = tab()
        assert after["Aviso de coleta realizada"].startswith("Ligado")
        assert after["Agenda de coletas (calendário)"].startswith("Ligada — endereço criado em")
        assert "/agenda/" not in staff.get(f"/admin/clientes/{client_id}?aba=configuracoes").text
