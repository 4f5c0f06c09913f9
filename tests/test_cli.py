"""The ``espaco`` command, run in-process as a person would run it."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sqlite3
import time
from datetime import date

import pytest
from conftest import PG_URL, TEST_SECRET

from espaco import cli, database
from espaco.demo import build_demo_import
from espaco.services.passwords import verify_secret
from espaco.tables import AuditEvent, Client, Invoice, StaffUser


@pytest.fixture
def env(settings, monkeypatch):
    """The command's environment: the test's data dir and database."""
    monkeypatch.setenv("ESPACO_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ESPACO_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("ESPACO_LOG_LEVEL", "WARNING")
    if PG_URL:
        monkeypatch.setenv("ESPACO_DATABASE_URL", PG_URL)
    return settings


def query(settings, fn):
    async def run():
        engine = database.configure(settings)
        await database.start(engine)
        try:
            return await fn()
        finally:
            await database.stop(engine)

    return asyncio.run(run())


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        ([], "comandos"),
        (["serve"], "processos de trabalho"),
        (["demo"], "pasta da demonstração"),
        (["import"], "o arquivo JSON"),
        (["staff", "create"], "papel"),
        (["staff", "reset-2fa"], "USUARIO"),
        (["backup"], "DESTINO"),
    ],
)
def test_help_is_in_portuguese(argv, words, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*argv, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "usage" in out or "uso" in out
    assert words in out or words == "papel" and "--role" in out


def test_import_prints_a_summary_and_a_second_run_changes_nothing(env, tmp_path, capsys):
    document = build_demo_import(tmp_path / "imp", today=date(2026, 11, 28))
    assert cli.main(["import", str(document.path)]) == 0
    first = capsys.readouterr().out
    assert "Importação concluída" in first
    assert "clientes              12            0            0" in first
    assert cli.main(["import", str(document.path)]) == 0
    second = capsys.readouterr().out
    assert "faturas                0            0          288" in second


def test_import_of_a_bad_file_lists_every_problem_exits_1_and_writes_nothing(env, tmp_path, capsys):
    bad = {
        "format": "espaco-import/1",
        "clients": [
            {"external_id": "C1", "document": "12.ABC.345/01DE-36", "name": "A", "cor": "azul"},
        ],
        "invoices": [
            {
                "external_id": "F1",
                "client": "C9",
                "reference_start": "2026-10-01",
                "reference_end": "2026-10-31",
                "issued_on": "2026-11-01",
                "due_on": "2026-11-10",
                "amount": "-5.00",
                "status": "open",
            },
        ],
    }
    path = tmp_path / "ruim.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    assert cli.main(["import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Nada foi gravado." in err
    for fragment in (
        "clients[0].document",
        "clients[0].cor",
        "invoices[0].client",
        "invoices[0].amount",
    ):
        assert fragment in err
    assert query(env, Client.count) == 0 and query(env, Invoice.count) == 0


def test_import_of_a_missing_file_says_so(env, capsys):
    assert cli.main(["import", "/nao/existe.json"]) == 2
    assert "arquivo não encontrado" in capsys.readouterr().err


def test_staff_create_reads_the_password_from_standard_input(env, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("uma senha bem longa\n"))
    assert cli.main(["staff", "create", "Maria", "--role", "master"]) == 0
    assert "usuário maria criado (master)" in capsys.readouterr().out
    rows = query(env, lambda: StaffUser.select().where(StaffUser.username == "maria"))
    assert rows[0]["role"] == "master"
    assert verify_secret(rows[0]["password_hash"], "uma senha bem longa")

    monkeypatch.setattr("sys.stdin", io.StringIO("curta\n"))
    assert cli.main(["staff", "create", "joao", "--role", "planejamento"]) == 2
    assert "ao menos 10 caracteres" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("aaaaaaaaaa", "repetido"),
        ("1234567890", "sequência"),
        ("password2026", "mais usadas"),
        ("joao-da-silva-2026", "nome de usuário"),
    ],
)
def test_staff_create_refuses_a_common_or_trivial_password(
    env, monkeypatch, capsys, password, says
):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    assert cli.main(["staff", "create", "joao", "--role", "master"]) == 2
    assert says in capsys.readouterr().err
    assert query(env, StaffUser.count) == 0


def test_staff_reset_2fa_forgets_the_secret_and_ends_the_sessions(env, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("uma senha bem longa\n"))
    assert cli.main(["staff", "create", "ana", "--role", "master"]) == 0

    async def enrolled() -> None:
        await StaffUser.update(
            {StaffUser.totp_secret: "JBSWY3DPEHPK3PXP", StaffUser.totp_enabled: True,
             StaffUser.totp_last_step: 123}
        ).where(StaffUser.username == "ana")  # fmt: skip

    query(env, enrolled)
    assert cli.main(["staff", "reset-2fa", "Ana"]) == 0
    assert "desligada para ana" in capsys.readouterr().out
    (row,) = query(env, lambda: StaffUser.select().where(StaffUser.username == "ana"))
    assert (row["totp_secret"], row["totp_enabled"], row["totp_last_step"]) == (None, False, None)
    assert row["session_epoch"] == 1  # every session of hers ends at once
    actions = query(env, lambda: AuditEvent.select(AuditEvent.action, AuditEvent.details))
    assert actions[-1]["action"] == "staff_totp_reset"
    assert cli.main(["staff", "reset-2fa", "ninguem"]) == 1
    assert "não existe" in capsys.readouterr().err


def test_migrate_applies_once_then_reports_up_to_date(env, monkeypatch, capsys):
    monkeypatch.setenv("ESPACO_DATABASE_URL", f"sqlite:///{env.data_dir / 'novo.db'}")
    assert cli.main(["migrate"]) == 0
    first = capsys.readouterr().out
    assert "aplicada: 2026-11-28T17:41:01:000000" in first  # the last migration, by its id
    assert "atualizado" not in first
    assert cli.main(["migrate"]) == 0
    assert capsys.readouterr().out.strip() == "o banco já está atualizado"


def test_serve_refuses_many_workers_on_sqlite(env, monkeypatch, capsys):
    monkeypatch.setenv("ESPACO_DATABASE_URL", f"sqlite:///{env.data_dir / 'outro.db'}")
    assert cli.main(["serve", "--workers", "2"]) == 2
    assert "exige PostgreSQL" in capsys.readouterr().err


def test_backup_writes_a_consistent_copy(env, tmp_path, capsys):
    document = build_demo_import(tmp_path / "imp", today=date(2026, 11, 28))
    assert cli.main(["import", str(document.path)]) == 0
    assert cli.main(["backup", str(tmp_path / "copias")]) == 0
    (target,) = (tmp_path / "copias").iterdir()
    assert (target / "media").is_dir()
    assert (target / "secret_key").is_file() == (env.data_dir / "secret_key").is_file()
    if not PG_URL:
        copy = sqlite3.connect(target / "espaco.db")
        assert copy.execute("SELECT COUNT(*) FROM client").fetchone() == (12,)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_demo_prepares_a_portal_and_prints_the_logins(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ESPACO_DATABASE_URL", raising=False)
    monkeypatch.setenv("ESPACO_LOG_LEVEL", "WARNING")
    assert cli.main(["demo", "--data-dir", str(tmp_path / "demo"), "--no-serve"]) == 0
    out = capsys.readouterr().out
    assert "Portal de demonstração pronto" in out
    assert "código " in out and "usuário admin (master)" in out
    assert (tmp_path / "demo" / "espaco.db").is_file()
    # a folder that is not a demo's is never wiped
    (tmp_path / "alheia").mkdir()
    (tmp_path / "alheia" / "importante.txt").write_text("não apague")
    with pytest.raises(SystemExit):
        cli.main(["demo", "--data-dir", str(tmp_path / "alheia"), "--no-serve"])
    assert (tmp_path / "alheia" / "importante.txt").is_file()


def test_media_prune_counts_then_deletes_old_orphans_and_refuses_a_short_grace(env, capsys):
    orphan = env.media_dir / "ab" / ("a" * 64 + ".jpg")
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x" * 30_000)
    old = time.time() - 3 * 86_400
    os.utime(orphan, (old, old))

    assert cli.main(["media", "prune", "--simular"]) == 0
    assert capsys.readouterr().out.strip() == (
        "seriam apagados: 1 arquivo(s), 0,03 MB; mantidos: 0"
    )
    assert orphan.exists()
    assert cli.main(["media", "prune"]) == 0
    assert capsys.readouterr().out.strip() == "apagados: 1 arquivo(s), 0,03 MB; mantidos: 0"
    assert not orphan.exists()
    assert cli.main(["media", "prune", "--horas", "0.5"]) == 2
    assert "--horas deve ser ao menos 1" in capsys.readouterr().err
