"""A bad document is refused whole: every problem listed with its JSON path and code, and the
database left exactly as it was."""

from __future__ import annotations

import base64
import copy
from pathlib import Path

import pytest
from import_samples import (
    NOW,
    client,
    collection,
    document,
    full_document,
    invoice,
    row_counts,
    snapshot,
    write,
)

from espaco.services.imports import ImportResult, import_document, import_file


@pytest.fixture
async def before(db, tmp_path: Path):
    """A database already holding the full sample document, and its snapshot."""
    result = await import_file(write(tmp_path / "base", full_document()), db, now=NOW)
    assert result.ok, result.problems
    return await snapshot()


async def refused(db, tmp_path: Path, doc: object, before) -> ImportResult:
    counts = await row_counts()
    result = await import_file(write(tmp_path / "bad", doc), db, now=NOW)  # type: ignore[arg-type]
    assert not result.ok
    assert result.counts == {} and result.new_fiscal_documents == []
    assert await row_counts() == counts
    assert await snapshot() == before  # not one row added, removed or rewritten
    return result


def problems(result: ImportResult) -> set[tuple[str, str]]:
    return {(p.path, p.code) for p in result.problems}


async def test_invalid_cnpj_is_refused(db, tmp_path, before):
    doc = full_document()
    doc["clients"][1]["document"] = "11.222.333/0001-82"
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {("clients[1].document", "check_digit")}
    assert result.problems[0].message == "CNPJ com dígito verificador inválido"


async def test_wrong_boleto_check_digit_is_refused(db, tmp_path, before):
    doc = full_document()
    line = doc["invoices"][0]["boleto"]["digitable_line"]
    # The general check digit sits after the third field's DV: position 38 of the printed line.
    wrong = line[:38] + str((int(line[38]) + 1) % 10) + line[39:]
    doc["invoices"][0]["boleto"]["digitable_line"] = wrong
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {("invoices[0].boleto.digitable_line", "check_digit")}


async def test_unknown_fields_are_refused_at_every_level(db, tmp_path, before):
    doc = full_document()
    doc["extra"] = 1
    doc["clients"][0]["fax"] = "1234"
    doc["clients"][0]["locations"][0]["geo"] = "x"
    doc["invoices"][1]["boleto"]["nosso_numero"] = "1"
    doc["collections"][2]["waste"]["onu"] = "1234"
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {
        ("extra", "unknown_field"),
        ("clients[0].fax", "unknown_field"),
        ("clients[0].locations[0].geo", "unknown_field"),
        ("invoices[1].boleto.nosso_numero", "unknown_field"),
        ("collections[2].waste.onu", "unknown_field"),
    }
    assert {p.message for p in result.problems} == {"Campo desconhecido"}


async def test_reference_to_a_missing_client_is_refused(db, tmp_path, before):
    doc = document(invoices=[invoice(7, "CLI-9")], collections=[collection(7, "CLI-9")])
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {
        ("invoices[0].client", "not_found"),
        ("collections[0].client", "not_found"),
    }
    assert result.problems[0].message == "Cliente CLI-9 não encontrado"


@pytest.mark.parametrize(
    ("where", "field", "value"),
    [
        ("collections", "performed_at", "9999-12-31T23:00:00-03:00"),  # +3 h overflowed: a 500
        ("collections", "performed_at", "0001-01-01T00:00:00+03:00"),
        ("collections", "performed_at", "1899-12-31T23:59:59-03:00"),
        ("invoices", "issued_on", "0001-01-01"),
        ("invoices", "issued_on", "2200-01-01"),
    ],
)
async def test_dates_outside_1900_to_2199_are_refused(db, tmp_path, before, where, field, value):
    doc = full_document()
    doc[where][0][field] = value
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {(f"{where}[0].{field}", "range")}
    assert "1900 a 2199" in result.problems[0].message


async def test_negative_amount_is_refused(db, tmp_path, before):
    doc = full_document()
    doc["invoices"][0]["paid_amount"] = "-10.00"
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {("invoices[0].paid_amount", "negative")}


async def test_amount_that_is_not_a_decimal_string_is_refused(db, tmp_path, before):
    doc = full_document()
    doc["invoices"][0]["paid_amount"] = "12,50"
    doc["invoices"][1]["paid_amount"] = "12.505"
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {
        ("invoices[0].paid_amount", "format"),
        ("invoices[1].paid_amount", "too_many_decimals"),
    }


