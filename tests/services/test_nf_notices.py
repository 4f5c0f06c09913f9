"""The NF notice: one e-mail per fiscal document imported for the first time, to the client's
E-mail NF list, written in the import's transaction; importing again sends nothing."""

from __future__ import annotations

from pathlib import Path

from import_samples import NOW, client, document, full_document, invoice, write

from espaco.services.imports import import_file
from espaco.tables import FiscalDocument, OutboxEmail


async def notices() -> list[dict]:
    return (
        await OutboxEmail.select().where(OutboxEmail.kind == "nf_notice").order_by(OutboxEmail.id)
    )


async def test_a_new_fiscal_document_sends_one_notice_to_the_email_nf_list(db, tmp_path: Path):
    result = await import_file(write(tmp_path, full_document()), db, now=NOW)
    assert result.ok and len(result.new_fiscal_documents) == 2
    sent = await notices()
    assert [m["recipients"] for m in sent] == [
        "financeiro1@cliente.com.br",
        "financeiro2@cliente.com.br",
    ]
    first = sent[0]
    assert first["subject"].startswith("NF-e nº 1 emitida")
    assert "R$ 1.234,57" in first["body_text"] and "10/11/2026" in first["body_text"]
    row = (
        await FiscalDocument.select(FiscalDocument.invoice, FiscalDocument.notified_at)
        .where(FiscalDocument.id == result.new_fiscal_documents[0])
        .first()
    )
    assert row["notified_at"] is not None
    assert f"http://portal.example.com.br/financeiro/{row['invoice']}/nota" in first["body_text"]
    assert first["client"] is not None and first["status"] == "pending"


async def test_importing_the_same_document_again_sends_nothing(db, tmp_path: Path):
    doc = full_document()
    await import_file(write(tmp_path, doc), db, now=NOW)
    again = await import_file(write(tmp_path, doc), db, now=NOW)
    assert again.ok and again.new_fiscal_documents == []
    assert len(await notices()) == 2
    doc["invoices"].append(invoice(3, "CLI-2"))
    await import_file(write(tmp_path, doc), db, now=NOW)
    sent = await notices()
    assert len(sent) == 3 and sent[-1]["subject"].startswith("NF-e nº 3")


async def test_no_notice_without_an_email_nf_list_or_for_a_cancelled_invoice(db, tmp_path: Path):
    doc = document(
        clients=[client(1, invoice_emails=[])],
        invoices=[invoice(1, "CLI-1")],
    )
    assert (await import_file(write(tmp_path, doc), db, now=NOW)).ok
    doc = document(clients=[client(2)], invoices=[invoice(2, "CLI-2", status="cancelled")])
    result = await import_file(write(tmp_path, doc, "b.json"), db, now=NOW)
    assert result.ok, result.problems
    assert len(result.new_fiscal_documents) == 1
    assert await notices() == []


async def test_a_refused_import_writes_no_notice(db, tmp_path: Path):
    doc = full_document()
    doc["invoices"][1]["client"] = "CLI-404"
    result = await import_file(write(tmp_path, doc), db, now=NOW)
    assert not result.ok and await notices() == []
