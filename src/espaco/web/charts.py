"""The small bar charts of Financeiro and Coletas, drawn by the server as inline SVG: the one
place where the portal's HTML is built in Python (the rows are Jinja macros, templates/macros/).

They are built here rather than in a template: a chart is a dozen to sixty columns of four
numbers each, and a template spends more time escaping those numbers than computing them
(measured ~0.2 ms a page, the biggest single cost of the Financeiro fragment). What they stand
for is written as templates in tests/web/reference/graficos.html, and
tests/web/test_charts_reference.py checks that both give the same markup: change the two
together. Every text in them comes from integers and the constant month abbreviations
(``format_month``, ``format_brl``, ``format_int_br``), so nothing needs escaping; a label from
elsewhere must go through ``escape``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from markupsafe import Markup

from espaco.domain.formatting import format_int_br, format_month
from espaco.domain.money import format_brl

BILLED_FILL = "#9cc5b0"
PAID_FILL = "#176b45"
TEXT_FILL = "#1b1f1d"


def _n(value: float) -> str:
    """A coordinate with at most one decimal (``12.0`` → ``12``)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


_WIDTH, _HEIGHT, _TOP, _BOTTOM = 360, 160, 8, 32


@lru_cache(maxsize=16)
def _paired_columns(n: int) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """The bar width and each column's (billed x, paid x, label x) for ``n`` months: the same
    for every chart of ``n`` months, so worked out once."""
    step = _WIDTH / max(n, 1)
    bar = round(step * 0.36, 1)
    columns = tuple(
        (_n(i * step + step * 0.1), _n(i * step + step * 0.1 + bar), _n(i * step + step / 2))
        for i in range(n)
    )
    return _n(bar), columns


@lru_cache(maxsize=256)
def _month_label(year: int, month: int) -> str:
    return format_month(year, month)


def billed_and_paid(months: Sequence[tuple[int, int, int, int]]) -> Markup:
    """Two bars a month, billed and paid, scaled to the largest value; ``months`` holds
    ``(year, month, billed_cents, paid_cents)`` in order."""
    peak = max([max(b, p) for _, _, b, p in months] + [1])
    plot = _HEIGHT - _TOP - _BOTTOM
    baseline = _HEIGHT - _BOTTOM
    bar, columns = _paired_columns(len(months))
    first = _month_label(*months[0][:2]) if months else ""
    last = _month_label(*months[-1][:2]) if months else ""
    # Screen readers read the values from the image's title (a role="img" hides its parts);
    # pointers see each bar's own title, and the table below the chart shows them all.
    values = "; ".join(
        f"{_month_label(y, m)}: faturado {format_brl(b)}, pago {format_brl(p)}"
        for y, m, b, p in months
    )
    out = [
        f'<svg class="grafico" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img"'
        f' aria-labelledby="grafico-desc" width="100%">'
        f'<title id="grafico-desc">Faturado e pago por mês de vencimento,'
        f" de {first} a {last}: {values}</title>"
        f'<line x1="0" y1="{baseline}" x2="{_WIDTH}" y2="{baseline}" stroke="#8a948f"/>'
    ]
    for (year, month, billed, paid), (billed_x, paid_x, label_x) in zip(
        months, columns, strict=True
    ):
        label = _month_label(year, month)
        for x, cents, fill, what in (
            (billed_x, billed, BILLED_FILL, "faturado"),
            (paid_x, paid, PAID_FILL, "pago"),
        ):
            h = round(plot * cents / peak, 1)
            out.append(
                f'<rect x="{x}" y="{_n(baseline - h)}" width="{bar}" height="{_n(h)}"'
                f' fill="{fill}"><title>{label}: {what} {format_brl(cents)}</title></rect>'
            )
        out.append(
            f'<text x="{label_x}" y="{_HEIGHT - 18}" text-anchor="middle"'
            f' font-size="10" fill="{TEXT_FILL}">{label[:3]}</text>'
        )
        if month == 1 or label == first:  # the year under its first month on the chart
            out.append(
                f'<text x="{label_x}" y="{_HEIGHT - 5}" text-anchor="middle"'
                f' font-size="10" fill="{TEXT_FILL}">{year}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - numbers and constant month names only


def month_range(months: Sequence[tuple[int, ...]]) -> str:
    """``jan/2026 a dez/2026``: the months a chart draws, for its heading."""
    if not months:
        return ""
    return f"{_month_label(*months[0][:2])} a {_month_label(*months[-1][:2])}"


def billed_and_paid_table(months: Sequence[tuple[int, int, int, int]]) -> Markup:
    """The chart's values as a table (inside a ``<details>`` under it): for the keyboard and
    for whoever wants the figures, without hovering a bar."""
    rows = "".join(
        f'<tr><th scope="row">{_month_label(y, m)}</th>'
        f'<td class="num">{format_brl(b)}</td><td class="num">{format_brl(p)}</td></tr>'
        for y, m, b, p in months
    )
    return Markup(  # noqa: S704 - numbers and month names only
        '<table class="valores-grafico"><thead><tr><th scope="col">Mês</th>'
        '<th scope="col" class="num">Faturado</th><th scope="col" class="num">Pago</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>"
    )


def per_month(months: Sequence[tuple[int, int, int]], *, width: int = 320) -> Markup:
    """One bar a month with its count above it; ``months`` holds ``(year, month, count)``.
    A month label under every bar, or every second or third one when they would not fit."""
    height, top, bottom = 120, 14.0, 18.0
    n = max(len(months), 1)
    slot = width / n
    bar = slot * 0.7
    peak = max((c for _, _, c in months), default=0) or 1
    baseline = height - bottom
    label_every = max(1, -(-n // 6))
    titles = []
    bars = []
    for i, (year, month, count) in enumerate(months):
        label = _month_label(year, month)
        title = f"{label}: {format_int_br(count)} coleta{'s' if count != 1 else ''}"
        titles.append(title)
        h = (baseline - top) * count / peak
        x, y = i * slot + slot * 0.15, baseline - h
        middle = _n(x + bar / 2)
        bars.append(
            f'<g><title>{title}</title><rect x="{_n(x)}" y="{_n(y)}" width="{_n(bar)}"'
            f' height="{_n(h)}" fill="{PAID_FILL}"/>'
        )
        if count:
            bars.append(
                f'<text x="{middle}" y="{_n(y - 2)}" font-size="9" text-anchor="middle"'
                f' fill="{TEXT_FILL}">{format_int_br(count)}</text>'
            )
        if i % label_every == 0:
            bars.append(
                f'<text x="{middle}" y="{height - 4}" font-size="9" text-anchor="middle"'
                f' fill="{TEXT_FILL}">{label}</text>'
            )
        bars.append("</g>")
    head = (
        f'<svg class="grafico" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        ' role="img"'
        f' aria-labelledby="grafico-titulo"><title id="grafico-titulo">Coletas por mês: '
        f'{"; ".join(titles)}</title><line x1="0" y1="{_n(baseline)}" x2="{width}"'
        f' y2="{_n(baseline)}" stroke="#5a625e" stroke-width="1"/>'
    )
    return Markup(head + "".join(bars) + "</svg>")  # noqa: S704 - numbers and month names only