async def test_amount_given_as_a_json_number_is_refused(db, tmp_path, before):
    doc = full_document()
    doc["invoices"][0]["paid_amount"] = 1234.56
    doc["invoices"][1]["fiscal_document"]["items"][0]["unit_price"] = 10
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {
        ("invoices[0].paid_amount", "type"),
        ("invoices[1].fiscal_document.items[0].unit_price", "type"),
    }


async def test_photo_that_is_not_an_image_is_refused(db, tmp_path, before):
    folder = tmp_path / "bad"
    (folder / "fotos").mkdir(parents=True)
    (folder / "fotos" / "antes.jpg").write_text("not a photo, just text\n", encoding="utf-8")
    doc = full_document()
    doc["collections"][0]["photos"] = [{"stage": "before", "file": "fotos/antes.jpg"}]
    doc["collections"][1]["photos"] = [{"stage": "after", "file": "fotos/antes.jpg"}]
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {
        ("collections[0].photos[0].file", "file_type"),
        ("collections[1].photos[0].file", "file_type"),
    }


async def test_truncated_json_file_is_refused_with_line_and_column(db, tmp_path, before):
    path = write(tmp_path / "bad", full_document())
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    result = await import_file(path, db, now=NOW)
    assert not result.ok
    [problem] = result.problems
    assert (problem.path, problem.code) == ("", "invalid_json")
    assert "linha" in problem.message and "coluna" in problem.message
    assert await snapshot() == before


async def test_every_problem_of_every_record_is_listed_with_its_path(db, tmp_path, before):
    doc = full_document()
    doc["format"] = "espaco-import/2"
    doc["clients"][0]["access_emails"] = ["ok@cliente.com.br", "sem-arroba.com.br"]
    doc["clients"][1]["locations"][0]["cep"] = "1301-050"
    doc["clients"][1]["locations"][0]["state"] = "XX"
    doc["invoices"][0]["due_on"] = "2026-11-31"
    doc["invoices"][1]["status"] = "overdue"
    doc["invoices"][1]["fiscal_document"]["access_key"] = "1" * 44
    doc["collections"][0]["status"] = "done"
    doc["collections"][0]["performed_at"] = None
    doc["collections"][1]["performed_at"] = "2026-10-05T09:32:00"
    doc["collections"][2]["location"] = "LOC-1"  # CLI-1's place, not CLI-2's
    doc["collections"][2]["received_by_cpf"] = "123.456.789-00"
    doc["certificates"][1]["external_id"] = "CDF-1"
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {
        ("format", "format_version"),
        ("clients[0].access_emails[1]", "format"),
        ("clients[1].locations[0].cep", "format"),
        ("clients[1].locations[0].state", "choice"),
        ("invoices[0].due_on", "format"),
        ("invoices[1].status", "choice"),
        ("invoices[1].fiscal_document.access_key", "check_digit"),
        ("collections[0].performed_at", "required"),
        ("collections[1].performed_at", "format"),
        ("collections[2].location", "mismatch"),
        ("collections[2].received_by_cpf", "check_digit"),
        ("certificates[1].external_id", "duplicate"),
    }


async def test_duplicate_external_ids_and_documents_are_refused(db, tmp_path, before):
    doc = full_document()
    doc["clients"].append(client(1, document=doc["clients"][1]["document"], locations=[]))
    doc["invoices"].append(copy.deepcopy(doc["invoices"][0]))
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {
        ("clients[2].external_id", "duplicate"),
        ("clients[2].document", "duplicate"),
        ("invoices[2].external_id", "duplicate"),
        ("invoices[2].fiscal_document.access_key", "duplicate"),
    }


async def test_a_document_already_registered_to_another_client_is_refused(db, tmp_path, before):
    doc = document(clients=[client(5, document=full_document()["clients"][0]["document"])])
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {("clients[0].document", "duplicate")}
    assert "CLI-1" in result.problems[0].message


async def test_boleto_that_does_not_match_its_invoice_is_refused(db, tmp_path, before):
    doc = full_document()
    doc["invoices"][0]["due_on"] = "2026-11-11"
    doc["invoices"][1]["amount"] = "1.00"
    doc["invoices"][1]["fiscal_document"] = None
    doc["invoices"][1]["boleto"]["pix_copy_paste"] = None
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {
        ("invoices[0].boleto.digitable_line", "mismatch"),
        ("invoices[1].boleto.digitable_line", "mismatch"),
    }


