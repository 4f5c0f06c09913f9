"""The Jinja environment: autoescaping, and the pt-BR formatting filters registered once."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

try:  # markupsafe's C escaping without the Markup object around it (a Python __new__ a call)
    from markupsafe._speedups import _escape_inner as html_text
except ImportError:  # pragma: no cover - markupsafe without its C extension
    from markupsafe._native import _escape_inner as html_text

from espaco.domain import documents, formatting, money
from espaco.domain.fiscal import FISCAL_KIND_LABELS
from espaco.resources import resource_dir
from espaco.services import page_cache
from espaco.settings import Settings
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
        derived=page_cache.derived,
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
