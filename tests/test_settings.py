"""Settings: documented, read from the environment and ``espaco.env``, refused when wrong."""

from __future__ import annotations

import base64
import re
import secrets
import stat
from dataclasses import fields
from pathlib import Path

import pytest

from espaco.secret_strength import secret_problem
from espaco.settings import ENV_FILE, PREFIX, SECRET_FILE, Settings, SettingsError

README = Path(__file__).resolve().parents[1] / "README.md"
TABLE_ROW = re.compile(r"^\| `(ESPACO_[A-Z0-9_]+)` \|", re.MULTILINE)


def setting_names() -> list[str]:
    """Every environment variable the portal reads: one a field of ``Settings``."""
    return [PREFIX + f.name.upper() for f in fields(Settings) if not f.name.startswith("_")]


def env_for(data_dir: Path, **values: str) -> dict[str, str]:
    return {
        "ESPACO_DATA_DIR": str(data_dir),
        **{f"ESPACO_{k.upper()}": v for k, v in values.items()},
    }


def test_every_setting_is_in_the_readme_configuration_table() -> None:
    documented = TABLE_ROW.findall(README.read_text(encoding="utf-8"))
    missing = [name for name in setting_names() if name not in documented]
    assert not missing, f"add to the README's configuration table: {missing}"


def test_the_readme_documents_no_setting_that_does_not_exist() -> None:
    documented = TABLE_ROW.findall(README.read_text(encoding="utf-8"))
    stale = sorted(set(documented) - set(setting_names()))
    assert not stale, f"README documents settings the portal does not read: {stale}"


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = Settings.from_env(env_for(tmp_path))
    second = Settings.from_env(env_for(tmp_path))
    assert len(first.secret_key) >= 32
    assert second.secret_key == first.secret_key
    key_file = tmp_path / SECRET_FILE
    assert key_file.read_text(encoding="utf-8").strip() == first.secret_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_secret_keys_differ_between_data_dirs(tmp_path: Path) -> None:
    one = Settings.from_env(env_for(tmp_path / "um"))
    other = Settings.from_env(env_for(tmp_path / "outro"))
    assert one.secret_key != other.secret_key


def test_a_secret_key_from_the_environment_is_used_and_not_written(tmp_path: Path) -> None:
    key = "k9Fq2Lm7Xv4Rt8Wz3Nc6Hj1Pd5Ys0Ba-Ue_G"
    settings = Settings.from_env(env_for(tmp_path, secret_key=key))
    assert settings.secret_key == key
    assert not (tmp_path / SECRET_FILE).exists()


def test_defaults_put_the_sqlite_database_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings.from_env(env_for(tmp_path))
    assert settings.database_kind == "sqlite"
    assert settings.sqlite_path == (tmp_path / "espaco.db").resolve()
    assert settings.timezone == "America/Sao_Paulo"
    assert settings.request_notice_days == 1


def test_env_file_in_the_data_dir_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ENV_FILE).write_text(
        "# configuração do portal\n"
        "\n"
        "ESPACO_PROVIDER_NAME=Nome do arquivo\n"
        'ESPACO_TIMEZONE="America/Manaus"\n'
        "ESPACO_REQUEST_NOTICE_DAYS=3\n",
        encoding="utf-8",
    )
    settings = Settings.from_env(env_for(tmp_path, provider_name="Nome do ambiente"))
    assert settings.provider_name == "Nome do ambiente"
    assert settings.timezone == "America/Manaus"
    assert settings.request_notice_days == 3


def test_variables_without_the_prefix_are_ignored(tmp_path: Path) -> None:
    settings = Settings.from_env({**env_for(tmp_path), "PATH": "/usr/bin", "TZ": "UTC"})
    assert settings.timezone == "America/Sao_Paulo"


def test_an_unknown_setting_is_refused_in_portuguese(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"Configuração desconhecida: ESPACO_PROVEDOR"):
        Settings.from_env(env_for(tmp_path, provedor="Verde Campo"))


