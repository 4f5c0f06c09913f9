"""ESPACO_ENV=production refuses to start, one Portuguese line per reason."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from espaco import cli
from espaco.app import app_from_env
from espaco.production import refusals
from espaco.settings import Settings, SettingsError


def good_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    env = {
        "ESPACO_ENV": "production",
        "ESPACO_DATA_DIR": str(data_dir),
        "ESPACO_SECRET_KEY": secrets.token_urlsafe(48),
        "ESPACO_BASE_URL": "https://portal.example.com.br",
        "ESPACO_SMTP_URL": "smtps://portal:senha@mail.example.com.br:465",
    }
    env.update({f"ESPACO_{k.upper()}": v for k, v in overrides.items()})
    return {k: v for k, v in env.items() if v}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "dados"
    folder.mkdir(mode=0o700)
    os.chmod(folder, 0o700)
    return folder


def test_a_complete_production_configuration_is_accepted(data_dir: Path) -> None:
    assert refusals(good_env(data_dir)) == []


def test_every_problem_gets_its_own_line(tmp_path: Path) -> None:
    data_dir = tmp_path / "aberta"
    data_dir.mkdir()
    os.chmod(data_dir, 0o755)  # noqa: S103 - the mistake under test
    (data_dir / "espaco.db").write_bytes(b"")
    os.chmod(data_dir / "espaco.db", 0o644)  # noqa: S103
    lines = refusals(good_env(data_dir, secret_key="", base_url="http://portal", smtp_url=""))
    assert len(lines) == 5, lines
    assert lines[0].startswith("ESPACO_SECRET_KEY não está definida")
    assert lines[1].startswith("ESPACO_BASE_URL deve começar com https://")
    assert lines[2].startswith("ESPACO_SMTP_URL não está definida: os códigos de acesso")
    assert lines[3] == (f"a pasta de dados {data_dir} pode ser lida por outros usuários da"
                        f" máquina (modo 755): chmod 700 {data_dir}")  # fmt: skip
    assert lines[4].startswith(f"o arquivo do banco {data_dir / 'espaco.db'} pode ser lido")
    assert all("\n" not in line for line in lines)


@pytest.mark.parametrize(
    ("key", "start"),
    [
        ("a" * 32, "ESPACO_SECRET_KEY é previsível demais"),
        ("curta-mas-aleatoria-9fQ", "ESPACO_SECRET_KEY deve ter ao menos 32 caracteres"),
    ],
)
def test_a_weak_secret_key_is_one_line(data_dir: Path, key: str, start: str) -> None:
    lines = refusals(good_env(data_dir, secret_key=key))
    assert len(lines) == 1 and lines[0].startswith(start)


def test_a_key_generated_earlier_in_the_data_dir_counts_as_configured(data_dir: Path) -> None:
    (data_dir / "secret_key").write_text(secrets.token_urlsafe(48) + "\n")
    assert refusals(good_env(data_dir, secret_key="")) == []


def test_development_mode_generates_a_key_production_does_not(data_dir: Path, monkeypatch) -> None:
    env = good_env(data_dir, secret_key="")
    for name in list(os.environ):
        if name.startswith("ESPACO_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match="ESPACO_SECRET_KEY não está definida"):
        app_from_env()
    assert not (data_dir / "secret_key").exists()


def test_serve_in_production_prints_each_reason_and_exits_2(tmp_path, monkeypatch, capsys):
    for name in list(os.environ):
        if name.startswith("ESPACO_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ESPACO_ENV", "production")
    monkeypatch.setenv("ESPACO_DATA_DIR", str(tmp_path / "nova"))
    old = os.umask(0o022)
    try:
        assert cli.main(["serve"]) == 2
    finally:
        os.umask(old)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "o portal não inicia em produção (ESPACO_ENV=production):"
    assert [line.split(" ")[1] for line in err[1:]] == [
        "ESPACO_SECRET_KEY",
        "ESPACO_BASE_URL",
        "ESPACO_SMTP_URL",
    ]
    assert not (tmp_path / "nova").exists()  # nothing was created


def test_an_unknown_mode_is_refused(data_dir: Path) -> None:
    with pytest.raises(SettingsError, match="ESPACO_ENV deve ser development ou production"):
        Settings.from_env(good_env(data_dir, env="producao"))
