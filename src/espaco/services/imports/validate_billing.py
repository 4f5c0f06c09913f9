"""Validating invoices with their fiscal document (NF-e / NFS-e) and boleto (with PIX)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from espaco.domain.boleto import check_boleto_matches, parse_boleto
from espaco.domain.errors import DomainError
from espaco.domain.fiscal import validate_access_key
from espaco.domain.money import parse_money
from espaco.domain.pix import parse_brcode
from espaco.services.imports.context import Context
from espaco.services.imports.fields import Rec, domain_code
from espaco.services.imports.model import KEEP, BoletoRow, FiscalRow, InvoiceRow
from espaco.tables import Boleto, FiscalDocument, InvoiceStatus

INVOICE_KEYS = frozenset(
    {
        "external_id", "client", "reference_start", "reference_end", "issued_on", "due_on",
        "amount", "status", "paid_on", "paid_amount", "description", "fiscal_document", "boleto",
    }
)  # fmt: skip
FISCAL_KEYS = frozenset(
    {"kind", "number", "series", "access_key", "issued_at", "amount", "items", "pdf", "xml"}
)
ITEM_KEYS = frozenset({"description", "quantity", "unit", "unit_price", "amount"})
BOLETO_KEYS = frozenset({"digitable_line", "barcode", "bank_name", "pix_copy_paste"})
FILE_KEYS = frozenset({"file", "base64", "content_type"})
INVOICE_STATUSES = frozenset(s.value for s in InvoiceStatus)
FISCAL_KINDS = frozenset({"nfe", "nfse"})
TEXT_MAX = 5000
CENT = Decimal("0.01")


def validate_invoice(ctx: Context, raw: object, base: str) -> InvoiceRow | None:
    rec = Rec.of(ctx.problems, raw, base, INVOICE_KEYS)
    if rec is None:
        return None
    before = len(ctx.problems)
    external_id = ctx.external_id(rec, "invoices")
    client = ctx.client_ref(rec)
    start = rec.date("reference_start", required=True)
    end = rec.date("reference_end", required=True)
    if start is not None and end is not None and start > end:
        rec.fail("reference_end", "range", "Fim do período anterior ao início")
    issued_on = rec.date("issued_on", required=True)
    due_on = rec.date("due_on", required=True)
    amount = rec.money("amount", required=True)
    status = rec.choice("status", INVOICE_STATUSES, required=True)
    paid_on = rec.date("paid_on")
    paid_amount = rec.money("paid_amount")
    description = rec.text("description", max_len=TEXT_MAX) or ""
    fiscal: Any = KEEP
    if rec.has("fiscal_document"):
        fiscal_rec = rec.obj("fiscal_document", FISCAL_KEYS)
        fiscal = None if fiscal_rec is None else _fiscal(ctx, fiscal_rec)
    boleto: Any = KEEP
    if rec.has("boleto"):
        boleto_rec = rec.obj("boleto", BOLETO_KEYS)
        boleto = None if boleto_rec is None else _boleto(boleto_rec, due_on, amount)
    if (
        len(ctx.problems) > before
        or external_id is None
        or client is None
        or start is None
        or end is None
        or issued_on is None
        or due_on is None
        or amount is None
        or status is None
    ):
        return None
    return InvoiceRow(
        external_id, client, start, end, issued_on, due_on, amount, status, paid_on,
        paid_amount, description, fiscal, boleto,
    )  # fmt: skip


def _fiscal(ctx: Context, rec: Rec) -> FiscalRow | None:
    before = len(ctx.problems)
    kind = rec.choice("kind", FISCAL_KINDS, required=True)
    number = rec.text("number", max_len=FiscalDocument.number.length, required=True)
    series = rec.text("series", max_len=FiscalDocument.series.length) or ""
    key = rec.text("access_key", max_len=80, required=True)
    if key is not None and kind is not None:
        try:
            key = validate_access_key(kind, key)  # type: ignore[arg-type]
        except DomainError as error:
            rec.fail("access_key", domain_code(error), error.message)
        else:
            first = ctx.seen.setdefault("access_keys", {}).get(key)
            if first is not None:
                rec.fail("access_key", "duplicate", f"Chave de acesso repetida (já em {first})")
            ctx.seen["access_keys"][key] = rec.base
    issued_at = rec.instant("issued_at", required=True)
    amount = rec.money("amount", required=True)
    items = [_item(ctx, rec, index, raw) for index, raw in enumerate(rec.list("items") or [])]
    if amount is not None and items and all(item is not None for item in items):
        total = sum(item["amount_cents"] for item in items)  # type: ignore[index]
        if total != amount:
            rec.fail("amount", "mismatch", "Valor da nota diferente da soma dos itens")
    pdf = _file(ctx, rec, "pdf")
    xml = _file(ctx, rec, "xml")
    if (
        len(ctx.problems) > before
        or kind is None
        or number is None
        or key is None
        or issued_at is None
        or amount is None
    ):
        return None
    return FiscalRow(kind, number, series, key, issued_at, amount, items, pdf, xml)  # type: ignore[arg-type]


def _item(ctx: Context, parent: Rec, index: int, raw: object) -> dict[str, Any] | None:
    rec = Rec.of(ctx.problems, raw, f"{parent.path('items')}[{index}]", ITEM_KEYS)
    if rec is None:
        return None
    before = len(ctx.problems)
    description = rec.text("description", max_len=TEXT_MAX, required=True)
    quantity = rec.decimal("quantity", max_len=20, required=True)
    unit = rec.text("unit", max_len=10) or ""
    unit_price = rec.money("unit_price", required=True)
    amount = rec.money("amount", required=True)
    if quantity is not None and unit_price is not None and amount is not None:
        product = (Decimal(quantity) * unit_price).quantize(Decimal(1), ROUND_HALF_UP)
        # One centavo of slack: some ERPs round half to even.
        if abs(product - amount) > 1:
            rec.fail("amount", "mismatch", "Valor do item diferente de quantidade × preço")
    if len(ctx.problems) > before:
        return None
    return {
        "description": description,
        "quantity": quantity,
        "unit": unit,
        "unit_price_cents": unit_price,
        "amount_cents": amount,
    }


def _file(ctx: Context, parent: Rec, key: str) -> Any:
    rec = parent.obj(key, FILE_KEYS)
    return None if rec is None else ctx.files.ref(rec, key)  # type: ignore[arg-type]


def _boleto(rec: Rec, due_on: Any, amount: int | None) -> BoletoRow | None:
    before = len(rec.problems)
    parsed = []
    for key in ("digitable_line", "barcode"):
        text = rec.text(key, max_len=80)
        if text is None:
            continue
        try:
            parsed.append((key, parse_boleto(text)))
        except DomainError as error:
            rec.fail(key, domain_code(error), error.message)
    if not parsed and len(rec.problems) == before:
        rec.fail("digitable_line", "required", "Informe a linha digitável ou o código de barras")
    if len(parsed) == 2 and parsed[0][1].barcode != parsed[1][1].barcode:
        rec.fail("barcode", "mismatch", "Código de barras não corresponde à linha digitável")
    if parsed and due_on is not None and amount is not None:
        key, boleto = parsed[0]
        try:
            check_boleto_matches(boleto, due_on=due_on, amount_cents=amount)
        except DomainError as error:
            rec.fail(key, domain_code(error), error.message)
    bank_name = rec.text("bank_name", max_len=Boleto.bank_name.length) or ""
    pix = rec.text("pix_copy_paste", max_len=512)
    if pix is not None:
        try:
            fields = parse_brcode(pix)
        except DomainError as error:
            rec.fail("pix_copy_paste", domain_code(error), error.message)
        else:
            if amount is not None and "54" in fields and _pix_cents(fields["54"]) != amount:
                rec.fail("pix_copy_paste", "mismatch", "Valor do PIX diferente do valor da fatura")
    if len(rec.problems) > before or not parsed:
        return None
    boleto = parsed[0][1]
    return BoletoRow(boleto.bank, bank_name, boleto.barcode, boleto.digitable_line, pix)


def _pix_cents(text: str) -> int | None:
    try:
        return parse_money(text)
    except DomainError:
        return None
