"""Demo invoices: monthly closures with their NF-e/NFS-e, boleto and PIX."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from espaco.demo import media
from espaco.demo.context import (
    Context,
    DemoClientState,
    Record,
    add_months,
    instant,
    month_end,
)
from espaco.demo.names import (
    BANKS,
    BILLING,
    INACTIVE_CLIENT,
    PIX_NAME,
    PROVIDER_CITY,
    PROVIDER_CNPJ,
    PROVIDER_IBGE_CITY,
    PROVIDER_NAME,
    PROVIDER_UF_CODE,
)
from espaco.domain.boleto import barcode_to_line, build_barcode, format_digitable_line, mod10
from espaco.domain.documents import format_cnpj
from espaco.domain.fiscal import format_access_key, nfe_key_check_digit
from espaco.domain.formatting import format_date, format_month_long
from espaco.domain.money import cents_to_decimal_str, format_brl, format_quantity
from espaco.domain.pix import build_static_brcode

MONTHS_BILLED = 24
CANCELLED = (4, 7)  # (client, months before its last): the document's one cancellation
PAYMENT_DELAYS = (-6, -3, -2, -1, 0, 0, 0, 0, 1, 3, 8)  # days after the due date


def _mod11(digits: str) -> str:
    # The NF-e rule (weights 2..9 from the right), used for the NFS-e key's last digit too.
    remainder = sum(int(c) * (2 + i % 8) for i, c in enumerate(reversed(digits))) % 11
    return "0" if remainder < 2 else str(11 - remainder)


def _items(ctx: Context, kind: str) -> tuple[list[Record], int]:
    items, total = [], 0
    for item in BILLING[kind]:
        quantity = ctx.quantity(item.low, item.high, item.decimals)
        if not quantity:
            continue
        cents = int((quantity * item.unit_price_cents).quantize(Decimal(1), ROUND_HALF_UP))
        total += cents
        items.append(
            {
                "description": item.description,
                "quantity": format(quantity, "f"),
                "unit": item.unit,
                "unit_price": cents_to_decimal_str(item.unit_price_cents),
                "amount": cents_to_decimal_str(cents),
            }
        )
    return items, total


def _fiscal_lines(
    client: DemoClientState, issued_at_text: str, key: str, items: list[Record], cents: int
) -> list[str]:
    # The DANFE names the parties emitente/destinatário, the DANFSe prestador/tomador.
    issuer, taker = ("Emitente", "Destinatário") if client.profile.nfe else ("Prestador", "Tomador")
    return [
        f"{issuer}: {PROVIDER_NAME} - CNPJ {format_cnpj(PROVIDER_CNPJ)}",
        f"{taker}: {client.profile.name} - {client.record['document']}",
        f"Emissão: {issued_at_text}",
        f"Chave de acesso: {format_access_key(key)}",
        "",
        *(
            f"{i['description']}: {format_quantity(i['quantity'])} {i['unit']} x "
            f"{format_brl(int(Decimal(i['unit_price']) * 100))} = "
            f"{format_brl(int(Decimal(i['amount']) * 100))}"
            for i in items
        ),
        "",
        f"Valor total: {format_brl(cents)}",
    ]


def _fiscal(
    ctx: Context, client: DemoClientState, issued: date, items: list[Record], cents: int
) -> Record:
    issued_at = instant(issued, ctx.rng.randint(8, 11), ctx.rng.randint(0, 59))
    yymm = f"{issued:%y%m}"
    if client.profile.nfe:
        kind, number, label = "nfe", ctx.nfe_number, "DANFE - NF-e"
        ctx.nfe_number += 1
        # cUF(2) AAMM(4) CNPJ(14) mod(2) serie(3) nNF(9) tpEmis(1) cNF(8), then the DV
        body = f"{PROVIDER_UF_CODE}{yymm}{PROVIDER_CNPJ}55001{number:09d}1{ctx.digits(8)}"
        key = body + nfe_key_check_digit(body)
    else:
        kind, number, label = "nfse", ctx.nfse_number, "DANFSe - NFS-e"
        ctx.nfse_number += 1
        # cLocEmi(7) ambGer(1) tpInsc(1) CNPJ(14) nNFSe(13) AAMM(4) cNum(9), then the DV
        body = f"{PROVIDER_IBGE_CITY}12{PROVIDER_CNPJ}{number:013d}{yymm}{ctx.digits(9)}"
        key = body + _mod11(body)
    amount = cents_to_decimal_str(cents)
    issuer = (PROVIDER_CNPJ, PROVIDER_NAME)
    taker = (client.document, client.profile.name)
    stem = f"notas/{kind}-{number:06d}"
    at = issued_at.isoformat()
    if kind == "nfe":
        xml = media.nfe_xml(key, number, at, issuer, taker, items, amount)
    else:
        description = "; ".join(item["description"] for item in items)
        xml = media.nfse_xml(key, number, at, PROVIDER_CITY, issuer, taker, description, amount)
    media.write(ctx.dest / f"{stem}.xml", xml)
    pdf = None
    if ctx.rng.random() < 0.5:
        when = f"{format_date(issued)} {issued_at:%H:%M}"
        lines = _fiscal_lines(client, when, key, items, cents)
        data = media.simple_pdf(f"{label} nº {number}", lines, issued_at)
        media.write(ctx.dest / f"{stem}.pdf", data)
        pdf = {"file": f"{stem}.pdf"}
    return {
        "kind": kind,
        "number": str(number),
        "series": "1",
        "access_key": key,
        "issued_at": at,
        "amount": amount,
        "items": items,
        "pdf": pdf,
        "xml": {"file": f"{stem}.xml"},
    }


def _free_field(ctx: Context, bank: str) -> str:
    """The bank's own 25 digits of the barcode: the provider's account and a nosso número."""
    ctx.nosso_numero += 1
    number = ctx.nosso_numero
    if bank == "341":  # Itaú: carteira, nosso número, DAC, agência, conta, DAC, 000
        agency, account, nosso = "0912", "34567", f"{number:08d}"
        dac = mod10(agency + account + "109" + nosso)
        return f"109{nosso}{dac}{agency}{account}{mod10(agency + account)}000"
    if bank == "001":  # Banco do Brasil, convênio of 7: 000000, convênio, nosso número, carteira
        return f"0000003128557{number:010d}17"
    return f"338109{number:011d}00456780"  # Bradesco: agência, carteira, nosso número, conta, 0


def _invoice(ctx: Context, client: DemoClientState, year: int, month: int, status: str) -> Record:
    rng = ctx.rng
    external_id = f"FAT-{year}-{month:02d}-{client.index + 1:04d}"
    next_year, next_month = add_months(year, month, 1)
    issued, due = date(next_year, next_month, 1), date(next_year, next_month, 10)
    items, cents = _items(ctx, client.profile.kind)
    fiscal = _fiscal(ctx, client, issued, items, cents)
    paid_on = paid_amount = boleto = None
    if status == "paid":
        paid = min(due + timedelta(days=rng.choice(PAYMENT_DELAYS)), ctx.today)
        days_late = max((paid - due).days, 0)
        # Multa of 2% and juros of 1% a month pro rata die: the usual boleto terms.
        fine = cents * 2 // 100 + cents * days_late // 3000 if days_late else 0
        paid_on, paid_amount = paid.isoformat(), cents_to_decimal_str(cents + fine)
    if status != "cancelled":
        barcode = build_barcode(client.bank, due, cents, _free_field(ctx, client.bank))
        pix = None
        if status == "open" and client.pix:
            txid = external_id.replace("-", "")
            pix = build_static_brcode(PROVIDER_CNPJ, PIX_NAME, PROVIDER_CITY, cents, txid)
        boleto = {
            "digitable_line": format_digitable_line(barcode_to_line(barcode)),
            "bank_name": BANKS[client.bank],
            "pix_copy_paste": pix,
        }
    return {
        "external_id": external_id,
        "client": client.external_id,
        "reference_start": date(year, month, 1).isoformat(),
        "reference_end": month_end(year, month).isoformat(),
        "issued_on": issued.isoformat(),
        "due_on": due.isoformat(),
        "amount": cents_to_decimal_str(cents),
        "status": status,
        "paid_on": paid_on,
        "paid_amount": paid_amount,
        "description": f"Coleta e destinação de resíduos — {format_month_long(year, month)}",
        "fiscal_document": fiscal,
        "boleto": boleto,
    }


def invoices(ctx: Context, clients: list[DemoClientState]) -> list[Record]:
    """``MONTHS_BILLED`` monthly invoices per client up to its last month: the
    last one or two open, the rest paid, one cancelled in the whole document."""
    opens = {c.index: 2 if c.index == 0 else ctx.rng.choice((1, 1, 2)) for c in clients}
    opens[INACTIVE_CLIENT] = 0
    span = MONTHS_BILLED + max(
        (ctx.today.year - c.last_month[0]) * 12 + ctx.today.month - c.last_month[1] for c in clients
    )
    first = add_months(ctx.today.year, ctx.today.month, -span)
    result = []
    for offset in range(span):  # month by month, so the notes' numbers follow the calendar
        year, month = add_months(*first, offset)
        for client in clients:
            before_last = (client.last_month[0] - year) * 12 + client.last_month[1] - month
            if not 0 <= before_last < MONTHS_BILLED:
                continue
            status = "open" if before_last < opens[client.index] else "paid"
            if (client.index, before_last) == CANCELLED:
                status = "cancelled"
            result.append(_invoice(ctx, client, year, month, status))
    return result
