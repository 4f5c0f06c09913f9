"""Importing: whole documents in, idempotent upserts, one transaction, photos stored once."""

from __future__ import annotations

import base64
import copy
import json
from datetime import date
from pathlib import Path

import pytest
from import_samples import (
    NOW,
    client,
    collection,
    document,
    full_document,
    image_bytes,
    invoice,
    row_counts,
    snapshot,
    write,
)
from PIL import Image

from espaco.demo import build_demo_import
from espaco.services.imports import import_document, import_file
from espaco.services.imports.sql import Sql
from espaco.services.operations.media import media_path
from espaco.tables import (
    Boleto,
    Certificate,
    CertificateMtr,
    Client,
    ClientEmail,
    Collection,
    CollectionPhoto,
    FiscalDocument,
    Invoice,
    Location,
)

TODAY = date(2026, 11, 28)


def created(result, section: str) -> int:
    return result.counts[section].created


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_import(tmp_path_factory.mktemp("demo"), today=TODAY).path


@pytest.fixture(scope="module")
def demo_doc(demo_dir: Path) -> dict:
    return json.loads(demo_dir.read_text(encoding="utf-8"))


async def test_the_demo_document_imports_whole(db, demo_dir: Path, demo_doc: dict):
    doc = demo_doc
    result = await import_file(demo_dir, db, now=NOW)
    assert result.ok, result.problems[:5]
    locations = sum(len(c["locations"]) for c in doc["clients"])
    assert {name: c.created for name, c in result.counts.items()} == {
        "clients": len(doc["clients"]),
        "locations": locations,
        "invoices": len(doc["invoices"]),
        "collections": len(doc["collections"]),
        "certificates": len(doc["certificates"]),
    }
    assert await Client.count() == len(doc["clients"])
    assert await Location.count() == locations
    assert await Collection.count() == len(doc["collections"])
    assert await Boleto.count() == sum(i["boleto"] is not None for i in doc["invoices"])
    assert len(result.new_fiscal_documents) == await FiscalDocument.count() == len(doc["invoices"])
    photos = sum(len(c["photos"]) for c in doc["collections"])
    assert await CollectionPhoto.count() == photos
    mtrs = sum(len(c["mtr_numbers"]) for c in doc["certificates"])
    assert await CertificateMtr.count() == mtrs
    # A handful of photo files shared by many collections: stored once each.
    stored = {row["path"] for row in await CollectionPhoto.select(CollectionPhoto.path)}
    distinct = {p["file"] for c in doc["collections"] for p in c["photos"]}
    assert len(stored) == len(distinct)
    for path in stored:
        assert media_path(db, path).is_file()


async def test_importing_the_demo_twice_changes_nothing_the_second_time(db, demo_dir: Path):
    first = await import_file(demo_dir, db, now=NOW)
    assert first.ok
    before = await snapshot()
    again = await import_file(demo_dir, db, now=NOW.replace(year=2027))
    assert again.ok
    assert all(c.created == c.updated == 0 for c in again.counts.values())
    assert {n: c.unchanged for n, c in again.counts.items()} == {
        n: c.created for n, c in first.counts.items()
    }
    assert again.new_fiscal_documents == []
    assert await snapshot() == before  # no row rewritten: updated_at and ids untouched


async def test_an_update_of_one_invoice_counts_one_updated(db, tmp_path: Path):
    doc = full_document()
    assert (await import_file(write(tmp_path, doc), db, now=NOW)).ok
    old = await Invoice.select().where(Invoice.external_id == "FAT-2").first()
    doc["invoices"][1]["status"] = "paid"
    doc["invoices"][1]["paid_on"] = "2026-11-09"
    doc["invoices"][1]["paid_amount"] = doc["invoices"][1]["amount"]
    later = NOW.replace(day=29)
    result = await import_file(write(tmp_path, doc), db, now=later)
    assert result.ok
    assert (result.counts["invoices"].updated, result.counts["invoices"].unchanged) == (1, 1)
    assert all(c.updated == 0 for n, c in result.counts.items() if n != "invoices")
    rows = {r["external_id"]: r for r in await Invoice.select()}
    assert rows["FAT-2"]["status"] == "paid" and rows["FAT-2"]["updated_at"] == later
    assert rows["FAT-2"]["id"] == old["id"]
    assert rows["FAT-1"]["updated_at"] == NOW


