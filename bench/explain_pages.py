"""Each portal page's queries on the 1,000,000-collection PostgreSQL data, checked with EXPLAIN.

Runs the app in process (Litestar's test client) against the database ``bench/scale.py``
filled (run that first: ``bench/scale.py --fill-only``), logs its measured client in, opens
every portal page and its variants (filters, htmx fragments, "Carregar mais", a ticket,
Avisos, the Relatório, the dossier, the CSV exports), and records each statement sent to
asyncpg with its arguments (as tests/web/test_query_count.py counts them). Then it runs
``EXPLAIN (FORMAT JSON)`` on each with the same arguments, on a connection set up like the
portal's (``plan_cache_mode=force_custom_plan``), and prints the plans' top node and cost.
Exits 1, listing them, when a plan reads a large table with a sequential scan; or a table that
is small here (sessions, one client's CDFs), or whose scan keeps most of its rows
(``certificate_mtr`` holds only the measured client's MTRs here), with a sequential scan that
no index read could replace (EXPLAIN again with ``enable_seqscan = off``); or when the
portal's own connections do not force custom plans. (Dropping ``invoice_client_due`` and
``certificate_client`` makes it list four plans and exit 1; dropping
``certificate_mtr_client``, seven.)

    PYTHONPATH=src .venv/bin/python bench/explain_pages.py [--database-url …] [--verbose]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import scale_data
from litestar.testing import TestClient
from scale import DEFAULT_DIR, DEFAULT_URL, HX, _env, _today

from espaco.app import create_app
from espaco.db import database
from espaco.settings import Settings

# Tables whose size grows with the business: a sequential scan of one is a page that slows
# down as the provider grows.
LARGE = {
    "collection", "collection_month", "invoice", "fiscal_document", "boleto", "certificate",
    "certificate_mtr", "collection_photo", "collection_request", "location", "client",
    "web_session", "audit_event", "outbox_email", "login_throttle",
}  # fmt: skip
# Below this many rows a sequential scan is the planner's right choice; the table must still
# have an index it would use once the table grows.
SMALL_ROWS = 10_000
# A scan the planner expects to keep at least this share of a table's rows reads the table
# because the page needs (nearly) all of it here: no index reads fewer rows. The data set gives
# CDFs to the measured client only, so ``certificate_mtr`` is all its rows (17,683): the
# pendências' anti-join and the dossier read it whole, and with 2,000 clients' CDFs (830,736
# rows, docs/benchmarks.md) the same statements read the client's part through
# ``certificate_mtr_client``. Such a table must have that index, as a small one must, and the
# plan through it must cost at most FORCED_COST times the sequential one (without that index
# the pendências' count probes ``certificate_mtr_certificate`` by its second column: 700×).
MOST_ROWS = 0.5
FORCED_COST = 2.0


def page_urls(ticket_id: int = 0) -> list[tuple[str, dict[str, str]]]:
    """The pages and fragments a client opens (``ticket_id``: one of its validated
    collections)."""
    today = _today()
    # The longest period a client may ask for (domain/periods: five years).
    years = f"inicio={today.year - 4}-01-01&fim={today.year}-12-31"
    old = today - timedelta(days=700)
    cold = f"inicio={old - timedelta(days=75)}&fim={old}"
    more = f"{cold}&pagina={old - timedelta(days=20)}.2147483647"
    return [
        ("/inicio", {}),
        ("/financeiro", {}),
        (f"/financeiro?{years}", HX),
        ("/coletas", {}),
        (f"/coletas?{cold}", {}),
        (f"/coletas?{cold}&situacao=validada", HX),
        (f"/coletas?{cold}&local=3", HX),
        (f"/coletas?{more}", HX),
        (f"/coletas/{ticket_id}/ticket.pdf", {}),
        ("/coletas/cdf/5/mtrs", HX),
        ("/financeiro/100/nota", {}),
        ("/financeiro/100/boleto", {}),
        ("/solicitar-coleta", {}),
        ("/solicitacoes", {}),
        (f"/solicitacoes/{today.year}-{scale_data.BIG_REQUESTS:06d}", {}),
        ("/avisos", {}),
        ("/coletas/relatorio", {}),
        (f"/coletas/relatorio?{years}", HX),
        (f"/coletas/relatorio.csv?{years}", {}),
        (f"/coletas/exportar?{cold}", {}),
        ("/coletas/dossie", {}),
        (f"/coletas/dossie?{cold}", {}),
    ]


class Recorder:
    def __init__(self) -> None:
        self.statements: dict[str, tuple[str, tuple[Any, ...], str]] = {}  # sql → (…, page)
        self.page = ""
        self.plan_cache_mode = ""  # as the portal's own connections have it

    def __call__(self, query: str, args: tuple[Any, ...]) -> None:
        if query.lstrip()[:6].upper() in (
            "SELECT",
            "WITH ",
            "WITH\n",
        ) or query.lstrip().upper().startswith("WITH"):
            self.statements.setdefault(query, (query, tuple(args), self.page))


async def a_ticket(url: str) -> int:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        return int(
            await connection.fetchval(
                "SELECT min(id) FROM collection WHERE client = $1 AND status = 'validated'",
                scale_data.BIG_CLIENT,
            )
        )
    finally:
        await connection.close()


def record(settings: Settings, code: str, urls: list[tuple[str, dict[str, str]]]) -> Recorder:
    from asyncpg.connection import Connection

    recorder = Recorder()
    original = Connection._execute

    def recording(self: Any, query: str, args: Any, *rest: Any, **kwargs: Any) -> Any:
        recorder(query, tuple(args))
        return original(self, query, args, *rest, **kwargs)

    patch = pytest.MonkeyPatch()
    patch.setattr(Connection, "_execute", recording)
    try:
        with TestClient(app=create_app(settings)) as http:
            form = http.get("/entrar").text
            token = form.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]
            answer = http.post(
                "/entrar",
                data={"documento": scale_data.DOCUMENT, "codigo": code, "_csrf_token": token},
                follow_redirects=False,
            )
            if answer.status_code != 303:
                raise SystemExit(f"login failed: {answer.status_code}")
            with http.portal() as portal:
                rows = portal.call(lambda: database.fetch("SHOW plan_cache_mode"))
            recorder.plan_cache_mode = rows[0][0]
            recorder.statements.clear()  # the pages' reads, not the login's
            for url, headers in urls:
                recorder.page = url
                for _ in range(2):  # the second time with what the first one cached
                    page = http.get(url, headers=headers)
                    if page.status_code != 200:
                        raise SystemExit(f"{url} answered {page.status_code}")
    finally:
        patch.undo()
    return recorder


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def seq_scans(raw: str) -> list[tuple[str, float]]:
    """Each sequential scan of a LARGE table: the table and the rows the planner expects it
    to keep."""
    plan = json.loads(raw)[0]["Plan"]
    return [
        (n["Relation Name"], n["Plan Rows"])
        for n in nodes(plan)
        if n["Node Type"] == "Seq Scan" and n.get("Relation Name") in LARGE
    ]


def cost(raw: str) -> float:
    return float(json.loads(raw)[0]["Plan"]["Total Cost"])


def unbounded_reads(raw: str, table: str) -> bool:
    """Whether the plan reads ``table`` other than through an index condition (a sequential
    scan, or a walk of a whole index, which ``enable_seqscan = off`` also yields)."""
    plan = json.loads(raw)[0]["Plan"]
    for n in nodes(plan):
        if n.get("Relation Name") != table:
            continue
        bounded = "Index Cond" in n or "Recheck Cond" in n  # a Bitmap Heap Scan's
        if n["Node Type"] == "Seq Scan" or not bounded:
            return True
    return False


async def explain(url: str, recorder: Recorder, verbose: bool) -> list[str]:
    """Print each statement's plan; return the problems: a sequential scan of a table that is
    large here, or of one that is small here (few sessions, one client's CDFs) but has no
    index the planner can use instead (checked again with ``enable_seqscan = off``)."""
    import asyncpg

    problems = []
    connection = await asyncpg.connect(
        url, server_settings={"plan_cache_mode": "force_custom_plan", "timezone": "UTC"}
    )
    try:
        rows = await connection.fetch(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'"
            " AND relnamespace = 'public'::regnamespace"
        )
        sizes = {r["relname"]: r["reltuples"] for r in rows}
        for sql, args, page in recorder.statements.values():
            explain_sql = f"EXPLAIN (FORMAT JSON) {sql}"
            raw = await connection.fetchval(explain_sql, *args)
            plan = json.loads(raw)[0]["Plan"]
            one_line = " ".join(sql.split())
            print(f"{plan['Total Cost']:>10.1f}  {plan['Node Type']:<18} {page}: {one_line[:100]}")
            if verbose:
                print("            args:", args)
            for table, kept in seq_scans(raw):
                size = sizes.get(table, 0)
                large = size >= SMALL_ROWS
                whole = large and kept >= MOST_ROWS * size
                if large and not whole:
                    problems.append(f"{page}: Seq Scan on {table}: {one_line}")
                    continue
                async with connection.transaction():
                    await connection.execute("SET LOCAL enable_seqscan = off")
                    forced = await connection.fetchval(explain_sql, *args)
                # A small table may be read whole through an index for a hash join; a large
                # one must be read through an index condition.
                seq_forced = [name for name, _ in seq_scans(forced)]
                if whole:
                    ratio = cost(forced) / cost(raw)
                    unusable = unbounded_reads(forced, table) or ratio > FORCED_COST
                else:
                    unusable = table in seq_forced
                if unusable:
                    problems.append(f"{page}: no usable index on {table}: {one_line}")
                else:
                    why = f"keeps {kept:.0f}; by index {ratio:.2f}× the cost" if whole else "few"
                    print(f"{'':30}Seq Scan on {table} ({size:.0f} rows here, {why});"
                          " an index serves it when the table grows")  # fmt: skip
    finally:
        await connection.close()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--verbose", action="store_true", help="print the arguments too")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the app's and httpx's request lines
    code_file = args.data_dir / "bench-code"
    if not code_file.is_file():
        raise SystemExit("no data: run bench/scale.py --fill-only first")
    settings = Settings.from_env(_env(args, "postgresql"))
    urls = page_urls(asyncio.run(a_ticket(args.database_url)))
    recorder = record(settings, code_file.read_text(), urls)
    print(f"{len(recorder.statements)} distinct statements on {len(urls)} pages")
    problems = asyncio.run(explain(args.database_url, recorder, args.verbose))
    print(f"the portal's connections run with plan_cache_mode = {recorder.plan_cache_mode}")
    if recorder.plan_cache_mode != "force_custom_plan":
        problems.append(
            "plan_cache_mode is not force_custom_plan on the portal's connections: the EXPLAINs"
            " above (custom plans) are not what it runs after a statement's fifth execution"
        )
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for problem in problems:
            print("  " + problem)
        return 1
    print("no sequential scan of a large table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
