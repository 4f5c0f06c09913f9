"""E-mail messages and the ways they leave the portal: SMTP, or .eml files in the data dir.

Pure message building plus two transports; no queries. The outbox
(``services/operations/outbox.py``) decides what to send and when; this module only turns an
:class:`Email` into bytes on the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import re
import smtplib
import ssl
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr, parsedate_to_datetime
from functools import cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

from espaco.private import private_dir
from espaco.resources import resource_dir
from espaco.settings import SMTP_SCHEMES, Settings

SMTP_TIMEOUT = 20.0
SMTP_PORT = 25
SMTPS_PORT = 465
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Email:
    """One message to write to the outbox: recipients, subject and both bodies."""

    to: tuple[str, ...]
    subject: str
    text: str
    html: str = ""

    def __post_init__(self) -> None:
        if not self.to:
            raise ValueError("an e-mail needs at least one recipient")
        for address in self.to:
            # A comma would split the stored list; CR/LF would forge headers.
            if "@" not in address or any(ch in address for ch in ",\r\n"):
                raise ValueError(f"invalid recipient address: {address!r}")
        if "\r" in self.subject or "\n" in self.subject:
            raise ValueError("an e-mail subject is one line")


class DeliveryError(Exception):
    """A message was not delivered. The text is safe to store and log (no credentials).

    ``server_unavailable`` is true when the failure is the server's, not the message's (cannot
    connect, authentication refused, connection dropped): the sender stops its batch there
    instead of spending an attempt of every other message on the same outage.
    """

    def __init__(self, text: str, *, server_unavailable: bool) -> None:
        super().__init__(text)
        self.server_unavailable = server_unavailable


class NoStartTls(smtplib.SMTPException):
    """An ``smtp://`` server that offers no STARTTLS: the portal will not send in the clear."""


class Transport(Protocol):
    async def send(self, message: EmailMessage, recipients: Sequence[str]) -> list[str]:
        """Deliver ``message``; return the recipients the server refused (the rest got it).

        Raises :class:`DeliveryError` when nobody got it.
        """
        ...


# -- messages ----------------------------------------------------------------------------------
def sender_address(settings: Settings) -> str:
    """The From header: ``ESPACO_SMTP_FROM`` or ``nao-responda@<portal host>``, shown with the
    provider's name unless the setting already carries a display name."""
    name, addr = parseaddr(settings.smtp_from)
    if not addr:
        addr = f"nao-responda@{urlsplit(settings.base_url).hostname or 'localhost'}"
    return str(Address(display_name=name or settings.provider_name, addr_spec=addr))