async def test_changing_only_the_boleto_or_fiscal_document_updates_the_invoice(db, tmp_path):
    doc = full_document()
    assert (await import_file(write(tmp_path, doc), db, now=NOW)).ok
    doc["invoices"][0]["boleto"]["bank_name"] = "Banco Itaú S.A."
    doc["invoices"][1]["fiscal_document"]["series"] = "2"
    result = await import_file(write(tmp_path, doc), db, now=NOW)
    assert result.counts["invoices"].updated == 2
    assert result.new_fiscal_documents == []
    boleto = await Boleto.select(Boleto.bank_name).where(Boleto.bank_name != "Itaú").first()
    assert boleto == {"bank_name": "Banco Itaú S.A."}


async def test_a_null_boleto_removes_the_stored_one_and_an_absent_one_keeps_it(db, tmp_path):
    doc = full_document()
    assert (await import_file(write(tmp_path, doc), db, now=NOW)).ok
    doc["invoices"][0]["status"] = "cancelled"
    doc["invoices"][0]["boleto"] = None
    del doc["invoices"][1]["boleto"]
    del doc["invoices"][1]["fiscal_document"]
    result = await import_file(write(tmp_path, doc), db, now=NOW)
    assert (result.counts["invoices"].updated, result.counts["invoices"].unchanged) == (1, 1)
    assert await Boleto.count() == 1 and await FiscalDocument.count() == 2


async def test_new_fiscal_documents_are_only_those_created_now(db, tmp_path: Path):
    doc = full_document()
    first = await import_file(write(tmp_path, doc), db, now=NOW)
    assert len(first.new_fiscal_documents) == 2
    doc["invoices"].append(invoice(3, "CLI-2"))
    second = await import_file(write(tmp_path, doc), db, now=NOW)
    [new_id] = second.new_fiscal_documents
    row = (
        await FiscalDocument.select(FiscalDocument.access_key)
        .where(FiscalDocument.id == new_id)
        .first()
    )
    assert row["access_key"] == doc["invoices"][2]["fiscal_document"]["access_key"]


async def test_email_lists_are_replaced_when_given_and_kept_when_absent(db, tmp_path: Path):
    doc = full_document()
    assert (await import_file(write(tmp_path, doc), db, now=NOW)).ok
    doc["clients"][0]["access_emails"] = [" Novo@Cliente.com.br", "novo@cliente.com.br"]
    del doc["clients"][1]["invoice_emails"]
    result = await import_file(write(tmp_path, doc), db, now=NOW)
    assert (result.counts["clients"].updated, result.counts["clients"].unchanged) == (1, 1)
    rows = await ClientEmail.select(ClientEmail.kind, ClientEmail.address).order_by(ClientEmail.id)
    assert sorted((r["kind"], r["address"]) for r in rows) == [
        ("access", "compras2@cliente.com.br"),
        ("access", "novo@cliente.com.br"),
        ("invoice", "financeiro1@cliente.com.br"),
        ("invoice", "financeiro2@cliente.com.br"),
    ]


async def test_records_refer_to_clients_and_places_imported_earlier(db, tmp_path: Path):
    assert (await import_file(write(tmp_path, document(clients=[client(1)])), db, now=NOW)).ok
    later = document(invoices=[invoice(1)], collections=[collection(1)])
    result = await import_file(write(tmp_path, later), db, now=NOW)
    assert result.ok, result.problems
    row = await Collection.select(Collection.client.external_id).first()
    assert row == {"client.external_id": "CLI-1"}


async def test_event_on_is_the_local_performed_day_else_the_scheduled_day(db, tmp_path):
    doc = document(
        clients=[client(1)],
        collections=[
            collection(1, performed_at="2026-10-05T23:30:00-03:00", scheduled_on="2026-10-04"),
            collection(2, performed_at="2026-10-06T01:30:00+00:00"),
            collection(3, status="scheduled", performed_at=None, scheduled_on="2026-12-02"),
        ],
    )
    assert (await import_file(write(tmp_path, doc), db, now=NOW)).ok
    rows = await Collection.select(Collection.external_id, Collection.event_on)
    assert {r["external_id"]: r["event_on"] for r in rows} == {
        "COL-1": date(2026, 10, 5),
        "COL-2": date(2026, 10, 5),  # 22:30 in São Paulo
        "COL-3": date(2026, 12, 2),
    }


