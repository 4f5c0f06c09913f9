"""The ``espaco`` command: serve | demo | migrate | import | staff create/reset-2fa | backup |
restore | verificar | media prune.

Help and messages are in Portuguese, like the rest of what a person reads.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from espaco import __version__, logs, production
from espaco.db import database
from espaco.domain.money import format_decimal_br
from espaco.private import restrict_umask
from espaco.settings import Settings, SettingsError

log = logging.getLogger("espaco")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    # The database, its -wal/-shm, the secret key, media, e-mails and backups: owner only.
    restrict_umask()
    logs.configure()
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except SettingsError as exc:
        print(f"erro de configuração: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="espaco",
        description="Espaço do Cliente: o portal de clientes da empresa de coleta de resíduos.",
    )
    parser.add_argument("--version", action="version", version=f"espaco {__version__}")
    commands = parser.add_subparsers(title="comandos", metavar="COMANDO", required=True)

    serve = commands.add_parser("serve", help="aplica as migrações e serve o portal")
    _server_options(serve)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processos de trabalho (mais de um exige PostgreSQL)",
    )
    serve.set_defaults(handler=cmd_serve)

    demo = commands.add_parser(
        "demo", help="cria um portal de demonstração novo (SQLite ou PostgreSQL) e o serve"
    )
    _server_options(demo)
    demo.add_argument(
        "--data-dir",
        type=Path,
        default=Path("espaco-demo"),
        help="pasta da demonstração, apagada e recriada (padrão: ./espaco-demo)",
    )
    demo.add_argument(
        "--database-url",
        default=os.environ.get("ESPACO_DATABASE_URL"),
        help="um banco PostgreSQL (postgresql://…) em vez do SQLite da pasta; só é usado se"
        " estiver vazio ou se foi criado por espaco demo (padrão: ESPACO_DATABASE_URL)",
    )
    demo.add_argument("--no-serve", action="store_true", help="só prepara, não serve")
    demo.set_defaults(handler=cmd_demo)

    migrate = commands.add_parser("migrate", help="aplica as migrações pendentes do banco")
    migrate.set_defaults(handler=cmd_migrate)

    imp = commands.add_parser("import", help="importa um arquivo espaco-import/1 (JSON)")
    imp.add_argument("file", type=Path, metavar="ARQUIVO", help="o arquivo JSON")
    imp.set_defaults(handler=cmd_import)

    staff = commands.add_parser("staff", help="usuários da equipe do back-office")
    staff_commands = staff.add_subparsers(title="ações", metavar="AÇÃO", required=True)
    create = staff_commands.add_parser(
        "create",
        help="cria um usuário; a senha é pedida no terminal ou lida da entrada padrão",
    )
    create.add_argument("username", metavar="USUARIO")
    create.add_argument("--role", required=True, choices=["master", "planejamento"])
    create.add_argument("--name", default="", help="nome da pessoa")
    create.add_argument("--email", default="", help="e-mail da pessoa")
    create.set_defaults(handler=cmd_staff_create)
    reset = staff_commands.add_parser(
        "reset-2fa",
        help="desliga a verificação em duas etapas de um usuário (celular perdido) e encerra"
        " as sessões dele; no próximo acesso ele cadastra o aplicativo de novo",
    )
    reset.add_argument("username", metavar="USUARIO")
    reset.set_defaults(handler=cmd_staff_reset_2fa)

    backup = commands.add_parser(
        "backup",
        help="copia o banco (cópia consistente; pg_dump no PostgreSQL), as mídias, os e-mails,"
        " a chave secreta e o espaco.env para uma pasta nova em DESTINO",
    )
    backup.add_argument("dest", type=Path, metavar="DESTINO")
    backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser(
        "restore",
        help="restaura uma cópia feita por espaco backup (verifica a cópia antes e o banco depois)",
    )
    restore.add_argument("source", type=Path, metavar="ORIGEM", help="a pasta espaco-AAAAMMDD-…")
    restore.add_argument(
        "--substituir",
        action="store_true",
        help="troca os dados que já existem no destino pelos da cópia (pare o portal antes)",
    )
    restore.set_defaults(handler=cmd_restore)

    check = commands.add_parser(
        "verificar",
        help="verifica a instalação: configuração, banco, migrações, SMTP, disco, mídias e"
        " idade do último backup (sai com 1 se algo falhar)",
    )
    check.add_argument(
        "--email", default="", metavar="ENDERECO", help="também envia um e-mail de teste"
    )
    check.add_argument(
        "--so-pdf", action="store_true", help="só gera um boleto de teste (para o build)"
    )
    check.set_defaults(handler=cmd_verificar)

    media = commands.add_parser("media", help="arquivos de fotos, assinaturas e documentos")
    media_commands = media.add_subparsers(title="ações", metavar="AÇÃO", required=True)
    prune = media_commands.add_parser(
        "prune",
        help="apaga os arquivos que nenhum registro usa (de importações recusadas ou"
        " substituídos), se mais antigos que --horas",
    )
    prune.add_argument(
        "--horas", type=float, default=24, help="só apaga arquivos com mais de N horas (24)"
    )
    prune.add_argument("--simular", action="store_true", help="só conta, não apaga nada")
    prune.set_defaults(handler=cmd_media_prune)
    return parser


def _server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="endereço (padrão: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="porta (padrão: 8000)")


def _run(
    coro_fn: Callable[..., Coroutine[Any, Any, Any]],
    settings: Settings,
    *args: Any,
    migrate_first: bool = True,
) -> Any:
    """Run ``coro_fn`` against a migrated database (every command may be the first one run)."""

    async def runner() -> Any:
        engine = database.configure(settings)
        await database.start(engine)
        try:
            if migrate_first:
                await database.migrate(backup_to=settings.backup_dir)
            return await coro_fn(*args)
        finally:
            await database.stop(engine)

    return asyncio.run(runner())


# -- commands ----------------------------------------------------------------------------------
def cmd_migrate(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    applied = _run(lambda: database.migrate(backup_to=settings.backup_dir), settings,
                   migrate_first=False)  # fmt: skip
    if applied:
        for migration_id in applied:
            print(f"aplicada: {migration_id}")
    else:
        print("o banco já está atualizado")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    if production.is_production():
        reasons = production.refusals()
        if reasons:
            print("o portal não inicia em produção (ESPACO_ENV=production):", file=sys.stderr)
            for reason in reasons:
                print(f"- {reason}", file=sys.stderr)
            return 2
    settings = Settings.from_env()
    if args.workers > 1 and settings.database_kind == "sqlite":
        print(
            "erro: mais de um processo exige PostgreSQL (ESPACO_DATABASE_URL=postgresql://…); "
            "com SQLite use --workers 1",
            file=sys.stderr,
        )
        return 2
    _run(lambda: database.migrate(backup_to=settings.backup_dir), settings, migrate_first=False)
    _serve(args.host, args.port, args.workers)
    return 0


def _serve(host: str, port: int, workers: int) -> None:
    from espaco import serve

    loop = serve.event_loop(Settings.from_env().database_kind)
    serve.run("espaco.app:app_from_env", host=host, port=port, workers=workers, loop=loop)


def cmd_import(args: argparse.Namespace) -> int:
    from espaco.services.imports import import_file

    settings = Settings.from_env()
    if not args.file.is_file():
        print(f"erro: arquivo não encontrado: {args.file}", file=sys.stderr)
        return 2
    progress = _Progress()
    started = time.perf_counter()
    result = _run(
        lambda: import_file(args.file, settings, now=datetime.now(UTC), progress=progress),
        settings,
    )
    progress.done()
    elapsed = time.perf_counter() - started
    if not result.ok:
        print(f"Importação recusada: {len(result.problems)} problema(s).", file=sys.stderr)
        for problem in result.problems:
            print(
                f"  {problem.path or '(documento)'}: {problem.message} [{problem.code}]",
                file=sys.stderr,
            )
        print("Nada foi gravado.", file=sys.stderr)
        return 1
    print(f"Importação concluída em {elapsed:.1f} s.")
    print(_summary_table(result.counts))
    return 0


def _summary_table(counts: dict[str, Any]) -> str:
    labels = {
        "clients": "clientes",
        "locations": "locais",
        "invoices": "faturas",
        "collections": "coletas",
        "certificates": "certificados",
    }
    lines = [f"{'':14}{'criados':>10}{'atualizados':>13}{'inalterados':>13}"]
    for key, label in labels.items():
        c = counts.get(key)
        if c is None:
            continue
        lines.append(f"{label:14}{c.created:>10}{c.updated:>13}{c.unchanged:>13}")
    return "\n".join(lines)


class _Progress:
    """Progress on standard error for large files: one line, rewritten in place on a terminal."""

    def __init__(self) -> None:
        self.last = 0.0
        self.tty = sys.stderr.isatty()
        self.shown = False

    def __call__(self, section: str, done: int, total: int) -> None:
        now = time.monotonic()
        if total < 1000 or (now - self.last < 0.5 and done < total):
            return
        self.last = now
        self.shown = True
        line = f"{section}: {done}/{total} ({100 * done // max(total, 1)}%)"
        if self.tty:
            print("\r" + line.ljust(60), end="", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.shown and self.tty:
            print(file=sys.stderr)


def cmd_staff_create(args: argparse.Namespace) -> int:
    from espaco.services.access import staff

    settings = Settings.from_env()
    password = _read_password()
    if password is None:
        return 2
    problem = staff.password_problem(password, args.username)
    if problem:
        print(f"erro: {problem}", file=sys.stderr)
        return 2

    async def create() -> str | None:
        return await staff.create_staff(
            args.username,
            password,
            args.role,
            name=args.name,
            email=args.email,
            now=datetime.now(UTC),
        )

    error = _run(create, settings)
    if error:
        print(f"erro: {error}", file=sys.stderr)
        return 1
    print(f"usuário {args.username.strip().lower()} criado ({args.role})")
    return 0


def cmd_staff_reset_2fa(args: argparse.Namespace) -> int:
    from espaco.services.access import staff

    async def reset() -> str | None:
        return await staff.reset_second_factor(args.username, now=datetime.now(UTC))

    error = _run(reset, Settings.from_env())
    if error:
        print(f"erro: {error}", file=sys.stderr)
        return 1
    print(f"verificação em duas etapas desligada para {args.username.strip().lower()}")
    return 0


def _read_password() -> str | None:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Senha: ")
    second = getpass.getpass("Repita a senha: ")
    if first != second:
        print("erro: as senhas não conferem", file=sys.stderr)
        return None
    return first


def cmd_backup(args: argparse.Namespace) -> int:
    from espaco.services.operations.backup import BackupError, backup

    settings = Settings.from_env()
    try:
        written = _run(lambda: backup(settings, args.dest, now=datetime.now(UTC)), settings)
    except (BackupError, ValueError, OSError) as exc:
        print(f"erro: {exc}", file=sys.stderr)
        return 1
    print(f"cópia gravada em {written}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from espaco.services.operations.backup import BackupError
    from espaco.services.operations.restore import restore

    # No secret key is generated here: the backup brings its own.
    settings = Settings.from_env(create_dirs=False)
    try:
        report = restore(settings, args.source, replace=args.substituir)
    except (BackupError, OSError) as exc:
        print(f"erro: {exc}", file=sys.stderr)
        return 1
    print(
        f"cópia de {report.created_at} (versão {report.version}, {report.engine}) restaurada:"
        f" {report.tables} tabelas, {report.rows} registros, {report.media_files} arquivos"
    )
    print("banco verificado depois da restauração; `espaco serve` aplica migrações novas")
    return 0


def cmd_verificar(args: argparse.Namespace) -> int:
    from espaco.services.operations.verify import FAIL, pdf_check, verify

    if args.so_pdf:  # needs no settings or database: what a release build checks
        only = pdf_check()
        print(only.line())
        return 1 if only.status == FAIL else 0
    settings = Settings.from_env(create_dirs=False)

    async def run() -> list[Any]:
        engine = database.configure(settings)
        try:
            await database.start(engine)
        except Exception as exc:  # noqa: BLE001 - reported as the database check
            from espaco.services.operations.verify import Check

            return [Check(FAIL, "banco", f"não conecta: {type(exc).__name__}: {exc}")]
        try:
            return await verify(settings, now=datetime.now(UTC), test_email_to=args.email)
        finally:
            await database.stop(engine)

    checks = asyncio.run(run())
    for check in checks:
        print(check.line())
    return 1 if any(check.status == FAIL for check in checks) else 0


def cmd_media_prune(args: argparse.Namespace) -> int:
    from espaco.services.operations.media_prune import prune_media

    if args.horas < 1:
        print("erro: --horas deve ser ao menos 1 (uma importação em curso usa os arquivos)",
              file=sys.stderr)  # fmt: skip
        return 2
    settings = Settings.from_env()
    report = _run(
        lambda: prune_media(
            settings,
            now=datetime.now(UTC),
            grace=timedelta(hours=args.horas),
            dry_run=args.simular,
        ),
        settings,
    )
    verb = "seriam apagados" if args.simular else "apagados"
    megabytes = format_decimal_br(round(report.freed_bytes / 10_000))  # two decimals
    print(f"{verb}: {report.removed} arquivo(s), {megabytes} MB; mantidos: {report.kept}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from espaco.demo.setup import prepare_demo

    started = time.perf_counter()
    info = prepare_demo(
        args.data_dir,
        base_url=f"http://{args.host}:{args.port}",
        database_url=args.database_url,
    )
    elapsed = time.perf_counter() - started
    print(info.banner(elapsed))
    if args.no_serve:
        return 0
    for key, value in info.environment.items():
        os.environ[key] = value
    _serve(args.host, args.port, 1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
