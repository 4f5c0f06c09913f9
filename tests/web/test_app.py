"""The app as a browser sees it over HTTP: the login page, static files, headers, health."""

from __future__ import annotations

import gzip
import json
import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from litestar.testing import TestClient
from support import soup

from espaco.resources import resource_dir

FIRST_VISIT_BUDGET = 14 * 1024  # HTML + CSS, compressed: one TCP initial window
YEAR_IMMUTABLE = "public, max-age=31536000, immutable"
HTMX_SRC = re.compile(r"^/static/htmx-4\.0\.1\.min\.js\?v=[0-9a-f]{8,}$")


@pytest.fixture
def login_html(web: TestClient) -> BeautifulSoup:
    response = web.get("/entrar")
    assert response.status_code == 200
    return soup(response)


def static_urls(soup: BeautifulSoup) -> list[str]:
    """Every same-origin ``/static/`` URL the page links to (stylesheets, icons, scripts)."""
    urls = [tag["href"] for tag in soup.find_all("link", href=True)]
    urls += [tag["src"] for tag in soup.find_all(["script", "img"], src=True)]
    return [url for url in urls if url.startswith("/static/")]


# -- the login page ----------------------------------------------------------------------------
def test_login_page_is_in_brazilian_portuguese(login_html: BeautifulSoup) -> None:
    assert login_html.html is not None
    assert login_html.html["lang"] == "pt-BR"
    assert login_html.find("meta", charset=True)["charset"].lower() == "utf-8"


def test_login_page_answers_html_in_utf8(web: TestClient) -> None:
    response = web.get("/entrar")
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_every_login_field_has_a_label(login_html: BeautifulSoup) -> None:
    form = login_html.find("form", action="/entrar")
    assert form is not None and form["method"].lower() == "post"
    fields = [
        i for i in form.find_all(["input", "select", "textarea"]) if i.get("type") != "hidden"
    ]
    assert {field["name"] for field in fields} == {"documento", "codigo"}
    for field in fields:
        label = form.find("label", attrs={"for": field["id"]})
        assert label is not None and label.get_text(strip=True), field["name"]
    assert form.find("input", attrs={"name": "codigo"})["type"] == "password"
    assert form.find("button", type="submit").get_text(strip=True) == "Entrar"


@pytest.mark.parametrize("path", ["/entrar", "/admin/entrar"])
def test_the_login_pages_load_no_script(web: TestClient, path: str) -> None:
    # Their forms work as plain POSTs; htmx (13 KB) would push /entrar's first visit past one
    # TCP window. It is fetched by the first page after login and cached from then on.
    page = soup(web.get(path))
    assert page.find_all("script") == []


def test_htmx_is_loaded_deferred_from_a_versioned_file(web: TestClient) -> None:
    # Any page built on base.html but the login pages; a not-found page needs no login.
    page = soup(web.get("/nao-existe"))
    scripts = page.find_all("script")
    htmx = [s for s in scripts if HTMX_SRC.match(s.get("src", ""))]
    assert len(htmx) == 1, [s.get("src") for s in scripts]
    assert htmx[0].has_attr("defer")
    assert all(s.get("src") for s in scripts), "inline <script> on the page"


def test_htmx_config_keeps_history_simple_and_requests_same_origin(
    login_html: BeautifulSoup,
) -> None:
    meta = login_html.find("meta", attrs={"name": "htmx-config"})
    assert meta is not None
    config = json.loads(meta["content"])
    assert config["history"] == "reload"
    assert config["includeIndicatorCSS"] is False
    assert config["mode"] == "same-origin"


def test_pages_vary_on_hx_request(web: TestClient) -> None:
    for headers in ({}, {"HX-Request": "true"}):
        response = web.get("/entrar", headers=headers)
        vary = {part.strip().lower() for part in response.headers["vary"].split(",")}
        assert "hx-request" in vary


# -- security headers --------------------------------------------------------------------------
def assert_security_headers(headers: object) -> None:
    csp = headers["content-security-policy"]  # type: ignore[index]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert headers["x-content-type-options"] == "nosniff"  # type: ignore[index]
    assert headers["x-frame-options"] == "DENY"  # type: ignore[index]
    assert headers["referrer-policy"] == "same-origin"  # type: ignore[index]


def test_pages_carry_a_strict_content_security_policy(web: TestClient) -> None:
    assert_security_headers(web.get("/entrar").headers)


