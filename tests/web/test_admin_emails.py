"""The outbox page: filters by status, shows failures, and puts a failed message back."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from litestar.testing import TestClient
from smtp_support import SmtpServer
from support import HX, app_client, call, now, post, soup, staff_logged_in

from espaco.mail import Email
from espaco.services.access import sealing
from espaco.services.operations import outbox
from espaco.settings import Settings
from espaco.tables import AuditEvent, OutboxEmail


def enqueue(admin: TestClient, subject: str, status: str = "pending", error: str = "") -> int:
    async def write() -> int:
        email_id = await outbox.enqueue(
            Email(to=("a@cliente.com.br", "b@cliente.com.br"), subject=subject, text="corpo"),
            kind="access_code",
            now=now(),
        )
        # Due tomorrow: a sender running in the app leaves it alone during the test.
        await OutboxEmail.update(
            {
                OutboxEmail.status: status,
                OutboxEmail.attempts: 3,
                OutboxEmail.last_error: error,
                OutboxEmail.next_attempt_at: now() + timedelta(days=1),
            }
        ).where(OutboxEmail.id == email_id)
        return email_id

    return call(admin, write)


def subjects(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row.find_all("td")[3].get_text() for row in soup(response).select("#caixa tbody tr")]


def test_outbox_lists_messages_and_filters_by_status(admin: TestClient) -> None:
    enqueue(admin, "Pendente um")
    enqueue(admin, "Enviado um", "sent")
    enqueue(admin, "Falhou um", "failed", "550 caixa inexistente")
    page = admin.get("/admin/emails")
    assert page.status_code == 200
    assert subjects(page) == ["Falhou um", "Enviado um", "Pendente um"]
    cells = [td.get_text() for td in soup(page).select("#caixa tbody tr")[0].find_all("td")]
    assert cells[1] == "Código de acesso"
    assert cells[2] == "a@cliente.com.br, b@cliente.com.br"
    assert cells[5] == "3" and cells[6] == "550 caixa inexistente"
    for slug, expected in [
        ("pendente", "Pendente um"),
        ("enviado", "Enviado um"),
        ("falhou", "Falhou um"),
    ]:
        response = admin.get("/admin/emails", params={"situacao": slug})
        assert subjects(response) == [expected]
        current = soup(response).select_one("#caixa a[aria-current=page]")
        assert current["href"] == f"/admin/emails?situacao={slug}"


def test_htmx_filter_returns_only_the_list(admin: TestClient) -> None:
    enqueue(admin, "Falhou um", "failed")
    response = admin.get("/admin/emails?situacao=falhou", headers=HX)
    assert response.text.lstrip().startswith('<section id="caixa"')
    assert "HX-Request" in response.headers["vary"]


def test_only_failed_messages_offer_a_retry_which_requeues_them(admin: TestClient) -> None:
    enqueue(admin, "Pendente um")
    failed = enqueue(admin, "Falhou um", "failed", "timeout")
    page = soup(admin.get("/admin/emails"))
    buttons = page.find_all("button", string="Tentar de novo")
    assert len(buttons) == 1
    form = buttons[0].find_parent("form")
    assert form["action"] == f"/admin/emails/{failed}/tentar-de-novo"
    response = post(admin, form["action"], form_page="/admin/emails")
    assert response.status_code == 303
    landing = admin.get(response.headers["location"])
    assert "voltou para a fila" in landing.text

    async def state() -> tuple[str, int, list[str]]:
        row = (await OutboxEmail.select().where(OutboxEmail.id == failed))[0]
        actions = await AuditEvent.select(AuditEvent.action)
        return row["status"], row["attempts"], [a["action"] for a in actions]

    status, attempts, actions = call(admin, state)
    # Due now: pending again, or already sent if the app's sender was quick.
    assert status in ("pending", "sent") and attempts <= 1
    assert "outbox_retry" in actions
    again = post(admin, form["action"], form_page="/admin/emails")
    assert "nada a fazer" in admin.get(again.headers["location"]).text


# -- sending the waiting messages now (after an outage) ----------------------------------------
@pytest.fixture
def client_with_smtp(settings: Settings, smtp_down: SmtpServer) -> Iterator[TestClient]:
    with app_client(replace(settings, smtp_url=smtp_down.url)) as web:
        staff_logged_in(web, "ana", "master")
        yield web


def waiting_after_outage(admin: TestClient, subject: str) -> int:
    """A pending message that failed on an unavailable server and now waits 6 hours."""
    email_id = enqueue(admin, subject, error=outbox.SERVER_DOWN + "ConnectionRefusedError")

    async def wait_six_hours() -> None:
        await OutboxEmail.update({OutboxEmail.next_attempt_at: now() + timedelta(hours=6)}).where(
            OutboxEmail.id == email_id
        )

    call(admin, wait_six_hours)
    return email_id


def test_staff_send_the_waiting_messages_now_once_the_server_is_back(
    client_with_smtp: TestClient, smtp_down: SmtpServer
) -> None:
    admin = client_with_smtp
    waiting_after_outage(admin, "Código da padaria")
    page = soup(admin.get("/admin/emails"))
    button = page.find("button", string="Enviar pendentes agora")
    assert button is not None
    form = button.find_parent("form")
    assert form["method"] == "post" and form["action"] == "/admin/emails/enviar-pendentes"
    assert form.find("input", attrs={"name": "_csrf_token"})["value"]

    smtp_down.start()  # the outage is over
    response = post(admin, form["action"], form_page="/admin/emails", headers=HX)
    assert response.status_code == 303
    assert (
        "1 mensagem pendente vai ser enviada agora" in admin.get(response.headers["location"]).text
    )
    deadline = time.monotonic() + 10
    while not smtp_down.handler.envelopes and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m["Subject"] for m in smtp_down.handler.messages()] == ["Código da padaria"]

    async def audited() -> list[dict]:
        return await AuditEvent.select().where(AuditEvent.action == "outbox_send_pending")

    (event,) = call(admin, audited)
    details = event["details"]
    assert event["actor"] == "ana"
    assert (json.loads(details) if isinstance(details, str) else details) == {"emails": 1}


def test_sending_the_waiting_messages_needs_the_forms_csrf_token(
    client_with_smtp: TestClient,
) -> None:
    email_id = waiting_after_outage(client_with_smtp, "Código")
    refused = client_with_smtp.post("/admin/emails/enviar-pendentes", follow_redirects=False)
    assert refused.status_code == 403

    async def due() -> datetime:
        (row,) = await OutboxEmail.select().where(OutboxEmail.id == email_id)
        return row["next_attempt_at"]

    assert call(client_with_smtp, due) > now() + timedelta(hours=5)


def test_a_failed_access_code_whose_code_was_wiped_asks_for_a_new_code(
    admin: TestClient,
) -> None:
    failed = enqueue(admin, "Seu código", "failed", "550 caixa inexistente")

    async def masked() -> None:
        await OutboxEmail.update({OutboxEmail.body_text: f"Código: {sealing.MASK}"}).where(
            OutboxEmail.id == failed
        )

    call(admin, masked)
    response = post(admin, f"/admin/emails/{failed}/tentar-de-novo", form_page="/admin/emails")
    assert "Gere um novo código" in admin.get(response.headers["location"]).text


def test_every_kind_of_e_mail_has_a_portuguese_label() -> None:
    from espaco.resources import resource_dir
    from espaco.web.admin.outbox import KIND_LABELS

    kinds = {p.name.split(".")[0] for p in resource_dir("templates").joinpath("emails").iterdir()}
    assert kinds == set(KIND_LABELS), "templates/emails and KIND_LABELS name different kinds"


def test_the_outbox_shows_each_kind_by_its_label_never_the_raw_kind(admin: TestClient) -> None:
    from espaco.web.admin.outbox import KIND_LABELS

    async def write() -> None:
        for kind in KIND_LABELS:
            await outbox.enqueue(
                Email(to=("a@cliente.com.br",), subject=kind, text="corpo"), kind=kind, now=now()
            )
        await OutboxEmail.update({OutboxEmail.next_attempt_at: now() + timedelta(days=1)}).where(
            OutboxEmail.id > 0
        )

    call(admin, write)
    rows = soup(admin.get("/admin/emails")).select("#caixa tbody tr")
    shown = {r.find_all("td")[3].get_text(): r.find_all("td")[1].get_text() for r in rows}
    assert shown == KIND_LABELS
