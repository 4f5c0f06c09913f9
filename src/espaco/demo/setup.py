"""``espaco demo``: a fresh data dir with realistic data, staff users and a client code.

The database is the data dir's own SQLite file, or a PostgreSQL database when one is named
(``--database-url`` or ``ESPACO_DATABASE_URL``): see :func:`claim_postgres` for when such a
database is used, emptied or refused.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from espaco.db import database, database_path_for_log
from espaco.demo import build_demo_import, clients
from espaco.demo.names import DEMO_GROUP, PIX_NAME, PROVIDER_CITY, PROVIDER_CNPJ, PROVIDER_NAME
from espaco.domain.documents import format_document
from espaco.services.access import groups, staff
from espaco.services.imports import import_file
from espaco.settings import ENV_FILE, Settings
from espaco.tables import ClientGroup

MARKER = ".espaco-demo"
# Left on the PostgreSQL schema a demo built: the mark that lets the next demo empty it.
SCHEMA_COMMENT = "criado por espaco demo"


@dataclass(frozen=True)
class DemoLogin:
    document: str
    name: str
    code: str


@dataclass(frozen=True)
class DemoInfo:
    data_dir: Path
    base_url: str
    environment: dict[str, str]
    clients: list[DemoLogin]
    staff: list[tuple[str, str, str]]  # (username, role, password)
    counts: dict[str, int]
    database: str = ""  # where the data went, without any password
    # The demo's group (matriz e filiais): its name, its members' documents and its code.
    group: tuple[str, list[str], str] | None = field(default=None)

    def banner(self, seconds: float) -> str:
        lines = [
            "",
            f"Portal de demonstração pronto em {seconds:.1f} s ({self.data_dir}).",
            f"  {', '.join(f'{n} {label}' for label, n in self.counts.items())}",
            f"  banco: {self.database}",
            "",
            f"Portal do cliente: {self.base_url}/entrar",
        ]
        for login in self.clients:
            lines.append(
                f"  {login.name}: CNPJ/CPF {format_document(login.document)}  código {login.code}"
            )
        if self.group is not None:
            name, documents, code = self.group
            lines.append(
                f"  Grupo {name} (matriz e 2 filiais): CNPJ de qualquer unidade"
                f" ({', '.join(format_document(d) for d in documents)})  código {code}"
            )
        lines += ["", f"Back-office: {self.base_url}/admin/entrar"]
        for username, role, password in self.staff:
            lines.append(f"  usuário {username} ({role})  senha {password}")
        lines.append("")
        return "\n".join(lines)


def demo_database_url(data_dir: Path, requested: str | None) -> str:
    """The database a demo in ``data_dir`` writes: a PostgreSQL URL when one is requested,
    otherwise the data dir's own SQLite file (a SQLite URL elsewhere is not honoured: the
    demo only ever replaces a file inside its own folder)."""
    if requested and urlsplit(requested).scheme in ("postgresql", "postgres"):
        return requested
    return f"sqlite:///{data_dir.resolve() / 'espaco.db'}"


def prepare_demo(
    data_dir: Path,
    *,
    base_url: str,
    database_url: str | None = None,
    today_tz: str = "America/Sao_Paulo",
) -> DemoInfo:
    """Recreate ``data_dir`` as a demo portal, on its own SQLite file or on the PostgreSQL
    database ``database_url`` names. Refuses a folder that is not a demo's, and a PostgreSQL
    database holding data that no demo wrote (:func:`claim_postgres`)."""
    data_dir = data_dir.resolve()
    database_url = demo_database_url(data_dir, database_url)
    if not database_url.startswith("sqlite:"):
        asyncio.run(claim_postgres(database_url))
    if data_dir.exists():
        if any(data_dir.iterdir()) and not (data_dir / MARKER).exists():
            raise SystemExit(
                f"erro: {data_dir} existe e não é uma pasta de demonstração; escolha outra com "
                "--data-dir"
            )
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    (data_dir / MARKER).write_text("pasta criada por espaco demo\n", encoding="utf-8")
    environment = {
        "ESPACO_DATA_DIR": str(data_dir),
        "ESPACO_DATABASE_URL": database_url,
        "ESPACO_BASE_URL": base_url,
        "ESPACO_PROVIDER_NAME": PROVIDER_NAME,
        "ESPACO_PROVIDER_CNPJ": PROVIDER_CNPJ,
        "ESPACO_PIX_KEY": PROVIDER_CNPJ,
        "ESPACO_PIX_NAME": PIX_NAME,
        "ESPACO_PIX_CITY": PROVIDER_CITY,
        "ESPACO_TIMEZONE": today_tz,
    }
    # The demo's own settings file, so `ESPACO_DATA_DIR=… espaco serve` serves it again later.
    # 0600: a PostgreSQL URL may carry a password.
    env_file = data_dir / ENV_FILE
    env_file.touch(mode=0o600)
    env_file.write_text(
        "".join(f"{k}={v}\n" for k, v in environment.items() if k != "ESPACO_DATA_DIR"),
        encoding="utf-8",
    )
    inherited = {k: v for k, v in os.environ.items() if k.startswith("ESPACO_")}
    settings = Settings.from_env({**inherited, **environment})
    now = datetime.now(UTC)
    document = build_demo_import(data_dir / "importacao", today=now.astimezone(settings.tz).date())
    return asyncio.run(_load(settings, document, now, base_url, environment))


async def claim_postgres(url: str) -> None:
    """Make the PostgreSQL database ``url`` names ready for a demo, or refuse it.

    - a database where no table holds a row (new, or migrated and never used) is used as it is;
    - a database an earlier demo built (its ``public`` schema carries :data:`SCHEMA_COMMENT`) is
      emptied: the schema is dropped and created again, then migrated;
    - any other is refused with a Portuguese message, and nothing in it changes: a demo never
      overwrites a real portal.
    """
    import asyncpg

    dsn = urlsplit(url)._replace(scheme="postgresql").geturl()
    connection = await asyncpg.connect(dsn)
    try:
        comment = await connection.fetchval(
            "SELECT obj_description('public'::regnamespace, 'pg_namespace')"
        )
        if comment == SCHEMA_COMMENT:
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            tables = await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'migration' ORDER BY 1"  # Piccolo's list of applied ones
            )
            used = [
                name
                for (name,) in tables
                if await connection.fetchval(
                    f'SELECT EXISTS (SELECT 1 FROM public."{name}")'  # noqa: S608 - catalog names
                )
            ]
            if used:
                where = urlsplit(dsn)
                raise SystemExit(
                    f"erro: o banco {where.hostname}{where.path} já tem dados"
                    f" ({', '.join(used[:5])}) que não foram criados por espaco"
                    " demo; nada foi alterado. Use um banco vazio (createdb …) para a"
                    " demonstração."
                )
        await connection.execute(f"COMMENT ON SCHEMA public IS '{SCHEMA_COMMENT}'")
    finally:
        await connection.close()


async def _load(settings, document, now, base_url, environment) -> DemoInfo:  # type: ignore[no-untyped-def]
    engine = database.configure(settings)
    await database.start(engine)
    try:
        await database.migrate()
        result = await import_file(document.path, settings, now=now)
        if not result.ok:
            problems = "\n".join(f"  {p.path}: {p.message}" for p in result.problems[:20])
            raise SystemExit(f"erro: os dados de demonstração foram recusados:\n{problems}")
        staff_logins = []
        for username, role in (("admin", "master"), ("planejamento", "planejamento")):
            password = secrets.token_urlsafe(9)
            error = await staff.create_staff(username, password, role, now=now)
            if error:
                raise SystemExit(f"erro: {error}")
            staff_logins.append((username, role, password))
        logins = []
        for client in document.clients[:2]:
            code = await clients.set_demo_access_code(client.external_id, now=now)
            logins.append(DemoLogin(client.document, client.name, code))
        group = await _demo_group(document, now)
    finally:
        await database.stop(engine)
    labels = {"clients": "clientes", "invoices": "faturas", "collections": "coletas"}
    counts = {label: result.counts[key].created for key, label in labels.items()}
    return DemoInfo(
        settings.data_dir,
        base_url,
        environment,
        logins,
        staff_logins,
        counts,
        database_path_for_log(settings),
        group,
    )


async def _demo_group(document, now):  # type: ignore[no-untyped-def]
    """The imported demo group: its E-mail list and a code, printed like the clients'."""
    external_id, name, members = DEMO_GROUP
    rows = await ClientGroup.select(ClientGroup.id).where(ClientGroup.external_id == external_id)
    if not rows:
        return None
    group_id = rows[0]["id"]
    await groups.add_email(group_id, "compras@paoquente.com.br", actor="demo", ip="", now=now)
    code = await groups.set_demo_access_code(group_id, now=now)
    return name, [document.clients[i].document for i in members], code