async def test_pix_with_a_broken_crc_is_refused(db, tmp_path, before):
    doc = full_document()
    pix = doc["invoices"][0]["boleto"]["pix_copy_paste"]
    doc["invoices"][0]["boleto"]["pix_copy_paste"] = pix[:-4] + (
        "0000" if pix[-4:] != "0000" else "1111"
    )
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {("invoices[0].boleto.pix_copy_paste", "check_digit")}


async def test_fiscal_items_must_add_up(db, tmp_path, before):
    doc = full_document()
    doc["invoices"][0]["fiscal_document"]["items"][0]["quantity"] = "2"
    doc["invoices"][1]["fiscal_document"]["items"][0]["amount"] = "1.00"
    doc["invoices"][1]["fiscal_document"]["items"][0]["unit_price"] = "1.00"
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {
        ("invoices[0].fiscal_document.items[0].amount", "mismatch"),
        ("invoices[1].fiscal_document.amount", "mismatch"),
    }


async def test_files_must_stay_inside_the_folder_of_the_json(db, tmp_path, before):
    (tmp_path / "segredo.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    doc = full_document()
    doc["certificates"][0]["pdf"] = {"file": "../segredo.pdf"}
    doc["certificates"][1]["pdf"] = {"file": str(tmp_path / "segredo.pdf")}
    doc["invoices"][0]["fiscal_document"]["pdf"] = {"file": "notas/nao-existe.pdf"}
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {
        ("certificates[0].pdf.file", "file_path"),
        ("certificates[1].pdf.file", "file_path"),
        ("invoices[0].fiscal_document.pdf.file", "file_missing"),
    }


async def test_inline_files_must_be_valid_base64_and_of_the_right_kind(db, before):
    doc = full_document()
    doc["invoices"][0]["fiscal_document"]["xml"] = {"base64": "!!!", "content_type": "text/xml"}
    doc["invoices"][1]["fiscal_document"]["pdf"] = {"base64": "aGVsbG8=",
                                                    "content_type": "application/pdf"}  # fmt: skip
    doc["certificates"][0]["pdf"] = {"file": "cdf/1.pdf"}  # the API takes inline files only
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    doc["certificates"][1]["pdf"] = None
    doc["invoices"][1]["fiscal_document"]["xml"] = {
        "base64": base64.b64encode(xxe).decode(),
        "content_type": "application/xml",
    }
    result = await import_document(doc, db, base_dir=None, now=NOW)
    assert not result.ok
    assert problems(result) == {
        ("invoices[0].fiscal_document.xml.base64", "format"),
        ("invoices[1].fiscal_document.pdf.base64", "file_type"),
        ("invoices[1].fiscal_document.xml.base64", "file_invalid"),
        ("certificates[0].pdf.file", "format"),
    }
    assert await snapshot() == before


async def test_a_receiver_who_refused_is_recorded_with_cpf_zero(db, tmp_path, before):
    doc = document(collections=[collection(9, received_by_cpf="0", refusal="Recusou-se")])
    result = await import_file(write(tmp_path / "ok", doc), db, now=NOW)
    assert result.ok, result.problems


async def test_root_that_is_not_an_object_is_refused(db, before):
    result = await import_document([1, 2], db, base_dir=None, now=NOW)
    assert problems(result) == {("", "type")}
    result = await import_document({"clients": "x"}, db, base_dir=None, now=NOW)
    assert problems(result) == {("format", "required"), ("clients", "type")}
    assert await snapshot() == before


async def test_bad_mtr_fields_are_refused_with_their_paths(db, tmp_path, before):
    doc = full_document()
    doc["collections"][0]["waste"]["ibama_code"] = "17 9 04"
    doc["collections"][0]["waste"]["physical_state"] = "pastoso"
    doc["collections"][1]["transporter"] = {"document": "11.222.333/0001-82"}
    doc["collections"][1]["destination"] = {
        "receiver": {"name": "Aterro", "document": "123"},
        "treatment": "x" * 101,
        "license": "LO 1",
    }
    doc["collections"][2]["waste"]["ibama_code"] = "21 01 01*"
    result = await refused(db, tmp_path, doc, before)
    assert problems(result) == {
        ("collections[0].waste.ibama_code", "format"),
        ("collections[0].waste.physical_state", "choice"),
        ("collections[1].transporter.name", "required"),
        ("collections[1].transporter.document", "check_digit"),
        ("collections[1].destination.receiver.document", "format"),
        ("collections[1].destination.treatment", "length"),
        ("collections[1].destination.license", "unknown_field"),
        ("collections[2].waste.ibama_code", "chapter"),
    }
