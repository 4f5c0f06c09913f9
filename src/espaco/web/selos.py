"""Status badges (*selos*) and plurals: the label and tone of every status the portal and the
back-office show, in one table, and the Jinja filters ``|selo`` and ``|plural``.

A badge is ``<span class="selo TONE">Label</span>``; the tones (``ok``, ``aviso``, ``atencao``,
or none: grey) are styled once, in ``static/app.css`` (``.selo``). Templates write
``{{ item.status|selo("solicitacao") }}`` (the label and tone of that status) or
``{{ "Ativo"|selo(tom="ok") }}`` (a text and a tone).
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from espaco.services.collections import filters as collection_filters
from espaco.services.solicitacoes import solicitacoes


def _with_tones(labels: dict[str, str], tones: dict[str, str]) -> dict[str, tuple[str, str]]:
    return {str(status): (label, tones.get(status, "")) for status, label in labels.items()}


# kind → status → (label, tone). A status not listed shows as itself, grey.
SITUACOES: dict[str, dict[str, tuple[str, str]]] = {
    "coleta": _with_tones(
        collection_filters.STATUS_LABELS,
        {"validated": "ok", "cancelled": "atencao", "scheduled": "aviso"},
    ),
    "solicitacao": _with_tones(
        {status: label.capitalize() for status, label in solicitacoes.STATUS_LABELS.items()},
        {"pending": "aviso", "scheduled": "ok", "refused": "atencao"},
    ),
    "fatura": {  # "overdue": an open invoice past its due date (InvoiceRow.overdue)
        "paid": ("paga", "ok"),
        "open": ("aberta", "aviso"),
        "overdue": ("vencida", "atencao"),
        "cancelled": ("cancelada", ""),
    },
    "email": {  # the outbox (web/admin/outbox.py takes its labels from here)
        "pending": ("Pendente", "aviso"),
        "sent": ("Enviado", "ok"),
        "failed": ("Falhou", "atencao"),
    },
}
_CLASS = {"": "selo", "ok": "selo ok", "aviso": "selo aviso", "atencao": "selo atencao"}


@lru_cache(maxsize=1024)  # the same few badges on every row; pure, so never stale
def selo(value: object, kind: str | None = None, *, tom: str = "", detalhe: str = "") -> Markup:
    """``selo("pending", "solicitacao")``: that status's badge (``detalhe`` written after its
    label: ``selo("paid", "fatura", detalhe=" em 10/02/2026")``); ``selo("Ativo", tom="ok")``: a
    text as a badge of that tone."""
    text = str(value)
    label, tone = (text, tom) if kind is None else SITUACOES[kind].get(text, (text, ""))
    return Markup(f'<span class="{_CLASS[tone]}">{escape(label + detalhe)}</span>')  # noqa: S704


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``singular`` for 1 (and -1), else ``plural_form`` (by default ``singular`` + "s"):
    ``{{ n }} {{ n|plural("fatura") }}``."""
    if abs(count) == 1:
        return singular
    return plural_form if plural_form is not None else singular + "s"
