"""/avisos for a group (matriz e filiais): the group's login sets each unit's notices through the
same ``?unidade=`` selector as the Relatório de resíduos (one unit at a time, by default the one
that logged in; a plain GET form, an htmx swap with JavaScript); each form posts its unit, checked
against the session's scope again; a member's own login sees only itself; a unit outside the
scope is 404 and changes nothing."""

from __future__ import annotations

import groups_samples as gs
import pytest
from support import HX, call, client_login, soup

from espaco.services.collections import calendar_feed, done_email
from espaco.tables import AuditEvent, Client


@pytest.fixture
def seeded(web, settings):
    return call(web, gs.seed, settings)


def _group_login(web, seeded, member: int = 1) -> None:
    code = call(web, gs.group_code, seeded["G1"])
    assert client_login(web, gs.DOCS[member], code).status_code == 303


async def _notices(*client_ids: int) -> dict[int, tuple[bool, bool]]:
    """Each unit's (coleta-realizada e-mail on, calendar feed on)."""
    return {
        c: (await done_email.is_enabled(c), (await calendar_feed.state(c)).active)
        for c in client_ids
    }


async def _state() -> tuple:
    rows = await Client.select().order_by(Client.id)
    return rows, await AuditEvent.count()


def _post(web, path: str, data: dict[str, str], page: str = "/avisos"):
    token = soup(web.get(page)).select_one('input[name="_csrf_token"]')["value"]
    return web.post(path, data={"_csrf_token": token, **data}, follow_redirects=False)


def _units(page) -> dict[str, str]:
    return {o.get_text(): o["value"] for o in page.select("select#unidade option")}


def test_the_group_sees_the_unit_that_logged_in_and_can_choose_another(web, seeded):
    one, two = seeded["CLI-1"], seeded["CLI-2"]
    _group_login(web, seeded, member=2)
    page = soup(web.get("/avisos"))
    assert _units(page) == {"Cliente 1": str(one), "Cliente 2": str(two)}  # no "Todas"
    assert page.select_one("select#unidade option[selected]")["value"] == str(two)
    assert page.select_one('label[for="unidade"]').get_text() == "Unidade"
    selector = page.select_one('form[action="/avisos"]')
    assert selector["method"] == "get" and selector["hx-target"] == "#avisos-unidade"
    assert selector.select_one('button[type="submit"]').get_text() == "Trocar de unidade"
    hidden = {i["value"] for i in page.select('#avisos-unidade form input[name="unidade"]')}
    assert hidden == {str(two)}

    chosen = soup(web.get(f"/avisos?unidade={one}"))
    assert chosen.select_one("select#unidade option[selected]")["value"] == str(one)
    assert {i["value"] for i in chosen.select('#avisos-unidade input[name="unidade"]')} == {
        str(one)
    }
    fragment = web.get(f"/avisos?unidade={one}", headers=HX)
    assert fragment.status_code == 200 and fragment.headers["vary"].lower().count("hx-request")
    part = soup(fragment)
    assert part.select_one("html") is None and part.select_one("select#unidade") is None
    root = part.find(True)
    assert root.name == "div" and root["id"] == "avisos-unidade"
    assert "Cliente 1" in root.get_text()


def test_each_unit_keeps_its_own_notices(web, seeded):
    one, two = seeded["CLI-1"], seeded["CLI-2"]
    _group_login(web, seeded)
    on = _post(web, "/avisos/coleta-realizada", {"aviso": "sim", "unidade": str(two)})
    assert on.status_code == 303
    assert on.headers["location"] == f"/avisos?unidade={two}#coleta-realizada"
    assert call(web, _notices, one, two) == {one: (False, False), two: (True, False)}
    # The unit's page says so; the other unit's does not.
    assert "Ligado" in soup(web.get(f"/avisos?unidade={two}")).select_one("#coleta-realizada").text
    assert "Desligado" in soup(web.get("/avisos")).select_one("#coleta-realizada").text

    created = _post(web, "/avisos/agenda", {"unidade": str(one)})
    assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
    assert soup(created).select_one("#endereco-agenda") is not None
    assert call(web, _notices, one, two) == {one: (False, True), two: (True, False)}

    # Renewing asks first, and the confirmation carries the unit.
    asked = soup(_post(web, "/avisos/agenda", {"unidade": str(one)}))
    assert asked.select_one('input[name="unidade"]')["value"] == str(one)
    assert asked.select_one('input[name="confirmado"]')["value"] == "1"
    assert asked.select_one("a.botao")["href"] == f"/avisos?unidade={one}"
    assert "Unidade: Cliente 1." in asked.get_text()
    off = _post(web, "/avisos/agenda/desligar", {"unidade": str(one), "confirmado": "1"})
    assert off.status_code == 303 and off.headers["location"] == f"/avisos?unidade={one}#agenda"
    assert call(web, _notices, one, two) == {one: (False, False), two: (True, False)}

    # Without a unit in the form: the unit that logged in, as the page shows by default.
    assert _post(web, "/avisos/coleta-realizada", {"aviso": "sim"}).status_code == 303
    assert call(web, _notices, one, two) == {one: (True, False), two: (True, False)}


@pytest.mark.parametrize("kind", ["group", "member"])
def test_a_unit_outside_the_scope_is_not_found_and_changes_nothing(web, seeded, kind):
    one, two, other = seeded["CLI-1"], seeded["CLI-2"], seeded["CLI-3"]
    if kind == "group":
        _group_login(web, seeded)
        outsiders = [other]
    else:  # a member's own code: that member alone
        assert client_login(web, gs.DOCS[1], call(web, gs.client_code, 1)).status_code == 303
        outsiders = [two, other]
        page = soup(web.get("/avisos"))
        assert page.select_one("select#unidade") is None
        assert page.select('input[name="unidade"]') == []
    before = call(web, _state)
    for theirs in [*outsiders, "abc", "99999999999999999999", "-1"]:
        assert web.get(f"/avisos?unidade={theirs}").status_code == 404
        assert web.get(f"/avisos?unidade={theirs}", headers=HX).status_code == 404
        for path, data in (
            ("/avisos/coleta-realizada", {"aviso": "sim"}),
            ("/avisos/agenda", {}),
            ("/avisos/agenda", {"confirmado": "1"}),
            ("/avisos/agenda/desligar", {"confirmado": "1"}),
        ):
            refused = _post(web, path, {**data, "unidade": str(theirs)})
            assert refused.status_code == 404, f"{kind}: POST {path} unidade={theirs}"
    assert call(web, _state) == before
    # One's own unit: as without the field.
    assert web.get(f"/avisos?unidade={one}").status_code == 200
    assert (
        _post(web, "/avisos/coleta-realizada", {"aviso": "sim", "unidade": str(one)}).status_code
        == 303
    )
    assert call(web, _notices, one, two, other) == {
        one: (True, False), two: (False, False), other: (False, False),
    }  # fmt: skip
