"""web/charts.py builds the charts' SVG in Python, for speed; tests/web/reference/graficos.html
holds the same charts as templates. Both are rendered with the same months and must give the
same markup (whitespace between tags aside)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader

from espaco.domain.formatting import format_int_br, format_month
from espaco.domain.money import format_brl
from espaco.web import charts

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def reference() -> object:
    env = Environment(
        loader=FileSystemLoader(REFERENCE), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    env.filters.update(
        n=charts._n, mes=lambda ym: format_month(*ym), brl=format_brl, numero=format_int_br
    )
    return env.get_template("graficos.html").module


def _same(python: str, template: str) -> None:
    def tidy(html: str) -> str:
        return re.sub(r">\s+<", "><", html.strip())

    assert tidy(python) == tidy(template)


def _months(n: int, start: int = 2021) -> list[tuple[int, int]]:
    return [(start + (i + 6) // 12, (i + 6) % 12 + 1) for i in range(n)]


@pytest.mark.parametrize("n", [0, 1, 5, 12, 36, 60])
def test_the_collections_chart_is_its_template(reference: object, n: int) -> None:
    months = [(y, m, (i * 37) % 11 * (1 if i % 4 else 0) + (1000 if i == 3 else 0))
              for i, (y, m) in enumerate(_months(n))]  # fmt: skip
    _same(charts.per_month(months), reference.per_month(months))  # type: ignore[attr-defined]


@pytest.mark.parametrize("n", [0, 1, 7, 12, 60])
def test_the_billing_chart_and_its_table_are_their_templates(reference: object, n: int) -> None:
    months = [(y, m, 150_000 + (i * 7919) % 90_000, (i * 104_729) % 160_000 if i % 5 else 0)
              for i, (y, m) in enumerate(_months(n))]  # fmt: skip
    _same(charts.billed_and_paid(months), reference.billed_and_paid(months))  # type: ignore[attr-defined]
    _same(charts.billed_and_paid_table(months), reference.billed_and_paid_table(months))  # type: ignore[attr-defined]
