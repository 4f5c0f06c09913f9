"""``espaco demo`` on PostgreSQL: builds the same portal there, empties only what a demo built,
and refuses a database holding anyone else's data."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import asyncpg
import pytest
from support import app_client, client_login

from espaco import cli
from espaco.demo.setup import SCHEMA_COMMENT
from espaco.settings import Settings
from tests.conftest import PG_URL, truncate_pg

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="demo on PostgreSQL: set ESPACO_TEST_DATABASE_URL (CI runs it)"
)


def _query(sql: str) -> object:
    async def run() -> object:
        connection = await asyncpg.connect(PG_URL)
        try:
            return await connection.fetchval(sql)
        finally:
            await connection.close()

    return asyncio.run(run())


def _run_demo(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code = cli.main(["demo", "--data-dir", str(data_dir), "--database-url", PG_URL, "--no-serve"])
    assert code == 0
    return capsys.readouterr().out


@pytest.fixture
def pg_demo_cleanup() -> object:
    yield
    # Leave the database as the other tests expect it: migrated, empty, unmarked.
    _query("COMMENT ON SCHEMA public IS NULL")
    asyncio.run(truncate_pg())


def test_demo_refuses_a_postgresql_database_with_data_it_did_not_write(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_demo_cleanup: object
) -> None:
    monkeypatch.setenv("ESPACO_LOG_LEVEL", "WARNING")
    _query(
        "INSERT INTO client (external_id, document, name) VALUES ('REAL-1', '11222333000181',"
        " 'Cliente de verdade Ltda')"
    )
    with pytest.raises(SystemExit) as refused:
        cli.main(
            ["demo", "--data-dir", str(tmp_path / "demo"), "--database-url", PG_URL, "--no-serve"]
        )
    assert "já tem dados" in str(refused.value) and "client" in str(refused.value)
    assert _query("SELECT name FROM client") == "Cliente de verdade Ltda"
    assert _query("SELECT obj_description('public'::regnamespace, 'pg_namespace')") is None


def test_demo_builds_the_portal_in_postgresql_and_rebuilds_its_own(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    pg_demo_cleanup: object,
) -> None:
    monkeypatch.setenv("ESPACO_LOG_LEVEL", "WARNING")
    data_dir = tmp_path / "demo"
    out = _run_demo(data_dir, capsys)
    assert "Portal de demonstração pronto" in out and "usuário admin (master)" in out
    assert "banco: postgresql://" in out
    assert not (data_dir / "espaco.db").exists()
    assert _query("SELECT count(*) FROM client") == 14  # with the demo group
    assert _query("SELECT obj_description('public'::regnamespace, 'pg_namespace')") == (
        SCHEMA_COMMENT
    )
    env_file = data_dir / "espaco.env"
    assert f"ESPACO_DATABASE_URL={PG_URL}" in env_file.read_text()
    assert env_file.stat().st_mode & 0o777 == 0o600

    # Run again: the demo's own database is emptied and built again, not added to.
    out = _run_demo(data_dir, capsys)
    assert _query("SELECT count(*) FROM client") == 14  # with the demo group
    assert _query("SELECT count(*) FROM staff_user") == 2

    # The printed login opens the portal served from that database.
    document, code = re.search(r"CNPJ/CPF (\S+)\s+código (\S+)", out).groups()  # type: ignore[union-attr]
    demo_settings = Settings.from_env({"ESPACO_DATA_DIR": str(data_dir)})
    assert demo_settings.database_url == PG_URL
    with app_client(demo_settings) as http:
        assert client_login(http, document, code).status_code == 303
        assert http.get("/financeiro").status_code == 200