def test_static_files_carry_the_security_headers(
    web: TestClient, login_html: BeautifulSoup
) -> None:
    for url in static_urls(login_html):
        assert_security_headers(web.get(url).headers)


# -- static files ------------------------------------------------------------------------------
def test_static_urls_carry_a_content_hash(login_html: BeautifulSoup) -> None:
    urls = static_urls(login_html)
    assert any(urlsplit(u).path == "/static/app.css" for u in urls)
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{8,}$", url), url


def test_static_files_are_cached_for_a_year(web: TestClient, login_html: BeautifulSoup) -> None:
    urls = static_urls(login_html)
    assert urls, "the login page links no static file"
    for url in urls:
        response = web.get(url)
        assert response.status_code == 200, url
        assert response.content, url
        assert response.headers["cache-control"] == YEAR_IMMUTABLE, url
        assert response.headers["etag"], url


@pytest.mark.parametrize("name", ["app.css", "htmx-4.0.1.min.js", "icon.svg"])
def test_text_static_files_are_gzipped_when_asked(web: TestClient, name: str) -> None:
    plain = web.get(f"/static/{name}", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    zipped = web.get(f"/static/{name}", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # httpx decoded it
    assert int(zipped.headers["content-length"]) < len(plain.content)
    assert "accept-encoding" in zipped.headers["vary"].lower()


def test_javascript_is_served_as_utf8_javascript(web: TestClient) -> None:
    response = web.get("/static/htmx-4.0.1.min.js")
    media_type, _, params = response.headers["content-type"].partition(";")
    assert media_type in ("application/javascript", "text/javascript")
    assert params.strip() == "charset=utf-8"


def test_static_file_answers_304_to_its_etag(web: TestClient) -> None:
    first = web.get("/static/app.css")
    again = web.get("/static/app.css", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["cache-control"] == YEAR_IMMUTABLE
    other = web.get("/static/app.css", headers={"If-None-Match": '"0000"'})
    assert other.status_code == 200


@pytest.mark.parametrize(
    "path", ["/static/nao-existe.css", "/static/", "/static/partials/entrar_form.html"]
)
def test_unknown_static_file_is_not_found(web: TestClient, path: str) -> None:
    assert web.get(path).status_code == 404


# -- health ------------------------------------------------------------------------------------
def test_health_check_says_ok_when_the_database_answers(web: TestClient) -> None:
    response = web.get("/saude")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


# -- conventions -------------------------------------------------------------------------------
INLINE_STYLE = re.compile(r"<[^>]*\sstyle\s*=|<style[\s>]", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)


def template_files() -> list[str]:
    folder = resource_dir("templates")
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))


@pytest.mark.parametrize("name", template_files())
def test_templates_hold_no_inline_script_or_style(name: str) -> None:
    """The CSP forbids inline code; a template that has some breaks in the browser only."""
    text = (resource_dir("templates") / name).read_text(encoding="utf-8")
    assert not INLINE_STYLE.search(text), "inline style"
    for attrs in SCRIPT_TAG.findall(text):
        assert re.search(r"\ssrc\s*=", attrs), "inline <script> without src"
    assert not EVENT_HANDLER.search(text), "inline event handler (on…= / hx-on)"


# -- budget ------------------------------------------------------------------------------------
def test_first_visit_fits_one_tcp_window(
    web: TestClient, login_html: BeautifulSoup, capsys: pytest.CaptureFixture[str]
) -> None:
    """HTML (gzip level 6, as the app compresses pages) + app.css as served, gzipped."""
    page = web.get("/entrar", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    html_bytes = len(gzip.compress(page.content, compresslevel=6))
    assert abs(html_bytes - int(page.headers["content-length"])) < 64
    css_url = next(u for u in static_urls(login_html) if urlsplit(u).path == "/static/app.css")
    css = web.get(css_url, headers={"Accept-Encoding": "gzip"})
    assert css.headers["content-encoding"] == "gzip"
    css_bytes = int(css.headers["content-length"])
    total = html_bytes + css_bytes
    with capsys.disabled():
        print(
            f"\n/entrar first visit: HTML {html_bytes} B + app.css {css_bytes} B gzip = "
            f"{total} B (budget {FIRST_VISIT_BUDGET} B)"
        )
    assert total <= FIRST_VISIT_BUDGET
