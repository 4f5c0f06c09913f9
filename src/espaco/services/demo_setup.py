"""``espaco demo``: a fresh data dir with realistic data, staff users and a client code."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from espaco import database
from espaco.demo import build_demo_import
from espaco.demo.names import PIX_NAME, PROVIDER_CITY, PROVIDER_CNPJ, PROVIDER_NAME
from espaco.domain.documents import format_document
from espaco.services import clients, staff
from espaco.services.imports import import_file
from espaco.settings import ENV_FILE, Settings

MARKER = ".espaco-demo"


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

    def banner(self, seconds: float) -> str:
        lines = [
            "",
            f"Portal de demonstração pronto em {seconds:.1f} s ({self.data_dir}).",
            f"  {', '.join(f'{n} {label}' for label, n in self.counts.items())}",
            "",
            f"Portal do cliente: {self.base_url}/entrar",
        ]
        for login in self.clients:
            lines.append(
                f"  {login.name}: CNPJ/CPF {format_document(login.document)}  código {login.code}"
            )
        lines += ["", f"Back-office: {self.base_url}/admin/entrar"]
        for username, role, password in self.staff:
            lines.append(f"  usuário {username} ({role})  senha {password}")
        lines.append("")
        return "\n".join(lines)


def prepare_demo(data_dir: Path, *, base_url: str, today_tz: str = "America/Sao_Paulo") -> DemoInfo:
    """Recreate ``data_dir`` as a demo portal on SQLite. Refuses a folder that is not a demo's."""
    data_dir = data_dir.resolve()
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
        "ESPACO_DATABASE_URL": f"sqlite:///{data_dir / 'espaco.db'}",
        "ESPACO_BASE_URL": base_url,
        "ESPACO_PROVIDER_NAME": PROVIDER_NAME,
        "ESPACO_PROVIDER_CNPJ": PROVIDER_CNPJ,
        "ESPACO_PIX_KEY": PROVIDER_CNPJ,
        "ESPACO_PIX_NAME": PIX_NAME,
        "ESPACO_PIX_CITY": PROVIDER_CITY,
        "ESPACO_TIMEZONE": today_tz,
    }
    # The demo's own settings file, so `ESPACO_DATA_DIR=… espaco serve` serves it again later.
    (data_dir / ENV_FILE).write_text(
        "".join(f"{k}={v}\n" for k, v in environment.items() if k != "ESPACO_DATA_DIR"),
        encoding="utf-8",
    )
    inherited = {k: v for k, v in os.environ.items() if k.startswith("ESPACO_")}
    settings = Settings.from_env({**inherited, **environment})
    now = datetime.now(UTC)
    document = build_demo_import(data_dir / "importacao", today=now.astimezone(settings.tz).date())
    return asyncio.run(_load(settings, document, now, base_url, environment))


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
    finally:
        await database.stop(engine)
    labels = {"clients": "clientes", "invoices": "faturas", "collections": "coletas"}
    counts = {label: result.counts[key].created for key, label in labels.items()}
    return DemoInfo(settings.data_dir, base_url, environment, logins, staff_logins, counts)
