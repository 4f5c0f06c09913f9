"""``espaco verificar``: an install checked the way an operator would, one line per check.

Settings (and what production mode would refuse), the database reachable, migrations pending,
the SMTP server's login (and, asked for, a test e-mail), free disk space, the media folder
writable, and the age of the last backup. Each check gives ``ok``, ``aviso`` or ``FALHA``;
a FALHA makes the command exit 1, so a monitoring job can run it.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import shutil
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from espaco.db import database
from espaco.mail import NoStartTls, SmtpTransport, sender_address, transport_for
from espaco.production import is_production, refusals
from espaco.services.operations.backup import last_backup
from espaco.services.operations.media import MediaError, media_files
from espaco.settings import Settings

OK, WARN, FAIL = "ok", "aviso", "FALHA"
MIN_FREE_BYTES = 1 << 30  # 1 GiB: below it a backup or an import may not fit
MIN_FREE_SHARE = 0.10
BACKUP_MAX_AGE = timedelta(hours=26)  # a daily backup, with two hours of slack
DB_TIMEOUT = 10.0


@dataclass(frozen=True)
class Check:
    status: str
    what: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<6}{self.what}: {self.detail}"


async def verify(
    settings: Settings,
    *,
    now: datetime,
    environ: Mapping[str, str] | None = None,
    test_email_to: str = "",
) -> list[Check]:
    """Run every check against the configured install (the database is already configured)."""
    checks = [_settings_check(environ)]
    checks += await _database_checks()
    checks.append(await asyncio.to_thread(_smtp_check, settings))
    if test_email_to:
        checks.append(await _send_test_email(settings, test_email_to, now))
    checks.append(await asyncio.to_thread(pdf_check))
    checks.append(_disk_check(settings))
    checks.append(_media_check(settings))
    checks.append(_backup_check(settings, now))
    return checks


def _settings_check(environ: Mapping[str, str] | None) -> Check:
    problems = refusals(environ)
    if is_production(environ):
        if problems:
            return Check(FAIL, "configuração (produção)", " | ".join(problems))
        return Check(OK, "configuração (produção)", "nada que o modo produção recuse")
    if problems:
        return Check(WARN, "configuração", "em produção seria recusado: " + " | ".join(problems))
    return Check(OK, "configuração", "pronta também para ESPACO_ENV=production")


async def _database_checks() -> list[Check]:
    try:
        healthy = await asyncio.wait_for(database.is_healthy(), DB_TIMEOUT)
    except TimeoutError:
        healthy = False
    if not healthy:
        return [Check(FAIL, "banco", "não responde (veja ESPACO_DATABASE_URL e o log)")]
    waiting = await database.pending()
    if waiting:
        migrations = Check(
            FAIL, "migrações", f"{len(waiting)} pendente(s): rode espaco migrate ({waiting[0]}…)"
        )
    else:
        migrations = Check(OK, "migrações", "todas aplicadas")
    return [Check(OK, "banco", "responde"), migrations]


def _smtp_check(settings: Settings) -> Check:
    transport = transport_for(settings)
    if not isinstance(transport, SmtpTransport):
        return Check(
            WARN, "e-mail", f"sem ESPACO_SMTP_URL: as mensagens ficam em {settings.outbox_dir}"
        )
    where = f"{transport.host}:{transport.port}"
    try:
        smtp = transport.connect()
    except NoStartTls:
        return Check(FAIL, "e-mail", f"{where}: o servidor não oferece STARTTLS")
    except (OSError, smtplib.SMTPException) as exc:
        return Check(FAIL, "e-mail", f"{where}: {type(exc).__name__} (servidor, usuário ou senha)")
    with contextlib.suppress(OSError, smtplib.SMTPException):
        smtp.quit()
    smtp.close()
    if transport.insecure:
        return Check(WARN, "e-mail", f"{where}: sem criptografia (smtp+insecure)")
    login = "login aceito" if transport.username else "conectado (sem login)"
    return Check(OK, "e-mail", f"{where}: {login}, com TLS")


async def _send_test_email(settings: Settings, to: str, now: datetime) -> Check:
    message = EmailMessage()
    message["Subject"] = "Teste do Espaço do Cliente"
    message["From"] = sender_address(settings)
    message["To"] = to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain="espaco.local")
    message.set_content("Este e-mail confirma que o portal consegue enviar mensagens.\n")
    try:
        refused = await transport_for(settings).send(message, [to])
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        return Check(FAIL, "e-mail de teste", f"não enviado: {exc}")
    if refused:
        return Check(FAIL, "e-mail de teste", f"recusado pelo servidor: {', '.join(refused)}")
    return Check(OK, "e-mail de teste", f"enviado para {to}")


def pdf_check() -> Check:
    """A boleto rendered with the package's fonts (a broken install or build lacks them)."""
    from espaco.pdf.boleto import BoletoPdf, render_boleto

    slip = BoletoPdf(
        bank_code="001",
        bank_name="Banco do Brasil",
        barcode="00195101600000150750000002812345670000012318",
        digitable_line="00190000090281234567200000123182510160000015075",
        due_on=date(2026, 12, 10),
        amount_cents=15075,
        document_number="TESTE",
        issued_on=date(2026, 11, 28),
        payer_name="Cliente de Teste — São João",
        payer_document="11222333000181",
        beneficiary_name="Espaço do Cliente",
        beneficiary_document="11222333000181",
    )
    try:
        pdf = render_boleto(slip)
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        return Check(FAIL, "PDF", f"o boleto de teste não foi gerado: {exc}")
    return Check(OK, "PDF", f"boleto de teste gerado ({len(pdf) // 1024} KB, fontes do pacote)")


def _disk_check(settings: Settings) -> Check:
    usage = shutil.disk_usage(settings.data_dir)
    free_gb = usage.free / (1 << 30)
    detail = f"{free_gb:.1f} GB livres ({usage.free / usage.total:.0%}) em {settings.data_dir}"
    if usage.free < MIN_FREE_BYTES:
        return Check(FAIL, "disco", detail)
    if usage.free < MIN_FREE_SHARE * usage.total:
        return Check(WARN, "disco", detail)
    return Check(OK, "disco", detail)


def _media_check(settings: Settings) -> Check:
    # Through the media store, as the portal itself writes (a shared folder today).
    files = media_files(settings)
    where = getattr(files, "root", "o armazenamento de mídias")
    probe = f".verificar-{secrets.token_hex(8)}"
    try:
        files.write(probe, b"")
        files.delete(probe)
    except (OSError, MediaError) as exc:
        return Check(FAIL, "mídias", f"{where} não aceita gravação ({exc})")
    return Check(OK, "mídias", f"{where} aceita gravação")


def _backup_check(settings: Settings, now: datetime) -> Check:
    found = last_backup(settings)
    if found is None:
        return Check(FAIL, "backup", "nenhum espaco backup registrado nesta pasta de dados")
    at, path = found
    age = now - at
    hours = age.total_seconds() / 3600
    detail = f"o último foi há {hours:.0f} h, em {path}"
    return Check(FAIL if age > BACKUP_MAX_AGE else OK, "backup", detail)
