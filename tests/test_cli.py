"""The ``espaco`` command, run in-process as a person would run it."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import sqlite3
import stat
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import PG_URL, TEST_SECRET, command_env

import espaco
from espaco import cli, serve
from espaco.db import database
from espaco.demo import build_demo_import
from espaco.services.access.passwords import verify_secret
from espaco.settings import Settings
from espaco.tables import AuditEvent, Client, Invoice, StaffUser

HTTP = "espaco.http_head:HeadLimitedHttpTools"  # espaco serve's HTTP protocol, by name

ROOT = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.usefixtures("umask_022")


@pytest.fixture
def env(settings, monkeypatch):
    """The command's environment: the test's data dir and database."""
    command_env(monkeypatch, settings.data_dir)
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
        (["restore"], "--substituir"),
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
    assert "clientes              14            0            0" in first  # with the demo group
    assert cli.main(["import", str(document.path)]) == 0
    second = capsys.readouterr().out
    assert "faturas                0            0          336" in second


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
        assert copy.execute("SELECT COUNT(*) FROM client").fetchone() == (14,)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_demo_prepares_a_portal_and_prints_the_logins(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ESPACO_DATABASE_URL", raising=False)
    monkeypatch.setenv("ESPACO_LOG_LEVEL", "WARNING")
    assert cli.main(["demo", "--data-dir", str(tmp_path / "demo"), "--no-serve"]) == 0
    out = capsys.readouterr().out
    assert "Portal de demonstração pronto" in out
    assert "código " in out and "usuário admin (master)" in out
    # The demo's group (matriz e 2 filiais) and its code, which opens it through any member.
    line = next(line for line in out.splitlines() if "Grupo Rede Pão Quente" in line)
    code = re.search(r"código ([2-9A-Z-]{24})$", line)
    documents = re.search(r"unidade \(([^)]*)\)", line)
    assert code is not None and documents is not None and len(documents.group(1).split(", ")) == 3
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


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"espaco {espaco.__version__}"


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_state_files_are_private_under_umask_022(tmp_path, monkeypatch, capsys):
    """A data dir made by the command itself: folder 0700, database, -wal, -shm, key 0600."""
    monkeypatch.delenv("ESPACO_DATABASE_URL", raising=False)
    monkeypatch.delenv("ESPACO_SECRET_KEY", raising=False)
    monkeypatch.setenv("ESPACO_LOG_LEVEL", "WARNING")
    data = tmp_path / "dados"
    monkeypatch.setenv("ESPACO_DATA_DIR", str(data))
    assert cli.main(["migrate"]) == 0
    connection = sqlite3.connect(data / "espaco.db")  # keeps -wal and -shm in place
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute(
            "INSERT INTO audit_event (created_at, action, actor, ip, details)"
            " VALUES ('2026-11-28 10:00:00', 'teste', 'teste', '', '{}')"
        )
        connection.commit()
        files = ["espaco.db", "espaco.db-wal", "espaco.db-shm", "secret_key"]
        assert {name: mode(data / name) for name in files} == dict.fromkeys(files, 0o600)
        assert mode(data) == 0o700
    finally:
        connection.close()
    assert cli.main(["backup", str(tmp_path / "copias")]) == 0
    capsys.readouterr()
    copies = tmp_path / "copias"
    (target,) = copies.iterdir()
    assert mode(copies) == mode(target) == 0o700
    files = [p for p in target.rglob("*") if p.is_file()]
    assert files and all(mode(p) == 0o600 for p in files), files


def test_backup_holds_every_piece_of_state(env, tmp_path, capsys):
    document = build_demo_import(tmp_path / "imp", today=date(2026, 11, 28))
    assert cli.main(["import", str(document.path)]) == 0
    (env.outbox_dir / "mensagem.eml").parent.mkdir(parents=True, exist_ok=True)
    (env.outbox_dir / "mensagem.eml").write_text("Subject: teste\n\ncorpo\n")
    (env.data_dir / "espaco.env").write_text("ESPACO_PROVIDER_NAME=Verde Campo\n")
    assert cli.main(["backup", str(tmp_path / "copias")]) == 0
    (target,) = (tmp_path / "copias").iterdir()
    assert (target / "emails" / "mensagem.eml").read_text() == "Subject: teste\n\ncorpo\n"
    assert (target / "espaco.env").read_text() == "ESPACO_PROVIDER_NAME=Verde Campo\n"
    media = sorted(p.relative_to(env.media_dir) for p in env.media_dir.rglob("*") if p.is_file())
    assert media and media == sorted(
        p.relative_to(target / "media") for p in (target / "media").rglob("*") if p.is_file()
    )
    manifest = json.loads((target / "backup.json").read_text())
    assert manifest["format"] == "espaco-backup/1" and manifest["version"] == espaco.__version__
    assert manifest["engine"] == ("postgresql" if PG_URL else "sqlite")
    assert len(manifest["migrations"]) == len(list((ROOT / "migrations").glob("espaco_*.py")))
    assert (target / ("espaco.dump" if PG_URL else "espaco.db")).is_file()
    last = json.loads((env.data_dir / "ultimo-backup.json").read_text())
    assert last["path"] == str(target)


def test_restore_puts_a_backup_back_into_a_fresh_data_dir(env, tmp_path, monkeypatch, capsys):
    document = build_demo_import(tmp_path / "imp", today=date(2026, 11, 28))
    assert cli.main(["import", str(document.path)]) == 0
    (env.data_dir / "secret_key").write_text(TEST_SECRET + "\n")  # as a generated one is kept
    assert cli.main(["backup", str(tmp_path / "copias")]) == 0
    (source,) = (tmp_path / "copias").iterdir()
    capsys.readouterr()

    fresh = tmp_path / "nova"
    monkeypatch.setenv("ESPACO_DATA_DIR", str(fresh))
    if PG_URL:  # one PostgreSQL database per test run: the restore replaces its contents
        assert cli.main(["restore", str(source)]) == 1
        assert "use --substituir" in capsys.readouterr().err
        assert cli.main(["restore", str(source), "--substituir"]) == 0
    else:
        assert cli.main(["restore", str(source)]) == 0
    out = capsys.readouterr().out
    assert "restaurada" in out and "banco verificado" in out
    restored = Settings.from_env()
    assert query(restored, Client.count) == 14 and query(restored, Invoice.count) == 336
    assert (fresh / "secret_key").read_text() == (source / "secret_key").read_text()
    assert sorted(p.name for p in (fresh / "media").rglob("*") if p.is_file()) == sorted(
        p.name for p in (env.media_dir).rglob("*") if p.is_file()
    )
    assert mode(fresh) == 0o700

    # A second restore over data is refused, and changes nothing, unless asked to replace.
    assert cli.main(["restore", str(source)]) == 1
    assert "o destino já tem dados" in capsys.readouterr().err
    assert cli.main(["restore", str(source), "--substituir"]) == 0
    assert query(restored, Client.count) == 14


def test_restore_refuses_a_damaged_backup_before_touching_anything(env, tmp_path, capsys):
    assert cli.main(["backup", str(tmp_path / "copias")]) == 0
    (source,) = (tmp_path / "copias").iterdir()
    database_file = source / ("espaco.dump" if PG_URL else "espaco.db")
    os.chmod(database_file, 0o600)
    with database_file.open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\xff" * 64)
    capsys.readouterr()
    assert cli.main(["restore", str(source), "--substituir"]) == 1
    assert "sha256 não confere" in capsys.readouterr().err
    assert cli.main(["restore", str(tmp_path)]) == 1
    assert "não é uma cópia do espaco" in capsys.readouterr().err


def test_the_app_and_uvicorn_log_through_one_handler_in_one_format(settings) -> None:  # type: ignore[no-untyped-def]
    # Litestar's default logging config added a second handler with its own format, so the
    # demo's console mixed two; uvicorn's own config a third (espaco serve passes log_config=None).
    from espaco import logs
    from espaco.app import create_app

    assert create_app(settings).logging_config is None
    assert serve.OPTIONS["log_config"] is None
    assert "%(name)s" in logs.FORMAT


def test_serve_runs_uvicorn_with_limited_httptools_and_on_sqlite_asyncios_loop(monkeypatch) -> None:
    import uvicorn

    monkeypatch.delenv("ESPACO_DATABASE_URL", raising=False)  # SQLite

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs, app=app))
    cli._serve("127.0.0.1", 8000, 1)
    assert seen["app"] == "espaco.app:app_from_env" and seen["workers"] == 1
    # httptools with a 16 KB limit on a request's head (tests/test_http_head.py serves it). On
    # SQLite (these settings), asyncio's own loop: uvloop gave some requests 5-17x the median
    # wait (espaco.serve.event_loop).
    assert seen["loop"] == "asyncio" and seen["http"] == HTTP
    assert seen["proxy_headers"] is False and seen["server_header"] is False


@pytest.mark.skipif(not serve.REUSE_PORT, reason="SO_REUSEPORT balances on Linux only")
def test_serve_with_many_workers_gives_each_worker_a_socket_of_its_own(monkeypatch) -> None:
    # Served for real in tests/test_serve.py; here, what uvicorn's supervisor is given.
    from multiprocessing.reduction import ForkingPickler

    import uvicorn.supervisors

    seen: dict[str, object] = {}

    class Supervisor:
        def __init__(self, config: uvicorn.Config, sockets: list) -> None:  # type: ignore[type-arg]
            seen.update(config=config)
            (self.held,) = sockets

        def run(self) -> None:
            # What each worker gets: a socket bound anew on the same address, not the held one.
            worker = ForkingPickler.loads(ForkingPickler.dumps(self.held))
            seen.update(held=self.held.getsockname(), worker=worker.getsockname())
            seen.update(separate=worker.fileno() != self.held.fileno())
            worker.close()

    monkeypatch.setattr(uvicorn.supervisors, "Multiprocess", Supervisor)
    monkeypatch.setenv("ESPACO_DATABASE_URL", "postgresql://portal@db.example/espaco")
    cli._serve("127.0.0.1", 0, 2)
    config = seen["config"]
    assert isinstance(config, uvicorn.Config) and config.app == "espaco.app:app_from_env"
    # uvloop ("auto") on PostgreSQL, where it measured as asyncio's loop does
    assert (config.workers, config.loop, config.http, config.factory) == (2, "auto", HTTP, True)
    assert seen["worker"] == seen["held"] and seen["separate"] is True
