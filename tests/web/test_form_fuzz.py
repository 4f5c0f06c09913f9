"""A fuzz pass over every form of the portal and the back-office (issue 12): generated field
values — huge numbers, NUL and other control characters, unicode, long strings, far dates —
posted by the right user with a valid CSRF token never get a 500, and a refused one (4xx)
changes nothing in the database.

The form routes are read from the app: a new POST route fails
``test_every_form_route_is_fuzzed`` until it gets its fields in :data:`FORMS`. Bounded for CI:
a fixed number of examples per route, derandomized (the same inputs on every run), no example
database. The API is fuzzed by schemathesis in ``test_api_schema.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hostile_support import World, earliest_request_date, form_token, snapshot, world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from espaco.settings import Settings
from espaco.tables import AuditEvent, LoginThrottle
from espaco.web.limits import FORM_MAX_BYTES

EXAMPLES = 20
LOGINS = {"/entrar", "/admin/entrar", "/admin/entrar/codigo", "/admin/conta/2fa",
          "/agenda/{part:str}"}  # fmt: skip
# A refused login (or an unknown calendar feed token) is counted against its key, and audited:
# that is the throttle working.
LOGIN_RECORDS = {LoginThrottle._meta.tablename, AuditEvent._meta.tablename}

# Each POST route: the fields its form has. Logout routes take none and end the session.
FORMS: dict[str, list[str]] = {
    "/entrar": ["documento", "codigo"],
    "/sair": [],
    "/solicitar-coleta": ["local", "data", "data_livre", "descricao", "chave", "unidade", "mes"],
    "/solicitacoes/{protocol:str}/cancelar": [],
    "/coletas/relatorio/aviso": ["aviso"],
    "/avisos/coleta-realizada": ["aviso"],
    "/avisos/agenda": ["confirmado"],
    "/avisos/agenda/desligar": ["confirmado"],
    "/admin/entrar": ["usuario", "senha"],
    "/admin/entrar/codigo": ["codigo"],
    "/admin/sair": [],
    "/admin/conta/2fa": ["codigo"],
    "/admin/clientes/{client_id:int}/emails": ["lista", "endereco"],
    "/admin/clientes/{client_id:int}/emails/{email_id:int}/remover": ["lista"],
    "/admin/clientes/{client_id:int}/codigo": [],
    "/admin/clientes/{client_id:int}/situacao": ["ativo"],
    "/admin/clientes/grupos": ["nome"],
    "/admin/clientes/grupos/{group_id:int}/membros": ["cliente"],
    "/admin/clientes/grupos/{group_id:int}/membros/{client_id:int}/remover": ["confirmado"],
    "/admin/clientes/grupos/{group_id:int}/emails": ["endereco"],
    "/admin/clientes/grupos/{group_id:int}/emails/{email_id:int}/remover": [],
    "/admin/clientes/grupos/{group_id:int}/codigo": ["confirmado"],
    "/admin/clientes/grupos/{group_id:int}/nome": ["nome"],
    "/admin/clientes/grupos/{group_id:int}/excluir": ["confirmado"],
    "/admin/emails/{email_id:int}/tentar-de-novo": [],
    "/admin/emails/enviar-pendentes": [],
    "/admin/solicitacoes/{protocol:str}/agendar": ["data"],
    "/admin/solicitacoes/{protocol:str}/recusar": ["motivo"],
    "/admin/tokens": ["nome", "escopos"],
    "/admin/tokens/{token_id:int}/revogar": [],
}
LOGOUTS = {"/sair", "/admin/sair"}
# The filter forms (plain GETs): their query parameters.
FILTERS: dict[str, list[str]] = {
    "/coletas": ["inicio", "fim", "local", "situacao", "pagina", "unidade"],
    "/coletas/exportar": ["inicio", "fim", "local", "situacao", "unidade"],
    "/coletas/relatorio": ["periodo", "inicio", "fim", "local"],
    "/coletas/dossie": ["periodo", "inicio", "fim", "local"],
    "/financeiro": ["inicio", "fim", "periodo", "pagina", "unidade"],
    "/solicitar-coleta": ["mes", "unidade"],
    "/solicitacoes": ["pagina", "unidade"],
    "/admin/clientes": ["q", "pagina"],
    "/admin/clientes/{client_id:int}": ["aba"],
    "/admin/clientes/grupos/{group_id:int}": ["q", "pagina"],
    "/admin/solicitacoes": ["situacao", "inicio", "fim", "cliente", "pagina"],
    "/admin/emails": ["situacao", "pagina"],
    # The calendar feed: its path part is the secret (no query parameters are read).
    "/agenda/{part:str}": [],
}

HUGE = [2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**30, -(2**63) - 1]
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
VALUES = st.one_of(
    TEXT,
    st.sampled_from(["", " ", "\x00", "a\x00b", "%00", "1e20", "NaN", "-1", "0", "☃", "🚛" * 50]),
    st.sampled_from(HUGE).map(str),
    st.integers().map(str),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "2026-13", "9999-12", "2000-01"]),
    st.builds(lambda c, n: c * n, st.sampled_from(["a", "ç", "\x00", "&", "="]),
              st.sampled_from([101, 1_000, 2_001])),
)  # fmt: skip
# Forms also get bodies past the byte limit (a URL that long never leaves the browser).
FORM_VALUES = st.one_of(VALUES, st.just("a" * 40_000))


def ids(w: World) -> dict[str, st.SearchStrategy[str]]:
    """Path parameters: the world's own ids now and then, else anything."""
    number = st.one_of(st.sampled_from(["1", "2"]), st.sampled_from(HUGE).map(str))
    return {
        "client_id": st.one_of(st.just(str(w.client_id)), number),
        "email_id": number,
        "group_id": st.one_of(st.just(str(w.group_id)), number),
        "token_id": number,
        "part": st.one_of(TEXT.filter(lambda t: "/" not in t), st.just("A" * 43 + ".ics")),
        "protocol": st.one_of(st.just(w.protocol), TEXT.filter(lambda t: "/" not in t)),
    }


