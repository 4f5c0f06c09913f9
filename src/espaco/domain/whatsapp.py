""" "Enviar pelo WhatsApp" links: ``https://wa.me/?text=…`` (WhatsApp's click-to-chat), which
opens WhatsApp (app or web) with the text ready and lets the person pick the contact. No API,
no account, no phone number stored or sent by the portal.

The text is percent-encoded whole (``quote`` with nothing safe: ``&``, ``#``, ``+``, ``%`` and
line breaks in a name cannot end or bend the parameter). Names from the ERP or the settings are
cut to :data:`NAME_LIMIT` characters, so that even a name made of 4-byte characters (12
encoded bytes each) keeps the link under :data:`MAX_URL`, the ~2,000 characters that every
browser, proxy and WhatsApp client takes (Internet Explorer's 2,083 was the lowest).
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

from espaco.domain.formatting import format_date
from espaco.domain.money import format_brl

BASE = "https://wa.me/?text="
NAME_LIMIT = 60
MAX_URL = 2000
_SPACES = re.compile(r"\s+")


def short(name: str, limit: int = NAME_LIMIT) -> str:
    """``name`` on one line (any run of whitespace, line breaks included, becomes one space),
    cut to ``limit`` characters with an ellipsis."""
    name = _SPACES.sub(" ", name).strip()
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def link(text: str) -> str:
    """The wa.me link that opens WhatsApp with ``text``."""
    return BASE + quote(text, safe="")


def boleto_text(provider: str, amount_cents: int, due_on: date, digitable_line: str) -> str:
    """The boleto to pay: who bills, amount, due date and the linha digitável (as printed)."""
    return (
        f"Boleto {short(provider)}: {format_brl(amount_cents)}, vencimento {format_date(due_on)}."
        f"\nLinha digitável: {digitable_line}"
    )


def ticket_text(provider: str, day: date, place: str, url: str) -> str:
    """The ticket of a collection: its day and place, and the link to it in the portal."""
    return (
        f"Ticket da coleta de {format_date(day)} em {short(place)} ({short(provider)}):\n{url}"
        "\n(Abra com o acesso ao Espaço do Cliente.)"
    )
