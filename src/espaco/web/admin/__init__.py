"""The back-office (``/admin``): one small module per area; :data:`ROUTES` lists them all."""

from __future__ import annotations

from espaco.web.admin import account, clients, groups, login, outbox, solicitacoes, tokens

ROUTES = [
    login.login_page,
    login.login_submit,
    login.code_page,
    login.code_submit,
    login.logout,
    login.admin_home,
    account.totp_page,
    account.totp_confirm,
    clients.client_list,
    clients.client_page,
    clients.add_email,
    clients.remove_email,
    clients.generate_code,
    clients.set_active,
    *groups.ROUTES,
    outbox.outbox_page,
    outbox.retry,
    outbox.send_pending,
    solicitacoes.queue_page,
    solicitacoes.request_page,
    solicitacoes.schedule,
    solicitacoes.refuse,
    tokens.tokens_page,
    tokens.create_token,
    tokens.revoke_token,
]

__all__ = ["ROUTES"]
