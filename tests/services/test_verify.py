"""``espaco verificar``: one line per check, exit 1 when one fails."""

from __future__ import annotations

import os

import pytest
from conftest import command_env
from live import free_port

from espaco import cli


@pytest.fixture
def env(settings, monkeypatch, umask_022):
    command_env(monkeypatch, settings.data_dir)
    return settings


def lines_of(capsys) -> dict[str, str]:
    """``{check: status}`` from the command's output."""
    found = {}
    for line in capsys.readouterr().out.splitlines():
        status, _, rest = line.partition(" ")
        found[rest.strip().split(":")[0]] = status
    return found


def test_a_migrated_install_without_a_backup_fails_on_the_backup_only(env, capsys):
    assert cli.main(["verificar"]) == 1
    checks = lines_of(capsys)
    assert checks == {
        "configuração": "aviso",  # http base URL, no SMTP: production would refuse
        "banco": "ok",
        "migrações": "ok",
        "e-mail": "aviso",
        "PDF": "ok",  # a boleto with the package's fonts
        "disco": checks["disco"],  # the machine's own disk: any status
        "mídias": "ok",
        "backup": "FALHA",
    }


def test_after_a_backup_and_with_smtp_every_check_passes(
    env, smtp_server, tmp_path, monkeypatch, capsys
):
    collector, port = smtp_server.handler, smtp_server.port
    assert cli.main(["backup", str(tmp_path / "copias")]) == 0
    monkeypatch.setenv("ESPACO_SMTP_URL", f"smtp+insecure://127.0.0.1:{port}")
    capsys.readouterr()
    code = cli.main(["verificar", "--email", "operador@example.com.br"])
    out = capsys.readouterr().out
    assert "ok    backup: o último foi há 0 h" in out
    assert f"127.0.0.1:{port}" in out
    assert "ok    e-mail de teste: enviado para operador@example.com.br" in out
    assert [e.rcpt_tos for e in collector.envelopes] == [["operador@example.com.br"]]
    assert code == (1 if "FALHA disco" in out else 0)


def test_smtp_without_starttls_is_a_failure_unless_the_url_says_insecure(
    env, smtp_server, capsys, monkeypatch
):
    collector, port = smtp_server.handler, smtp_server.port  # it offers no STARTTLS
    monkeypatch.setenv("ESPACO_SMTP_URL", f"smtp://usuario:senha@127.0.0.1:{port}")
    assert cli.main(["verificar", "--email", "operador@example.com.br"]) == 1
    out = capsys.readouterr().out
    assert "não oferece STARTTLS" in out
    assert collector.envelopes == []  # neither the password nor the test e-mail went out


def test_an_smtp_server_that_is_down_is_a_failure(env, monkeypatch, capsys):
    monkeypatch.setenv("ESPACO_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    assert cli.main(["verificar"]) == 1
    assert lines_of(capsys)["e-mail"] == "FALHA"


def test_pending_migrations_are_a_failure(tmp_path, monkeypatch, capsys):
    # A fresh SQLite install whatever the engine under test (the PostgreSQL one is migrated).
    for name in list(os.environ):
        if name.startswith("ESPACO_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ESPACO_DATA_DIR", str(tmp_path / "nova"))
    monkeypatch.setenv("ESPACO_LOG_LEVEL", "WARNING")
    assert cli.main(["verificar"]) == 1
    out = capsys.readouterr().out
    assert "FALHA migrações:" in out and "rode espaco migrate" in out


def test_production_problems_are_failures_in_production(env, monkeypatch, capsys):
    monkeypatch.setenv("ESPACO_ENV", "production")
    assert cli.main(["verificar"]) == 1
    out = capsys.readouterr().out
    assert "FALHA configuração (produção): ESPACO_BASE_URL deve começar com https://" in out
