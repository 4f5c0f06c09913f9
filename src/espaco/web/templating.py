"""The Jinja environment: autoescaping, and the pt-BR formatting filters registered once."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

try:  # markupsafe's C escaping without the Markup object around it (a Python __new__ a call)
    from markupsafe._speedups import _escape_inner as html_text
except ImportError:  # pragma: no cover - markupsafe without its C extension
    from markupsafe._native import _escape_inner as html_text

from espaco.domain import documents, formatting, money
from espaco.domain.fiscal import FISCAL_KIND_LABELS
from espaco.resources import resource_dir
from espaco.services import page_cache
from espaco.settings import Settings
from espaco.web.compression import KEPT_MINIMUM, Kept, Pieces
from espaco.web.selos import plural, selo
from espaco.web.static import StaticFiles

# The row macros (templates/macros/) format the same dates, quantities and units row after
# row: each distinct one is formatted once. Pure functions of their argument, so a cached
# answer is never stale.
date_text = lru_cache(maxsize=4096)(formatting.format_date)
_quantity_text = lru_cache(maxsize=4096)(money.format_quantity)
_unit_text = lru_cache(maxsize=256)(formatting.format_unit)


MACRO_FILES = ("calendario", "coletas", "financeiro", "formulario", "solicitacoes")


def create_environment(settings: Settings, static: StaticFiles) -> Environment:
    env = Environment(
        loader=FileSystemLoader(resource_dir("templates")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=-1,
    )
    tz = settings.tz

    @lru_cache(maxsize=4096)  # called as the cache itself: a hit costs no Python frame
    def data(value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return date_text(value.astimezone(tz).date())
        return date_text(value)

    def data_hora(value: datetime | None) -> str:
        return "" if value is None else formatting.format_datetime(value, tz)

    env.filters.update(
        brl=money.format_brl,
        decimal_br=money.format_decimal_br,
        documento=documents.format_document,
        documento_mascarado=documents.mask_document,
        cpf_mascarado=documents.mask_cpf,
        data=data,
        data_hora=data_hora,
        numero=formatting.format_int_br,
        unidade=_unit_text,
        quantidade=lambda v: _quantity_text(v) if v not in (None, "") else "",
        # Only inside a macro with autoescape off (templates/macros/): escapes like autoescape
        # (& < > " '), giving a plain str. Elsewhere autoescape does it; |h would escape twice.
        h=html_text,
        selo=selo,
        plural=plural,
        # A row's "Enviar pelo WhatsApp" link (web/coletas.TicketShare): a filter, because Jinja
        # calls a filter directly where a method call goes through its context (~4x the cost).
        whatsapp_ticket=lambda share, *row: share.link(*row),
        # ``{{ macros.coletas.linhas|derived(data.page.rows, share, units) }}``: a macro's markup
        # of a kept read, made once for each (services/page_cache.derived).
        derived=kept,
    )
    env.globals.update(
        static_url=static.url,
        icon=static.data_uri("icon.svg"),
        provider_name=settings.provider_name,
        NOTA_TIPO=FISCAL_KIND_LABELS,  # "nfe" -> "NF-e": the one place the labels are written
        provider_cnpj=settings.provider_cnpj,
    )
    # templates/macros/<name>.html as ``macros.<name>`` (``{{ macros.coletas.linhas(rows) }}``):
    # made once here, where an {% import %} costs 10-25 µs a render (Jinja compares the
    # globals' keys each time), ~10% of the Coletas page with its four imports.
    env.globals["macros"] = SimpleNamespace(
        **{name: env.get_template(f"macros/{name}.html").module for name in MACRO_FILES}
    )
    return env


def render(env: Environment, template: str, context: dict[str, Any]) -> str:
    return env.get_template(template).render(context)


# The kept markup a render_page call's template showed, in the order it asked for it.
_shown: ContextVar[list[Kept] | None] = ContextVar("shown", default=None)
# Where render_page's template shows a kept part, the page's text holds a mark in its place: a
# NUL, a token no one outside this process knows, the part's index and a NUL. The part's 46 KB
# (on /coletas) then never pass through the page's text: Jinja's escape() copying it, the join,
# the encoding to UTF-8 (30 µs for /coletas, whose accents make it no longer ASCII).
_MARK = f"\x00kept-{secrets.token_hex(8)}-"
_MARKS = tuple(Markup(f"{_MARK}{index}\x00") for index in range(16))  # noqa: S704 - ours


def kept(make: Callable[..., Markup], subject: object, *arguments: Any) -> Markup:
    """The ``|derived`` filter: ``make(subject, *arguments)``, a macro's markup of a kept read,
    made once (services/page_cache.derived); when long, with its bytes and, when asked, its
    deflate stream (compression.Kept), and for render_page a mark that stands for it: so its
    value is only to be shown, as it is (``{{ make|derived(subject) }}``, which
    tests/web/test_compression.py checks of every template)."""
    value = page_cache.derived(_keep, subject, make, *arguments)
    if not isinstance(value, Kept):
        return value
    shown = _shown.get()
    if shown is None or len(shown) == len(_MARKS):
        return value.markup
    shown.append(value)
    return _MARKS[len(shown) - 1]


def _keep(subject: object, make: Callable[..., Markup], *arguments: Any) -> Markup | Kept:
    markup = make(subject, *arguments)
    return Kept(markup) if len(markup) >= KEPT_MINIMUM else markup


def render_page(env: Environment, template: str, context: dict[str, Any]) -> str | Pieces:
    """``template`` rendered; when it showed kept markup (``|derived``), as :class:`Pieces`:
    the page's bytes, and the same bytes as its own and the kept parts' (for
    compression.gzip_pieces)."""
    shown: list[Kept] = []
    token = _shown.set(shown)
    try:
        html = render(env, template, context)
    finally:
        _shown.reset(token)
    if not shown:
        return html
    first, *rest = html.split(_MARK)
    parts: list[bytes | Kept] = [first.encode()]
    for chunk in rest:
        index, _, text = chunk.partition("\x00")
        parts += (shown[int(index)], text.encode())
    body = b"".join(part if isinstance(part, bytes) else part.data for part in parts)
    return Pieces(body, tuple(part for part in parts if part))
