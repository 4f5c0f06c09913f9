"""Messages, the access-code template and both transports, against a real SMTP server."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from live import free_port
from smtp_support import Authenticator, Collector, SmtpServer, server_tls_context

from espaco.mail import (
    DeliveryError,
    Email,
    FileTransport,
    SmtpTransport,
    build_message,
    email_environment,
    redact_url_secrets,
    render_email,
    sender_address,
    transport_for,
)
from espaco.settings import Settings

NOW = datetime(2026, 11, 28, 14, 30, tzinfo=UTC)
MESSAGE_ID = "<0123456789abcdef@espaco>"
USER = "portal@verdecampo.com.br"
PASSWORD = "s3nh@:/forte %"  # needs percent-encoding in a URL
PASSWORD_IN_URL = "s3nh%40%3A%2Fforte%20%25"
ACCESS_CONTEXT = {
    "client_name": "Padaria Pão & Mel Ltda",
    "code": "ABCD-EFGH-JKMN-PQRS",
    "base_url": "http://portal.example.com.br/",
    "provider_name": "Verde Campo Ambiental Ltda",
    "document_formatted": "11.222.333/0001-81",
}


# -- a real SMTP server in this process (tests/smtp_support.py) ----------------------------------
@pytest.fixture
def smtp_auth() -> Iterator[tuple[Collector, Authenticator, int]]:
    authenticator = Authenticator(USER, PASSWORD)
    with SmtpServer(authenticator=authenticator, auth_require_tls=False) as server:
        yield server.handler, authenticator, server.port


def sample_email(**overrides: Any) -> Email:
    values: dict[str, Any] = {
        "to": ("financeiro@padaria.com.br", "dono@padaria.com.br"),
        "subject": "Seu código de acesso ao Espaço do Cliente — Verde Campo",
        "text": "Código: ABCD-EFGH-JKMN-PQRS\nAção necessária.\n",
        "html": "<p>Código: <strong>ABCD-EFGH-JKMN-PQRS</strong></p>",
    }
    values.update(overrides)
    return Email(**values)


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()  # type: ignore[attr-defined]


# -- messages ----------------------------------------------------------------------------------
def test_message_is_multipart_alternative_in_utf8_with_stable_headers() -> None:
    message = build_message(
        sample_email(), message_id=MESSAGE_ID, sender='"Verde Campo" <a@b.com.br>', now=NOW
    )
    parsed = parse(message.as_bytes())
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["Subject"] == "Seu código de acesso ao Espaço do Cliente — Verde Campo"
    assert parsed["To"] == "financeiro@padaria.com.br, dono@padaria.com.br"
    assert parsed["Message-ID"] == MESSAGE_ID
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Date"].datetime == NOW
    text, html = parts(parsed)
    assert "Ação necessária." in text
    assert "<strong>ABCD-EFGH-JKMN-PQRS</strong>" in html
    for part in parsed.iter_parts():
        assert part.get_content_charset() == "utf-8"


def test_message_bytes_are_seven_bit_clean_for_any_relay() -> None:
    message = build_message(sample_email(), message_id=MESSAGE_ID, sender="a@b.com.br", now=NOW)
    assert max(message.as_bytes()) < 128


def test_message_without_html_is_plain_text() -> None:
    message = build_message(
        sample_email(html=""), message_id=MESSAGE_ID, sender="a@b.com.br", now=NOW
    )
    assert message.get_content_type() == "text/plain"


@pytest.mark.parametrize(
    "to", [(), ("sem-arroba",), ("a@b.com, c@d.com",), ("a@b.com\r\nBcc: x@y.com",)]
)
def test_email_refuses_missing_or_forged_recipients(to: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        sample_email(to=to)


def test_email_subject_is_one_line() -> None:
    with pytest.raises(ValueError):
        sample_email(subject="Assunto\nBcc: x@y.com")


def test_default_sender_is_no_reply_at_the_portal_host_with_the_provider_name(
    settings: Settings,
) -> None:
    parsed = parse(
        build_message(
            sample_email(), message_id=MESSAGE_ID, sender=sender_address(settings), now=NOW
        ).as_bytes()
    )
    assert parsed["From"].addresses[0].display_name == "Verde Campo Ambiental Ltda"
    assert parsed["From"].addresses[0].addr_spec == "nao-responda@portal.example.com.br"


def test_configured_sender_gets_the_provider_name_unless_it_has_one(settings: Settings) -> None:
    bare = replace(settings, smtp_from="contato@verdecampo.com.br")
    assert sender_address(bare) == "Verde Campo Ambiental Ltda <contato@verdecampo.com.br>"
    named = replace(settings, smtp_from="Verde Campo <contato@verdecampo.com.br>")
    assert sender_address(named) == "Verde Campo <contato@verdecampo.com.br>"


# -- the access-code template --------------------------------------------------------------------
def test_access_code_email_says_what_the_client_needs_in_portuguese() -> None:
    subject, text, html = render_email(email_environment(), "access_code", ACCESS_CONTEXT)
    assert subject == ("Seu código de acesso ao Espaço do Cliente — Verde Campo Ambiental Ltda")
    for body in (text, html):
        assert "ABCD-EFGH-JKMN-PQRS" in body
        assert "http://portal.example.com.br/entrar" in body
        assert "11.222.333/0001-81" in body
        assert "com ou sem pontos, barras e traços" in body
        assert "substitui qualquer código enviado antes" in body
        assert "nunca pede este código por telefone" in body
    assert "Padaria Pão & Mel Ltda" in text
    assert "Padaria Pão &amp; Mel Ltda" in html  # HTML escaped, text verbatim
    assert '<a href="http://portal.example.com.br/entrar">' in html
    assert '<html lang="pt-BR">' in html


def test_access_code_subject_is_one_line_without_the_document() -> None:
    subject, _, _ = render_email(email_environment(), "access_code", ACCESS_CONTEXT)
    assert "\n" not in subject
    assert "11.222.333" not in subject  # LGPD: never a document in a subject


# -- file transport ------------------------------------------------------------------------------
async def test_file_transport_writes_an_eml_that_parses_back(tmp_path: Path) -> None:
    transport = FileTransport(tmp_path / "emails")
    message = build_message(sample_email(), message_id=MESSAGE_ID, sender="a@b.com.br", now=NOW)
    assert await transport.send(message, sample_email().to) == []
    files = list((tmp_path / "emails").iterdir())
    assert [f.name for f in files] == ["20261128T143000Z-0123456789abcdef_espaco.eml"]
    parsed = parse(files[0].read_bytes())
    assert parsed["Message-ID"] == MESSAGE_ID
    assert "ABCD-EFGH-JKMN-PQRS" in parts(parsed)[0]


def test_file_transport_writing_a_message_again_leaves_one_file(tmp_path: Path) -> None:
    transport = FileTransport(tmp_path)
    message = build_message(sample_email(), message_id=MESSAGE_ID, sender="a@b.com.br", now=NOW)
    transport.write(message)
    transport.write(message)
    assert sorted(tmp_path.iterdir()) == [transport.path_for(message)]  # no temporary files


def test_transport_is_files_without_smtp_url_and_smtp_with_it(settings: Settings) -> None:
    files = transport_for(settings)
    assert isinstance(files, FileTransport)
    assert files.directory == settings.data_dir / "emails"
    smtp = transport_for(replace(settings, smtp_url="smtps://u:p@mail.example.com"))
    assert isinstance(smtp, SmtpTransport)
    assert (smtp.host, smtp.port, smtp.implicit_tls) == ("mail.example.com", 465, True)
    assert smtp.local_hostname == "portal.example.com.br"


# -- SMTP transport ------------------------------------------------------------------------------
async def test_smtp_transport_delivers_to_every_recipient(smtp_server: SmtpServer) -> None:
    handler, port = smtp_server.handler, smtp_server.port
    transport = SmtpTransport(f"smtp+insecure://127.0.0.1:{port}")
    message = build_message(sample_email(), message_id=MESSAGE_ID, sender="a@b.com.br", now=NOW)
    assert await transport.send(message, sample_email().to) == []
    (envelope,) = handler.envelopes
    assert envelope.rcpt_tos == ["financeiro@padaria.com.br", "dono@padaria.com.br"]
    assert envelope.mail_from == "a@b.com.br"
    (received,) = handler.messages()
    assert received["Subject"] == "Seu código de acesso ao Espaço do Cliente — Verde Campo"
    assert received["Message-ID"] == MESSAGE_ID


async def test_smtp_transport_logs_in_with_percent_decoded_credentials(
    smtp_auth: tuple[Collector, Authenticator, int],
) -> None:
    handler, authenticator, port = smtp_auth
    url = f"smtp+insecure://{USER.replace('@', '%40')}:{PASSWORD_IN_URL}@127.0.0.1:{port}"
    message = build_message(sample_email(), message_id=MESSAGE_ID, sender="a@b.com.br", now=NOW)
    await SmtpTransport(url).send(message, sample_email().to)
    assert authenticator.seen == [(USER, PASSWORD)]
    assert len(handler.envelopes) == 1


async def test_smtp_login_failure_is_reported_without_credentials(
    smtp_auth: tuple[Collector, Authenticator, int],
) -> None:
    handler, _, port = smtp_auth
    url = f"smtp+insecure://{USER.replace('@', '%40')}:errada%40{PASSWORD_IN_URL}@127.0.0.1:{port}"
    transport = SmtpTransport(url)
    message = build_message(sample_email(), message_id=MESSAGE_ID, sender="a@b.com.br", now=NOW)
    with pytest.raises(DeliveryError) as caught:
        await transport.send(message, sample_email().to)
    assert "SMTPAuthenticationError" in str(caught.value)
    assert caught.value.server_unavailable
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert handler.envelopes == []
    for secret in ("errada", PASSWORD, PASSWORD_IN_URL, "s3nh"):
        assert secret not in str(caught.value)
        assert secret not in repr(transport)


async def test_smtp_non_ascii_credentials_are_refused_without_showing_them(
    smtp_auth: tuple[Collector, Authenticator, int],
) -> None:
    _, _, port = smtp_auth
    transport = SmtpTransport(f"smtp+insecure://user:s3nh%C3%A9@127.0.0.1:{port}")
    message = build_message(sample_email(), message_id=MESSAGE_ID, sender="a@b.com.br", now=NOW)
    with pytest.raises(DeliveryError, match="ASCII") as caught:
        await transport.send(message, sample_email().to)
    assert "s3nh" not in str(caught.value)
    assert caught.value.__context__ is None or caught.value.__suppress_context__


async def test_smtp_server_down_is_a_delivery_error_of_the_server() -> None:
    transport = SmtpTransport(f"smtp://user:{PASSWORD_IN_URL}@127.0.0.1:{free_port()}")
    message = build_message(sample_email(), message_id=MESSAGE_ID, sender="a@b.com.br", now=NOW)
    with pytest.raises(DeliveryError) as caught:
        await transport.send(message, sample_email().to)
    assert caught.value.server_unavailable
    assert "Connection" in str(caught.value) or "refused" in str(caught.value).lower()
    assert "s3nh" not in str(caught.value)


async def test_smtp_transport_upgrades_with_starttls_when_offered(
    certificate: tuple[Path, Path],
) -> None:
    handler = Collector()
    tls = server_tls_context(*certificate)
    with SmtpServer(handler, tls_context=tls, require_starttls=True) as server:
        transport = SmtpTransport(f"smtp://127.0.0.1:{server.port}?cafile={certificate[0]}")
        message = build_message(sample_email(), message_id=MESSAGE_ID, sender="a@b.com.br", now=NOW)
        await transport.send(message, sample_email().to)
    assert len(handler.envelopes) == 1
    assert handler.sessions[0].ssl is not None


async def test_smtps_is_tls_from_the_first_byte(certificate: tuple[Path, Path]) -> None:
    handler = Collector()
    with SmtpServer(handler, ssl_context=server_tls_context(*certificate)) as server:
        transport = SmtpTransport(f"smtps://127.0.0.1:{server.port}?cafile={certificate[0]}")
        message = build_message(sample_email(), message_id=MESSAGE_ID, sender="a@b.com.br", now=NOW)
        await transport.send(message, sample_email().to)
    assert len(handler.envelopes) == 1


async def test_smtps_refuses_a_certificate_it_cannot_verify(
    certificate: tuple[Path, Path],
) -> None:
    with SmtpServer(ssl_context=server_tls_context(*certificate)) as server:
        transport = SmtpTransport(f"smtps://127.0.0.1:{server.port}")
        message = build_message(sample_email(), message_id=MESSAGE_ID, sender="a@b.com.br", now=NOW)
        with pytest.raises(DeliveryError, match="SSL"):
            await transport.send(message, sample_email().to)


def test_redaction_removes_raw_and_decoded_credentials() -> None:
    url = f"smtp://{USER.replace('@', '%40')}:{PASSWORD_IN_URL}@mail.example.com"
    text = f"falhou para {USER} com {PASSWORD} ({PASSWORD_IN_URL})"
    redacted = redact_url_secrets(text, url)
    assert USER not in redacted and PASSWORD not in redacted and PASSWORD_IN_URL not in redacted
    assert redacted.startswith("falhou para ***")
