"""``ESPACO_ENV=production``: what the portal refuses to start with, one Portuguese line each.

Development forgives (a generated secret key, http, e-mails written to files); production is
a portal that clients reach over the internet, where each of these loses them something:
- no secret key configured (production never generates one: workers on several machines must
  share it, and a key made on first start is easily lost with the data dir), or a weak one;
- a base URL that is not https (cookies would not be Secure, e-mails would point at http);
- no SMTP (access codes would be written to files and never reach the clients);
- a data dir or SQLite file that other users of the machine can read.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping
from pathlib import Path

from espaco.private import readable_by_others
from espaco.secret_strength import GENERATE_HINT, secret_problem
from espaco.settings import SECRET_FILE, Settings, SettingsError, configured_values

PRODUCTION = "production"


def is_production(environ: Mapping[str, str] | None = None) -> bool:
    _, values = configured_values(environ)
    return values.get("ESPACO_ENV", "").strip() == PRODUCTION


def refusals(environ: Mapping[str, str] | None = None) -> list[str]:
    """Every reason the portal must not start in production, one line each (none: it may)."""
    data_dir, values = configured_values(environ)
    data_dir = data_dir.resolve()
    lines: list[str] = []

    secret = values.get("ESPACO_SECRET_KEY", "").strip()
    key_file = data_dir / SECRET_FILE
    if not secret and key_file.is_file():
        secret = key_file.read_text(encoding="utf-8").strip()
    if not secret:
        lines.append(
            "ESPACO_SECRET_KEY não está definida: em produção a chave não é gerada sozinha"
            f" ({GENERATE_HINT} e ponha em espaco.env)"
        )
    elif problem := secret_problem("ESPACO_SECRET_KEY", secret):
        lines.append(problem)

    base_url = values.get("ESPACO_BASE_URL", "").strip()
    if not base_url.startswith("https://"):
        lines.append(
            "ESPACO_BASE_URL deve começar com https:// em produção"
            f" (agora: {base_url or 'não definida'}); é o endereço dos e-mails, e os cookies só"
            " são seguros com https"
        )
    if not values.get("ESPACO_SMTP_URL", "").strip():
        lines.append(
            "ESPACO_SMTP_URL não está definida: os códigos de acesso ficariam em arquivos e"
            " nunca chegariam aos clientes"
        )
    if data_dir.is_dir() and readable_by_others(data_dir):
        lines.append(_readable_line("a pasta de dados", "lida", data_dir, "700"))

    try:
        settings = Settings.from_env(environ, create_dirs=False)
    except SettingsError as exc:
        if str(exc) not in lines:
            lines.append(str(exc))
    else:
        path = settings.sqlite_path if settings.database_kind == "sqlite" else None
        if path is not None and path.is_file() and readable_by_others(path):
            lines.append(_readable_line("o arquivo do banco", "lido", path, "600"))
    return lines


def _readable_line(what: str, read: str, path: Path, mode: str) -> str:
    current = stat.S_IMODE(path.stat().st_mode)
    return (
        f"{what} {path} pode ser {read} por outros usuários da máquina (modo {current:o}):"
        f" chmod {mode} {path}"
    )