async def test_content_hash_follows_what_the_ticket_shows(db, tmp_path: Path):
    doc = full_document()
    assert (await import_file(write(tmp_path, doc), db, now=NOW)).ok
    hashes = {r["external_id"]: r["content_hash"] for r in await Collection.select()}
    assert len(set(hashes.values())) == 3 and all(len(h) == 64 for h in hashes.values())
    doc["collections"][0]["notes"] = "Outra observação"
    result = await import_file(write(tmp_path, doc), db, now=NOW)
    assert result.counts["collections"].updated == 1
    after = {r["external_id"]: r["content_hash"] for r in await Collection.select()}
    assert after["COL-1"] != hashes["COL-1"]
    assert after["COL-2"] == hashes["COL-2"]


async def test_photos_are_downscaled_and_reencoded_as_jpeg(db, tmp_path: Path):
    folder = tmp_path / "src"
    (folder / "fotos").mkdir(parents=True)
    (folder / "fotos" / "antes.png").write_bytes(image_bytes((3000, 2000), "PNG"))
    signature = Image.new("RGBA", (1600, 500), (0, 0, 0, 0))
    signature.putpixel((10, 10), (0, 0, 0, 255))
    signature.save(folder / "fotos" / "assinatura.png")
    doc = document(
        clients=[client(1)],
        collections=[
            collection(
                1,
                photos=[{"stage": "before", "file": "fotos/antes.png", "latitude": -22.9,
                         "longitude": -47.06, "taken_at": "2026-10-05T09:20:00-03:00"}],
                signature={"file": "fotos/assinatura.png"},
            )
        ],
    )  # fmt: skip
    assert (await import_file(write(folder, doc), db, now=NOW)).ok
    photo = await CollectionPhoto.select().first()
    assert (photo["width"], photo["height"]) == (960, 640)
    assert photo["latitude"] == -22.9 and photo["stage"] == "before"
    with Image.open(media_path(db, photo["path"])) as image:
        assert image.format == "JPEG" and image.size == (960, 640)
        assert "exif" not in image.info
    row = await Collection.select(Collection.signature_path).first()
    with Image.open(media_path(db, row["signature_path"])) as image:
        assert image.format == "JPEG" and max(image.size) == 800
        assert image.mode == "L"


async def test_the_same_photo_referenced_twice_is_stored_once(db, tmp_path: Path):
    folder = tmp_path / "src"
    (folder / "fotos").mkdir(parents=True)
    data = image_bytes((1600, 1200))
    (folder / "fotos" / "a.jpg").write_bytes(data)
    (folder / "fotos" / "copia.jpg").write_bytes(data)
    inline = {"stage": "after", "base64": base64.b64encode(data).decode(),
              "content_type": "image/jpeg"}  # fmt: skip
    doc = document(
        clients=[client(1)],
        collections=[
            collection(1, photos=[{"stage": "before", "file": "fotos/a.jpg"}, inline]),
            collection(2, photos=[{"stage": "before", "file": "fotos/copia.jpg"}]),
        ],
    )
    assert (await import_file(write(folder, doc), db, now=NOW)).ok
    paths = [r["path"] for r in await CollectionPhoto.select(CollectionPhoto.path)]
    assert len(paths) == 3 and len(set(paths)) == 1
    files = [p for p in db.media_dir.rglob("*") if p.is_file()]
    assert files == [media_path(db, paths[0])]


async def test_photos_are_replaced_only_when_they_change(db, tmp_path: Path):
    folder = tmp_path / "src"
    (folder / "fotos").mkdir(parents=True)
    (folder / "fotos" / "a.jpg").write_bytes(image_bytes((800, 600)))
    (folder / "fotos" / "b.jpg").write_bytes(image_bytes((600, 800)))
    doc = document(
        clients=[client(1)],
        collections=[collection(1, photos=[{"stage": "before", "file": "fotos/a.jpg"}])],
    )
    assert (await import_file(write(folder, doc), db, now=NOW)).ok
    ids = [r["id"] for r in await CollectionPhoto.select(CollectionPhoto.id)]
    del doc["collections"][0]["photos"]  # not mentioned: kept
    again = await import_file(write(folder, doc), db, now=NOW)
    assert again.counts["collections"].unchanged == 1
    assert [r["id"] for r in await CollectionPhoto.select(CollectionPhoto.id)] == ids
    doc["collections"][0]["photos"] = [{"stage": "after", "file": "fotos/b.jpg"}]
    changed = await import_file(write(folder, doc), db, now=NOW)
    assert changed.counts["collections"].updated == 1
    rows = await CollectionPhoto.select()
    assert [(r["stage"], r["width"], r["height"]) for r in rows] == [("after", 600, 800)]


