"""The Jinja environment: autoescaping, and the pt-BR formatting filters registered once."""

from __future__ import annotations

import html
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from espaco.domain import documents, formatting, money
from espaco.resources import resource_dir
from espaco.settings import Settings
from espaco.web.static import StaticFiles

# For the rows built in Python (``financeiro_view.closure_rows``, ``coletas.table_rows``):
# places, services, units and dates repeat from row to row, so each distinct text is escaped
# (html.escape, quotes included, giving a plain str: half markupsafe's cost) and each date
# formatted once. Pure functions of their argument, so a cached answer is never stale.
escape_text = lru_cache(maxsize=8192)(html.escape)
date_text = lru_cache(maxsize=4096)(formatting.format_date)


def options(choices: Any, selected: Any) -> Markup:
    """The ``<option>`` of a ``<select>`` from ``(value, label)`` pairs, ``selected`` marked:
    one string for the template instead of a loop of a dozen pieces per option (labels may
    come from the ERP, so values and labels are escaped)."""
    return Markup(  # noqa: S704 - every value and label is escaped here
        "".join(
            f'<option value="{escape_text(str(value))}"'
            f"{' selected' if value == selected else ''}>{escape_text(str(label))}</option>"
            for value, label in choices
        )
    )


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

    def data(value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return formatting.format_date(value.astimezone(tz).date())
        return formatting.format_date(value)

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
        unidade=formatting.format_unit,
        quantidade=lambda v: money.format_quantity(v) if v not in (None, "") else "",
    )
    env.globals.update(
        options=options,
        static_url=static.url,
        icon=static.data_uri("icon.svg"),
        provider_name=settings.provider_name,
        provider_cnpj=settings.provider_cnpj,
    )
    return env


def render(env: Environment, template: str, context: dict[str, Any]) -> str:
    return env.get_template(template).render(context)