def test_an_unknown_setting_in_the_env_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / ENV_FILE).write_text("ESPACO_TIME_ZONE=America/Manaus\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"desconhecida: ESPACO_TIME_ZONE"):
        Settings.from_env(env_for(tmp_path))


def test_an_env_file_line_without_equals_is_refused(tmp_path: Path) -> None:
    (tmp_path / ENV_FILE).write_text("ESPACO_PROVIDER_NAME\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"espaco\.env:1: esperado NOME=valor"):
        Settings.from_env(env_for(tmp_path))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("timezone", "America/Atlantida", "ESPACO_TIMEZONE desconhecido"),
        ("timezone", "../../etc/passwd", "ESPACO_TIMEZONE desconhecido"),
        ("database_url", "mysql://root@localhost/espaco", "ESPACO_DATABASE_URL deve começar"),
        ("database_url", "/var/lib/espaco.db", "ESPACO_DATABASE_URL deve começar"),
        ("smtp_url", "http://mail.example.com", "ESPACO_SMTP_URL deve começar"),
        ("request_notice_days", "amanhã", "ESPACO_REQUEST_NOTICE_DAYS deve ser um número inteiro"),
        ("request_notice_days", "-1", "ESPACO_REQUEST_NOTICE_DAYS não pode ser negativo"),
        ("staff_mfa", "sempre", "ESPACO_STAFF_MFA deve ser optional ou required"),
        ("secret_key", "curta", "ESPACO_SECRET_KEY deve ter ao menos 32 caracteres"),
        ("secret_key", "a" * 32, "ESPACO_SECRET_KEY é previsível demais"),
        ("secret_key", "ab" * 20, "ESPACO_SECRET_KEY é previsível demais"),
        ("secret_key", "0123456789" * 4, "ESPACO_SECRET_KEY é previsível demais"),
        ("secret_key", "abcdefghijklmnopqrstuvwxyz012345", "ESPACO_SECRET_KEY é previsível demais"),
        ("secret_key", "test-secret-key-" + "x" * 32, "ESPACO_SECRET_KEY é previsível demais"),
        ("api_token", "a", "ESPACO_API_TOKEN deve ter ao menos 32 caracteres"),
        ("api_token", "token" * 8, "ESPACO_API_TOKEN é previsível demais"),
    ],
)
def test_bad_values_are_refused(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)):
        Settings.from_env(env_for(tmp_path, **{name: value}))


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://espaco:senha@db.example.com:5432/espaco",
        "postgres://espaco@127.0.0.1/espaco",
        "sqlite:////var/lib/espaco/espaco.db",
    ],
)
def test_supported_database_urls_are_accepted(tmp_path: Path, url: str) -> None:
    settings = Settings.from_env(env_for(tmp_path, database_url=url))
    assert settings.database_kind in ("sqlite", "postgresql")


@pytest.mark.parametrize(
    "key",
    [
        secrets.token_urlsafe(48),  # what the portal generates
        secrets.token_hex(16),  # openssl rand -hex 16: 128 random bits
        secrets.token_hex(32),
        base64.b64encode(secrets.token_bytes(48)).decode(),  # openssl rand -base64 48
    ],
)
def test_random_keys_and_tokens_are_accepted(tmp_path: Path, key: str) -> None:
    settings = Settings.from_env(env_for(tmp_path, secret_key=key, api_token=key))
    assert settings.secret_key == key and settings.api_token == key


def test_the_generated_secret_key_passes_the_strength_check_every_time() -> None:
    for _ in range(2000):
        assert secret_problem("ESPACO_SECRET_KEY", secrets.token_urlsafe(48)) is None


def test_a_new_data_dir_and_its_secret_key_are_private_under_umask_022(
    tmp_path: Path, umask_022: None
) -> None:
    settings = Settings.from_env(env_for(tmp_path / "novo" / "dados"))
    assert stat.S_IMODE(settings.data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((settings.data_dir / SECRET_FILE).stat().st_mode) == 0o600