async def test_the_api_form_takes_inline_files(db):
    pdf = base64.b64encode(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n").decode()
    doc = full_document()
    doc["certificates"][0]["pdf"] = {"base64": pdf, "content_type": "application/pdf"}
    result = await import_document(copy.deepcopy(doc), db, base_dir=None, now=NOW)
    assert result.ok, result.problems
    row = (
        await Certificate.select(Certificate.pdf_path)
        .where(Certificate.external_id == "CDF-1")
        .first()
    )
    assert media_path(db, row["pdf_path"]).read_bytes().startswith(b"%PDF-")


async def test_a_failure_half_way_leaves_every_table_unchanged(db, tmp_path, monkeypatch):
    doc = full_document()
    assert (await import_file(write(tmp_path, doc), db, now=NOW)).ok
    before, counts = await snapshot(), await row_counts()
    doc["clients"].append(client(3))
    doc["invoices"][0]["amount"] = doc["invoices"][0]["fiscal_document"]["amount"]
    doc["invoices"].append(invoice(3, "CLI-3"))
    doc["collections"].append(collection(4, "CLI-3", "LOC-3"))
    doc["collections"][0]["notes"] = "mudou"
    real = Sql._send
    calls = []

    async def failing(self, sql, rows, copy):
        calls.append(sql)
        if len(calls) == 6:  # clients, e-mails and locations went in; invoices next
            raise RuntimeError("disk full")
        await real(self, sql, rows, copy)

    monkeypatch.setattr(Sql, "_send", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        await import_file(write(tmp_path, doc), db, now=NOW)
    assert len(calls) == 6 and calls[0].startswith('INSERT INTO "client"')
    assert await row_counts() == counts
    assert await snapshot() == before
    monkeypatch.setattr(Sql, "_send", real)
    result = await import_file(write(tmp_path, doc), db, now=NOW)  # and the lock was released
    assert result.ok and result.counts["clients"].created == 1


async def test_progress_is_reported_per_section(db, tmp_path: Path):
    seen: list[tuple[str, int, int]] = []
    doc = full_document()
    result = await import_file(
        write(tmp_path, doc), db, now=NOW, progress=lambda *a: seen.append(a)
    )
    assert result.ok
    assert ("collections", 3, 3) in seen and ("invoices", 2, 2) in seen


MTR_FIELDS = (
    Collection.waste_ibama_code, Collection.waste_physical_state, Collection.transporter_name,
    Collection.transporter_document, Collection.receiver_name, Collection.receiver_document,
    Collection.treatment, Collection.content_hash,
)  # fmt: skip


async def test_the_optional_mtr_fields_are_stored_and_reimport_unchanged(db, tmp_path):
    old = full_document()
    assert (await import_file(write(tmp_path / "old", old), db, now=NOW)).ok
    old_rows = await Collection.select(*MTR_FIELDS).order_by(Collection.external_id)
    assert {r["transporter_name"] + r["treatment"] for r in old_rows} == {""}
    doc = full_document()
    doc["collections"][0]["waste"].update(ibama_code="170904", physical_state="SOLIDO")
    doc["collections"][0]["transporter"] = {
        "name": "Transportes Exemplo Ltda", "document": "11.222.333/0001-81"
    }  # fmt: skip
    doc["collections"][0]["destination"] = {
        "receiver": {"name": "Aterro Exemplo", "document": "11222333000181"},
        "treatment": "Aterro sanitário",
    }
    result = await import_file(write(tmp_path / "new", doc), db, now=NOW)
    assert result.ok, result.problems
    assert result.counts["collections"].updated == 1
    assert result.counts["collections"].unchanged == 2
    rows = await Collection.select(*MTR_FIELDS).order_by(Collection.external_id)
    assert rows[0] == {
        "waste_ibama_code": "17 09 04",
        "waste_physical_state": "sólido",
        "transporter_name": "Transportes Exemplo Ltda",
        "transporter_document": "11222333000181",
        "receiver_name": "Aterro Exemplo",
        "receiver_document": "11222333000181",
        "treatment": "Aterro sanitário",
        # the ticket shows none of them: its cached PDF stays valid
        "content_hash": old_rows[0]["content_hash"],
    }
    again = await import_file(write(tmp_path / "new", doc), db, now=NOW)
    assert again.counts["collections"].unchanged == 3
    back = await import_file(write(tmp_path / "old", old), db, now=NOW)  # the old file again
    assert back.counts["collections"].updated == 1
    assert await Collection.select(*MTR_FIELDS).order_by(Collection.external_id) == old_rows
