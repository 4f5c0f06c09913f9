"""One frozen settings object, read from ESPACO_* environment variables.

Precedence: the process environment, then ``espaco.env`` in the data dir, then the defaults.
Every field is documented in the README's configuration table (a test checks it).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from espaco.private import FILE_MODE, private_dir
from espaco.secret_strength import secret_problem

PREFIX = "ESPACO_"
ENV_FILE = "espaco.env"
SECRET_FILE = "secret_key"  # noqa: S105 - a file name
# The schemes mail.SmtpTransport speaks (mail imports settings, so they are spelled here).
SMTP_SCHEMES = ("smtp", "smtps", "smtp+insecure")


class SettingsError(ValueError):
    """A setting has a value the portal cannot work with."""


def _env_name(name: str) -> str:
    return PREFIX + name.upper()


@dataclass(frozen=True)
class Settings:
    """Everything the portal reads from its environment. Build with :meth:`from_env`."""

    env: str = "development"
    data_dir: Path = Path("espaco-data")
    database_url: str = ""
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    smtp_url: str = ""
    smtp_from: str = ""
    api_token: str = ""
    provider_name: str = "Espaço do Cliente"
    provider_cnpj: str = ""
    provider_logo: str = ""
    timezone: str = "America/Sao_Paulo"
    pix_key: str = ""
    pix_name: str = ""
    pix_city: str = ""
    request_notice_days: int = 1
    cdf_wait_days: int = 45
    mtr_saved_days: int = 30
    trusted_proxies: tuple[str, ...] = ()
    staff_mfa: str = "optional"
    keep_original_photos: bool = False
    max_body_mb: int = 64
    log_level: str = "INFO"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, create_dirs: bool = True
    ) -> Settings:
        """Read the settings; create the data dir and the secret key file when missing."""
        data_dir, merged = configured_values(environ)
        known = {f.name for f in fields(cls) if not f.name.startswith("_")}
        unknown = sorted(k for k in merged if k[len(PREFIX) :].lower() not in known)
        if unknown:
            raise SettingsError(f"Configuração desconhecida: {', '.join(unknown)}")

        values: dict[str, object] = {"data_dir": data_dir.resolve()}
        for f in fields(cls):
            if f.name.startswith("_") or f.name == "data_dir":
                continue
            raw = merged.get(_env_name(f.name))
            if raw is None:
                continue
            values[f.name] = _convert(f.name, raw.strip(), f.type)

        if create_dirs:
            private_dir(data_dir)
        if not values.get("database_url"):
            values["database_url"] = f"sqlite:///{(data_dir / 'espaco.db').resolve()}"
        if not values.get("secret_key"):
            values["secret_key"] = _load_or_create_secret(data_dir / SECRET_FILE, create_dirs)
        settings = cls(**values)  # type: ignore[arg-type]
        settings.validate()
        return settings

    def validate(self) -> None:
        """Refuse values that would fail later in a less clear way."""
        if self.database_kind not in ("sqlite", "postgresql"):
            raise SettingsError("ESPACO_DATABASE_URL deve começar com sqlite:/// ou postgresql://")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(f"ESPACO_TIMEZONE desconhecido: {self.timezone}") from exc
        if self.smtp_url and urlsplit(self.smtp_url).scheme not in SMTP_SCHEMES:
            raise SettingsError(
                "ESPACO_SMTP_URL deve começar com smtp:// (STARTTLS obrigatório), smtps:// "
                "ou smtp+insecure:// (sem criptografia, só para um relay local)"
            )
        if self.env not in ("development", "production"):
            raise SettingsError("ESPACO_ENV deve ser development ou production")
        if self.staff_mfa not in ("optional", "required"):
            raise SettingsError("ESPACO_STAFF_MFA deve ser optional ou required")
        if self.request_notice_days < 0:
            raise SettingsError("ESPACO_REQUEST_NOTICE_DAYS não pode ser negativo")
        if self.cdf_wait_days < 1 or self.mtr_saved_days < 1:
            raise SettingsError("ESPACO_CDF_WAIT_DAYS e ESPACO_MTR_SAVED_DAYS devem ser ao menos 1")
        if problem := secret_problem("ESPACO_SECRET_KEY", self.secret_key):
            raise SettingsError(problem)
        if self.api_token and (problem := secret_problem("ESPACO_API_TOKEN", self.api_token)):
            raise SettingsError(problem)

    @property
    def database_kind(self) -> str:
        scheme = urlsplit(self.database_url).scheme
        return {"postgres": "postgresql"}.get(scheme, scheme)

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file of ``sqlite:///abs/path`` or ``sqlite:///relative/path``."""
        path = self.database_url.removeprefix("sqlite://")
        return Path(path[1:] if path.startswith("//") else path)

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "emails"

    @property
    def backup_dir(self) -> Path:
        """Copies the portal makes itself (before a migration on SQLite)."""
        return self.data_dir / "backups"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


def configured_values(environ: Mapping[str, str] | None = None) -> tuple[Path, dict[str, str]]:
    """The data dir, and every ``ESPACO_*`` value set in ``environ`` or in its ``espaco.env``
    (the environment wins), as text."""
    env = dict(os.environ if environ is None else environ)
    data_dir = Path(env.get(_env_name("data_dir"), "espaco-data")).expanduser()
    file_values = _read_env_file(data_dir / ENV_FILE)
    # ESPACO_TEST_* belong to the test suite (ESPACO_TEST_DATABASE_URL), not to the portal.
    from_env = {
        k: v for k, v in env.items() if k.startswith(PREFIX) and not k.startswith(PREFIX + "TEST_")
    }
    return data_dir, {**file_values, **from_env}


def _convert(name: str, raw: str, kind: object) -> object:
    kind = str(kind)
    if kind == "int":
        try:
            return int(raw)
        except ValueError as exc:
            raise SettingsError(f"{_env_name(name)} deve ser um número inteiro") from exc
    if kind == "bool":
        return raw.lower() in ("1", "true", "yes", "sim", "on")
    if kind == "Path":
        return Path(raw).expanduser()
    if kind.startswith("tuple"):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def _read_env_file(path: Path) -> dict[str, str]:
    """Parse ``KEY=value`` lines; blank lines and ``#`` comments are skipped."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise SettingsError(f"{path}:{number}: esperado NOME=valor")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def _load_or_create_secret(path: Path, create: bool) -> str:
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    secret = secrets.token_urlsafe(48)
    if create:
        private_dir(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except FileExistsError:  # another worker won the race: use its key
            return path.read_text(encoding="utf-8").strip()
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secret + "\n")
    return secret
