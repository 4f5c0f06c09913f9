"""Every page of the app on a phone: each GET route that answers HTML, read from the app's own
route table and filled with ids of seeded demo data, opened at 320 and 360 px with JavaScript
and without, as the client (portal) or a master user (back-office).

On each page: nothing wider than the screen, every visible target at least 24 × 24 CSS px (or
spaced as WCAG 2.2, 2.5.8 allows), no console error or CSP violation, and (JavaScript on) axe
finds nothing at all. A new route with an id nobody fills fails the walk until it is given one.

One browser context per width and JavaScript mode, reused across the pages (a context is a
fresh profile: ~0.3 s each, a hundred of them would cost more than the pages).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page

from espaco.demo import build_demo_import
from espaco.demo.clients import set_demo_access_code
from espaco.services.access.staff import create_staff
from espaco.services.collections import calendar_feed
from espaco.services.imports import import_file
from espaco.tables import (
    Boleto,
    Certificate,
    Client,
    ClientGroup,
    CollectionPhoto,
    CollectionRequest,
    FiscalDocument,
    Invoice,
    Location,
)
from tests.browser.conftest import CONTEXT_OPTIONS, RECORD_CSP_VIOLATIONS, BrowserLog, log_in

pytestmark = pytest.mark.browser

WIDTHS = (320, 360)
STAFF_USER, STAFF_PASSWORD = "mestre-celular", "senha-do-celular-123"
# Not pages of the app: the ERP's JSON API and its OpenAPI viewer, static files, health.
NOT_PAGES = ("/api", "/static", "/saude")
# Pages that need a login of their own kind, as the walk opens them.
PUBLIC = {"/entrar", "/admin/entrar", "/admin/entrar/codigo"}

# Targets under 24 × 24 px and not spaced as 2.5.8 allows. A target inside a line of text is
# exempt (the "inline" exception), as are the visually hidden radio buttons of the calendar,
# whose labels are the targets.
TARGETS_JS = """(width) => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  const all = [...document.querySelectorAll(selector)].filter((e) => {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && s.opacity !== '0';
  });
  const inline = (e) => {
    if (e.tagName !== 'A') return false;
    const block = e.closest('p, li, dd, td, th, div, label');
    if (!block || getComputedStyle(e).display !== 'inline') return false;
    return block.textContent.trim().length > e.textContent.trim().length;
  };
  const rects = all.map((e) => e.getBoundingClientRect());
  const small = all.map((e, i) => rects[i].width < 23.5 || rects[i].height < 23.5);
  const gap = (x, y, r) => Math.hypot(Math.max(r.left - x, 0, x - r.right),
                                      Math.max(r.top - y, 0, y - r.bottom));
  const problems = [];
  all.forEach((e, i) => {
    if (!small[i] || inline(e)) return;
    const r = rects[i], x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
    const crowded = all.some((o, j) => {
      if (j === i || o.contains(e) || e.contains(o)) return false;
      const q = rects[j];
      if (small[j]) return Math.hypot(x - (q.left + q.right) / 2, y - (q.top + q.bottom) / 2) < 24;
      return gap(x, y, q) < 12;
    });
    if (crowded) {
      const name = (e.innerText || e.getAttribute('aria-label') || e.name || e.tagName).trim();
      problems.push(`${e.tagName.toLowerCase()} "${name.slice(0, 30)}" ` +
                    `${Math.round(r.width)}×${Math.round(r.height)}`);
    }
  });
  return problems;
}"""


# In a table laid out as cards (class "pilha"), each cell's caption is its column's header:
# the captions live in the rows (some built in Python), so a test keeps them in step.
CAPTIONS_JS = """() => {
  const out = [];
  for (const table of document.querySelectorAll('table.pilha')) {
    const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    for (const tr of table.querySelectorAll('tbody tr')) {
      const cells = [...tr.children];
      if (cells.length === 1 && cells[0].colSpan > 1) continue;  // "Carregar mais"
      cells.forEach((td, i) => {
        const label = td.getAttribute('data-label');
        if (heads[i] && label !== heads[i]) out.push(`column "${heads[i]}" captioned "${label}"`);
      });
    }
  }
  return [...new Set(out)];
}"""


@dataclass(frozen=True)
class Seeded:
    ids: dict[str, str]
    document: str
    code: str


async def seed_demo(data_dir: Path, settings: Any) -> Seeded:
    """The demo's import, a client's code, a master user and a pending request: one of every
    thing each route shows."""
    now = datetime.now(UTC)
    demo = build_demo_import(data_dir, today=now.date())
    result = await import_file(demo.path, settings, now=now)
    assert result.ok, result.problems[:3]
    mine = demo.clients[0]
    code = await set_demo_access_code(mine.external_id, now=now)
    error = await create_staff(STAFF_USER, STAFF_PASSWORD, "master", now=now)
    assert error is None, error
    client = (await Client.select(Client.id).where(Client.external_id == mine.external_id))[0]
    client_id = client["id"]
    fiscal = await FiscalDocument.select(FiscalDocument.invoice).where(
        FiscalDocument.client == client_id
    )
    boletos = await Boleto.select(Boleto.invoice).where(
        Boleto.invoice.is_in([row["invoice"] for row in fiscal])
    )
    payable = await Invoice.select(Invoice.id).where(
        Invoice.id.is_in([row["invoice"] for row in boletos]) & (Invoice.status == "open")
    )
    photo = await CollectionPhoto.select(CollectionPhoto.id, CollectionPhoto.collection).where(
        CollectionPhoto.collection.client == client_id
    )
    certificate = await Certificate.select(Certificate.id).where(Certificate.client == client_id)
    location = await Location.select(Location.id).where(Location.client == client_id)
    protocol = f"{now.year}-7{client_id:05d}"
    await CollectionRequest.insert(
        CollectionRequest(
            client=client_id,
            location=location[0]["id"],
            protocol=protocol,
            intended_on=date(now.year + 1, 1, 15),
            description="Troca da caçamba de entulho na obra da rua de trás, portão azul",
            submission_key=f"phone-{client_id}",
            created_at=now,
        )
    )
    group = await ClientGroup.select(ClientGroup.id).where(ClientGroup.external_id == "GRP-0001")
    feed_token = await calendar_feed.renew(client_id, now=now)
    ids = {
        "client_id": str(client_id),
        "group_id": str(group[0]["id"]),
        "part": f"{feed_token}.ics",  # the calendar feed (not HTML: the walk checks its 200)
        "invoice_id": str(payable[0]["id"]),
        "collection_id": str(photo[0]["collection"]),
        "photo_id": str(photo[0]["id"]),
        "certificate_id": str(certificate[0]["id"]),
        "protocol": protocol,
    }
    return Seeded(ids, mine.document, code)


@pytest.fixture(scope="module")
def seeded(live_server, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return live_server.call(seed_demo, tmp_path_factory.mktemp("demo"), live_server.settings)


def get_routes(app: Any) -> list[str]:
    """Every GET path of the app but the API, static files and health."""
    paths = set()
    for route in app.routes:
        if route.path.startswith(NOT_PAGES) or "GET" not in getattr(route, "methods", ()):
            continue
        paths.add(route.path)
    return sorted(paths)


def fill(path: str, ids: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in ids, f"new route {path}: give the phone walk a value for {{{name}}}"
        return ids[name]

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


def html_pages(context: BrowserContext, paths: list[str]) -> list[str]:
    """The paths that answer HTML for this session (PDFs, CSV, XML and photos are downloads),
    each of which must answer 200."""
    pages = []
    for path in paths:
        response = context.request.get(path, max_redirects=0)
        assert response.status in (200, 302, 303), f"GET {path} → {response.status}"
        if response.headers.get("content-type", "").startswith("text/html"):
            pages.append(path)
    return pages


def extra_views(ids: dict[str, str]) -> list[str]:
    """Views of the same routes that a query string changes a lot: tabs, another period."""
    client = ids["client_id"]
    return [
        f"/admin/clientes/{client}?aba=emails",
        f"/admin/clientes/{client}?aba=configuracoes",
        f"/admin/clientes/grupos/{ids['group_id']}?q=p%C3%A3o",
        "/coletas?inicio=2024-01-01&fim=2027-12-31",
        "/financeiro?inicio=2024-01-01&fim=2027-12-31",
        f"/solicitar-coleta?mes={datetime.now(UTC).year + 1}-01",
    ]


def log_in_client(page: Page, seeded: Seeded) -> None:
    log_in(page, seeded.document, seeded.code)


def log_in_staff(page: Page) -> None:
    page.goto("/admin/entrar")
    page.get_by_label("Usuário").fill(STAFF_USER)
    page.get_by_label("Senha").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(re.compile(r".*/admin/(?!entrar).*"))


@dataclass
class Walk:
    width: int
    javascript: bool
    problems: list[str]
    axe: Axe | None

    def check(self, page: Page, path: str, log: BrowserLog) -> None:
        response = page.goto(path)
        assert response is not None
        if self.javascript and page.locator("script[src*=htmx]").count():
            page.wait_for_function("() => window.htmx !== undefined")
        where = f"{path} at {self.width} px, JavaScript {'on' if self.javascript else 'off'}"
        if response.status != 200:
            self.problems.append(f"{where}: HTTP {response.status}")
        # With is_mobile Chromium widens innerWidth to the content: compare with the set width.
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > self.width:
            self.problems.append(f"{where}: {scroll_width} px wide")
        for target in page.evaluate(TARGETS_JS, self.width):
            self.problems.append(f"{where}: small target {target}")
        for caption in page.evaluate(CAPTIONS_JS):
            self.problems.append(f"{where}: {caption}")
        if self.axe is not None:
            for v in self.axe.run(page).response["violations"]:
                targets = "; ".join(", ".join(map(str, n["target"])) for n in v["nodes"][:3])
                self.problems.append(f"{where}: axe {v['id']} ({v['impact']}) {targets}")
        found = log.console_errors + log.page_errors + log.failed_requests
        if self.javascript:
            found += page.evaluate("window.__cspViolations || []")
        self.problems.extend(f"{where}: {message}" for message in found)
        log.console_errors.clear(), log.page_errors.clear(), log.failed_requests.clear()


def new_context(browser: Browser, live_server: Any, width: int, javascript: bool) -> Iterator:
    live_server.activate()
    context = browser.new_context(
        base_url=live_server.url,
        **{**CONTEXT_OPTIONS, "viewport": {"width": width, "height": 740}},
        java_script_enabled=javascript,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    try:
        yield context
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_a_phone_with_large_enough_targets_and_no_errors(
    browser: Browser, live_server, seeded: Seeded, width: int, javascript: bool
) -> None:
    routes = [fill(path, seeded.ids) for path in get_routes(live_server_app(live_server))]
    walk = Walk(width, javascript, [], Axe() if javascript and width == 360 else None)
    seen: set[str] = set()
    for who in ("anonymous", "client", "staff"):
        for context in new_context(browser, live_server, width, javascript):
            page = context.new_page()
            log = BrowserLog()
            log.watch(page)
            if who == "client":
                log_in_client(page, seeded)
            elif who == "staff":
                log_in_staff(page)
            mine = [
                p
                for p in routes
                if (who == "anonymous") == (p in PUBLIC)
                and (who != "client" or not p.startswith("/admin"))
                and (who != "staff" or p.startswith("/admin"))
            ]
            extra = [
                p for p in extra_views(seeded.ids) if p.startswith("/admin") == (who == "staff")
            ]
            seen.update(mine)
            for path in html_pages(context, mine) + (extra if who != "anonymous" else []):
                walk.check(page, path, log)
    assert not set(routes) - seen, f"routes the walk never opened: {sorted(set(routes) - seen)}"
    assert not walk.problems, "\n".join(walk.problems)


def live_server_app(live_server: Any) -> Any:
    from espaco.app import create_app

    return create_app(live_server.settings)


# -- the facts of a row, on screen without swiping ---------------------------------------------
ROW_FACTS = {
    "/financeiro?inicio=2024-01-01&fim=2027-12-31": (
        "#fechamentos tbody tr",
        ["Referência", "Vencimento", "Valor", "Situação", "Nota fiscal", "Boleto"],
    ),
    "/coletas?inicio=2024-01-01&fim=2027-12-31": (
        "#coletas-tabela tbody tr:not(:has(td[colspan]))",
        ["Data", "Local", "Resíduo", "Quantidade", "Situação", "Ticket", "MTR/SINIR"],
    ),
    "/admin/solicitacoes": (
        "#fila tbody tr",
        ["Protocolo", "Cliente", "Local", "Pretendida", "Situação"],
    ),
    "/admin/emails": ("#caixa tbody tr", ["Criada em", "Tipo", "Para", "Situação"]),
}
FACTS_JS = """([rows, labels, width]) => {
  const out = [];
  const trs = [...document.querySelectorAll(rows)];
  if (!trs.length) return ['no rows'];
  for (const tr of trs.slice(0, 30)) {
    for (const label of labels) {
      const td = tr.querySelector(`td[data-label="${label}"]`);
      if (!td) { out.push(`a row has no ${label} cell`); continue; }
      const r = td.getBoundingClientRect();
      if (td.textContent.trim() && (r.left < 0 || r.right > width || r.width < 1))
        out.push(`${label} at x ${Math.round(r.left)}–${Math.round(r.right)}`);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_each_rows_facts_are_on_a_360px_screen_without_swiping(
    browser: Browser, live_server, seeded: Seeded, javascript: bool
) -> None:
    problems = []
    for who in ("client", "staff"):
        for context in new_context(browser, live_server, 360, javascript):
            page = context.new_page()
            log_in_client(page, seeded) if who == "client" else log_in_staff(page)
            for path, (rows, labels) in ROW_FACTS.items():
                if path.startswith("/admin") != (who == "staff"):
                    continue
                page.goto(path)
                found = page.evaluate(FACTS_JS, [rows, labels, 360])
                problems += [f"{path}: {p}" for p in found]
            if who == "client":
                page.goto("/solicitacoes")
                cards = page.locator(".solicitacao a, .solicitacao .selo")
                assert cards.count() >= 2
                for box in (cards.nth(i).bounding_box() for i in range(cards.count())):
                    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert not problems, "\n".join(problems)


# -- the first visit, measured on the wire -----------------------------------------------------
FIRST_WINDOW = 14_600  # bytes: ten TCP segments of 1,460, a new connection's first window


@dataclass
class Fetch:
    url: str
    initiator: str | None
    bytes: int = 0
    finished: float = 0.0
    cached: bool = False


def record_network(context: BrowserContext, page: Page) -> tuple[dict[str, Fetch], list[float]]:
    """Every request of ``page`` by CDP request id, with its initiator's URL, its bytes on the
    wire (headers and body, compressed) and when it finished; and the load event's time."""
    fetches: dict[str, Fetch] = {}
    load: list[float] = []
    cdp = context.new_cdp_session(page)

    def sent(event: dict[str, Any]) -> None:
        initiator = event["initiator"]
        url = initiator.get("url")
        if url is None and initiator.get("stack"):
            frames = initiator["stack"].get("callFrames") or [{}]
            url = frames[0].get("url")
        if not event["request"]["url"].startswith("data:"):  # in the HTML: no request
            fetches[event["requestId"]] = Fetch(event["request"]["url"], url)

    def finished(event: dict[str, Any]) -> None:
        if event["requestId"] in fetches:
            fetch = fetches[event["requestId"]]
            fetch.bytes, fetch.finished = int(event["encodedDataLength"]), event["timestamp"]

    def from_cache(event: dict[str, Any]) -> None:
        if event["requestId"] in fetches:
            fetches[event["requestId"]].cached = True

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.requestServedFromCache", from_cache)
    cdp.on("Page.loadEventFired", lambda event: load.append(event["timestamp"]))
    cdp.send("Network.enable")
    cdp.send("Page.enable")
    return fetches, load


def chain_depth(fetches: list[Fetch]) -> dict[str, int]:
    """Each URL's place in the critical request chain: the document 1, what it names 2, what
    those name 3..."""
    depth: dict[str, int] = {}
    for fetch in fetches:  # in the order they were sent, so an initiator comes first
        depth[fetch.url] = depth.get(fetch.initiator or "", 0) + 1
    return depth


def test_the_first_visit_to_entrar_fits_one_tcp_window_in_two_round_trips(
    browser: Browser, live_server
) -> None:
    for context in new_context(browser, live_server, 360, True):
        page = context.new_page()
        fetches, load = record_network(context, page)
        page.goto("/entrar", wait_until="load")
        page.wait_for_timeout(300)  # let the last loadingFinished events arrive
        before_load = [f for f in fetches.values() if f.finished and f.finished <= load[0]]
        late = [f.url for f in fetches.values() if not f.finished or f.finished > load[0]]
        total = sum(f.bytes for f in before_load)
        report = ", ".join(f"{f.url.split('?')[0]} {f.bytes} B" for f in before_load)
        print(f"/entrar first visit: {total} B on the wire before load ({report})")
        assert len(before_load) >= 2, report  # the page and its stylesheet
        assert total <= FIRST_WINDOW, report
        depth = chain_depth(list(fetches.values()))
        assert max(depth.values()) <= 2, depth
        assert not any("htmx" in url for url in fetches), "htmx fetched by /entrar"
        assert not late, f"fetched after the load event: {late}"


def test_after_login_each_page_is_one_request_with_static_files_cached(
    browser: Browser, live_server, seeded: Seeded
) -> None:
    for context in new_context(browser, live_server, 360, True):
        page = context.new_page()
        log_in_client(page, seeded)  # /inicio fetches htmx and the icon once
        page.goto("/financeiro", wait_until="load")
        for path in ("/financeiro", "/coletas"):
            fetches, load = record_network(context, page)
            page.goto(path, wait_until="load")
            page.wait_for_timeout(200)
            network = [f.url for f in fetches.values() if not f.cached]
            assert len(network) == 1 and network[0].endswith(path), network


def test_the_linha_digitavel_wraps_between_groups_and_its_buttons_stand_apart(
    browser: Browser, live_server, seeded: Seeded
) -> None:
    for context in new_context(browser, live_server, 320, True):
        page = context.new_page()
        log_in_client(page, seeded)
        page.goto(f"/financeiro/{seeded.ids['invoice_id']}/boleto")
        groups = page.locator("#linha-digitavel > span")
        assert groups.count() == 5
        for i in range(groups.count()):  # one box per group: none is split across lines
            assert groups.nth(i).evaluate("g => g.getClientRects().length") == 1
        copy = page.get_by_role("button", name="Copiar linha digitável").bounding_box()
        download = page.get_by_role("link", name="Baixar boleto (PDF)").bounding_box()
        assert copy is not None and download is not None
        apart_x = max(download["x"] - copy["x"] - copy["width"], 0)
        apart_y = max(download["y"] - copy["y"] - copy["height"], 0)
        assert max(apart_x, apart_y) >= 8, (copy, download)


# -- htmx swaps under the strict CSP -----------------------------------------------------------
def test_htmx_swaps_log_no_csp_violation_or_console_error(
    browser: Browser, live_server, seeded: Seeded
) -> None:
    """htmx 4 can inject inline styles (its indicator CSS, settling); the CSP forbids them and
    the console would say so on every swap. Each kind of swap the app makes, once."""
    for context in new_context(browser, live_server, 360, True):
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        log = BrowserLog()
        log.watch(page)
        log_in_client(page, seeded)
        page.goto("/financeiro")
        page.wait_for_function("() => window.htmx !== undefined")
        page.evaluate("window.__same_document = true")
        page.get_by_role("link", name="Ano passado").click()
        page.wait_for_url("**inicio=*")
        page.locator("#fechamentos a[href$='/nota']").first.click()
        page.locator("#nota-detalhe h2").wait_for()
        page.goto("/coletas")
        page.wait_for_function("() => window.htmx !== undefined")
        page.evaluate("window.__same_document = true")
        page.get_by_label("Situação").select_option("validada")
        page.get_by_role("button", name="Filtrar").click()
        page.wait_for_url("**situacao=*")
        page.goto("/solicitar-coleta")
        page.wait_for_function("() => window.htmx !== undefined")
        page.evaluate("window.__same_document = true")
        title = page.locator("#calendario-titulo").inner_text()
        page.get_by_role("button", name="Próximo mês").click()
        page.wait_for_function(
            "t => document.querySelector('#calendario-titulo').innerText !== t", arg=title
        )
        assert page.evaluate("window.__same_document === true"), "htmx should have swapped"
        log.assert_clean(page)
        log_in_staff(page)
        page.wait_for_function("() => window.htmx !== undefined")
        page.evaluate("window.__same_document = true")
        page.get_by_role("searchbox").fill("a")
        page.wait_for_url("**q=a*")
        page.goto(f"/admin/clientes/{seeded.ids['client_id']}")
        page.wait_for_function("() => window.htmx !== undefined")
        page.evaluate("window.__same_document = true")
        page.get_by_role("link", name="Configurações").click()
        page.wait_for_url("**aba=configuracoes")
        page.get_by_role("button", name="Desativar cliente").click()  # hx-confirm accepted
        page.get_by_role("button", name="Reativar cliente").click()
        page.get_by_role("button", name="Desativar cliente").wait_for()
        assert page.evaluate("window.__same_document === true"), "htmx should have swapped"
        log.assert_clean(page)