def build_message(email: Email, *, message_id: str, sender: str, now: datetime) -> EmailMessage:
    """A multipart/alternative message (text, and HTML when there is some), UTF-8 throughout.

    Bodies are quoted-printable, so the message is 7-bit clean for any relay; the Message-ID is
    the outbox row's, stable across retries.
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(email.to)
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now.astimezone(UTC))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    message["X-Auto-Response-Suppress"] = "All"  # the same, in Exchange's dialect
    message.set_content(email.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    if email.html:
        message.add_alternative(email.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


# -- templates ---------------------------------------------------------------------------------
@cache
def email_environment() -> Environment:
    """Jinja for ``templates/emails/``: HTML autoescaped, text and subjects verbatim."""
    return Environment(
        loader=FileSystemLoader(resource_dir("templates")),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def render_email(
    templates_env: Environment, name: str, context: dict[str, Any]
) -> tuple[str, str, str]:
    """Render ``emails/<name>.subject.txt``, ``.txt`` and ``.html``: (subject, text, html).

    The subject is folded onto one line, whatever the template's line breaks.
    """
    subject = templates_env.get_template(f"emails/{name}.subject.txt").render(context)
    text = templates_env.get_template(f"emails/{name}.txt").render(context)
    html = templates_env.get_template(f"emails/{name}.html").render(context)
    return " ".join(subject.split()), text, html


# -- transports --------------------------------------------------------------------------------
class SmtpTransport:
    """SMTP through smtplib in a worker thread: one connection per message.

    ``smtp://`` upgrades with STARTTLS and refuses to go on when the server does not offer it
    (the password and the access codes would cross the network in the clear); ``smtps://`` is
    TLS from the first byte; ``smtp+insecure://`` never encrypts, for a relay on the same
    machine or network that the operator chose on purpose. User and password come from the URL,
    percent-decoded. Default ports: 25 and 465.

    Certificates are always verified: against the system's CAs, or against the PEM file named
    by ``?cafile=/path`` in the URL (a relay with a private CA or a self-signed certificate).
    """

    def __init__(
        self,
        url: str,
        *,
        local_hostname: str | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in SMTP_SCHEMES:
            raise ValueError("SMTP URL must start with smtp://, smtps:// or smtp+insecure://")
        self.implicit_tls = parts.scheme == "smtps"
        self.insecure = parts.scheme == "smtp+insecure"
        self.cafile = parse_qs(parts.query).get("cafile", [""])[-1]
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (SMTPS_PORT if self.implicit_tls else SMTP_PORT)
        self.username = unquote(parts.username or "")
        self.password = unquote(parts.password or "")
        self.local_hostname = local_hostname
        self._secrets = _secrets_of(url)

    def __repr__(self) -> str:
        return f"SmtpTransport({self.mode})"

    @property
    def mode(self) -> str:
        """How messages leave, for the start-up log (no credentials)."""
        where = f"SMTP {self.host}:{self.port}"
        trust = "certificado verificado" + (f" por {self.cafile}" if self.cafile else "")
        if self.implicit_tls:
            return f"{where}, TLS desde a conexão (smtps), {trust}"
        if self.insecure:
            return f"{where}, SEM criptografia (smtp+insecure): só para um relay local"
        return f"{where}, STARTTLS obrigatório, {trust}"

    async def send(self, message: EmailMessage, recipients: Sequence[str]) -> list[str]:
        try:
            return await asyncio.to_thread(self._send_sync, message, list(recipients))
        except UnicodeEncodeError:
            # smtplib sends AUTH as ASCII; the exception object would hold the credentials.
            raise DeliveryError(
                "usuário e senha SMTP devem ter só caracteres ASCII", server_unavailable=True
            ) from None
        except NoStartTls as exc:
            raise DeliveryError(str(exc), server_unavailable=True) from None
        except (OSError, smtplib.SMTPException) as exc:  # SMTPException is an OSError too
            text = redact(f"{type(exc).__name__}: {exc}", self._secrets)
            message_specific = isinstance(
                exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError
            )
            # "from None": the original may carry protocol details; the redacted text is enough.
            raise DeliveryError(text, server_unavailable=not message_specific) from None

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile or None)

    def connect(self) -> smtplib.SMTP:
        """An open, logged-in connection under this URL's rules: TLS from the first byte
        (smtps), STARTTLS or nothing sent (smtp), or plain only when asked (smtp+insecure).
        The caller closes it. ``verificar`` uses it too, so both follow one rule."""
        context = self.tls_context()
        smtp: smtplib.SMTP
        if self.implicit_tls:
            smtp = smtplib.SMTP_SSL(
                self.host,
                self.port,
                local_hostname=self.local_hostname,
                timeout=SMTP_TIMEOUT,
                context=context,
            )
        else:
            smtp = smtplib.SMTP(
                self.host, self.port, local_hostname=self.local_hostname, timeout=SMTP_TIMEOUT
            )
        try:
            smtp.ehlo()
            if not self.implicit_tls and not self.insecure:
                if not smtp.has_extn("starttls"):
                    raise NoStartTls(
                        "o servidor SMTP não oferece STARTTLS: nada foi enviado, para a senha e os "
                        "códigos não passarem às claras. Use smtps://, um servidor com STARTTLS, "
                        "ou smtp+insecure:// para um relay local"
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _send_sync(self, message: EmailMessage, recipients: list[str]) -> list[str]:
        smtp = self.connect()
        try:
            refused = smtp.send_message(message, to_addrs=recipients)
            # Once the server took the message, a failing QUIT must not turn it into a retry
            # (that would deliver it twice).
            with contextlib.suppress(OSError, smtplib.SMTPException):
                smtp.quit()
            return sorted(refused)
        finally:
            smtp.close()


class FileTransport:
    """Writes each message to ``<dir>/<created-at>-<message-id>.eml``, atomically.

    Writing the same message again replaces its file, so a retried delivery leaves one file.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __repr__(self) -> str:
        return f"FileTransport({self.directory})"

    @property
    def mode(self) -> str:
        return f"arquivos .eml em {self.directory} (ESPACO_SMTP_URL vazio)"

    async def send(self, message: EmailMessage, recipients: Sequence[str]) -> list[str]:
        try:
            await asyncio.to_thread(self.write, message)
        except OSError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}", server_unavailable=True) from exc
        return []

    def path_for(self, message: EmailMessage) -> Path:
        created = parsedate_to_datetime(str(message["Date"])).astimezone(UTC)
        message_id = _UNSAFE_FILENAME.sub("_", str(message["Message-ID"]).strip("<> "))
        return self.directory / f"{created:%Y%m%dT%H%M%SZ}-{message_id}.eml"

    def write(self, message: EmailMessage) -> Path:
        path = self.path_for(message)
        private_dir(self.directory)
        fd, temp_name = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.as_bytes())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return path


def transport_for(settings: Settings) -> SmtpTransport | FileTransport:
    """SMTP when ``ESPACO_SMTP_URL`` is set, else .eml files under the data dir."""
    if settings.smtp_url:
        return SmtpTransport(settings.smtp_url, local_hostname=_ehlo_name(settings.base_url))
    return FileTransport(settings.outbox_dir)


# -- secrets -----------------------------------------------------------------------------------
def _secrets_of(url: str) -> tuple[str, ...]:
    """The user and password of a URL, raw and percent-decoded, longest first."""
    parts = urlsplit(url)
    found = {s for raw in (parts.username, parts.password) if raw for s in (raw, unquote(raw))}
    return tuple(sorted(found, key=len, reverse=True))


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def redact_url_secrets(text: str, url: str) -> str:
    """``text`` without the credentials of ``url`` (for errors that reach storage or logs)."""
    return redact(text, _secrets_of(url)) if url else text


def _ehlo_name(base_url: str) -> str | None:
    """The portal's host for EHLO (an IP as an address literal); None lets smtplib choose."""
    host = urlsplit(base_url).hostname
    if not host:
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    return f"[IPv6:{address}]" if address.version == 6 else f"[{address}]"