@pytest.fixture
def w(settings: Settings) -> Iterator[World]:
    with world(settings) as made:
        yield made


def routes(w: World, method: str) -> set[str]:
    return {
        route.path
        for route in w.http.app.routes
        if method in getattr(route, "methods", ())
        and not route.path.startswith(("/api", "/static"))
    }


def test_every_form_route_is_fuzzed(w: World):
    missing = routes(w, "POST") - set(FORMS)
    assert not missing, f"new form routes: give them their fields in FORMS: {sorted(missing)}"
    assert set(FORMS) <= routes(w, "POST")
    assert set(FILTERS) <= routes(w, "GET")


def _fill(path: str, params: dict[str, str]) -> str:
    return re.sub(r"\{(\w+):\w+\}", lambda m: quote(params[m.group(1)], safe=""), path)


def _check(w: World, path: str, response: Any, before: dict[str, Any]) -> None:
    assert response.status_code < 500, f"{path} → {response.status_code}"
    if response.status_code >= 400:
        after = snapshot(w.http)
        if path in LOGINS:
            after = {k: v for k, v in after.items() if k not in LOGIN_RECORDS}
            before = {k: v for k, v in before.items() if k not in LOGIN_RECORDS}
        assert after == before, f"{path} refused with {response.status_code} but wrote"


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("path", sorted(set(FORMS) - LOGOUTS))
def test_generated_form_values_never_get_a_500_nor_a_write_when_refused(w: World, path: str):
    token = form_token(w.http, path)
    names = FORMS[path]
    path_params = {name: s for name, s in ids(w).items() if "{" + name in path}
    fields = st.fixed_dictionaries({}, optional={name: FORM_VALUES for name in names})
    valid_date = earliest_request_date(w.settings).isoformat()

    @FUZZ
    @given(form=fields, params=st.fixed_dictionaries(path_params), real_date=st.booleans())
    def check(form: dict[str, str], params: dict[str, str], real_date: bool) -> None:
        if real_date and "data" in names:
            form = {**form, "data": valid_date}
        before = snapshot(w.http)
        body = urlencode({"_csrf_token": token, **form}).encode()
        response = w.http.post(
            _fill(path, params),
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            follow_redirects=False,
        )
        if len(body) > FORM_MAX_BYTES:
            assert response.status_code == 413
        _check(w, path, response, before)

    check()


@pytest.mark.parametrize("path", sorted(FILTERS))
def test_generated_filter_values_never_get_a_500(w: World, path: str):
    names = FILTERS[path]
    path_params = {name: s for name, s in ids(w).items() if "{" + name in path}
    query = st.fixed_dictionaries({}, optional={name: VALUES for name in names})

    @FUZZ
    @given(query=query, params=st.fixed_dictionaries(path_params), htmx=st.booleans())
    def check(query: dict[str, str], params: dict[str, str], htmx: bool) -> None:
        before = snapshot(w.http)
        target = _fill(path, params) + "?" + urlencode(query)
        headers = {"HX-Request": "true"} if htmx else {}
        response = w.http.get(target, headers=headers, follow_redirects=False)
        _check(w, path, response, before)

    check()


def test_a_far_but_valid_period_is_answered_quickly_enough_to_be_a_page(w: World):
    """The widest period a filter accepts (five years) is one page of rows, not the history."""
    end = earliest_request_date(w.settings)
    start = end - timedelta(days=5 * 365)
    response = w.http.get(f"/coletas?inicio={start.isoformat()}&fim={end.isoformat()}")
    assert response.status_code == 200
