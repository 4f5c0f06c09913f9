"""The demo generator writes a complete ``espaco-import/1`` document that
keeps every rule of import-format.md, and the same one for the same seed."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from espaco.demo import DemoDocument, build_demo_import
from espaco.domain.boleto import check_boleto_matches, due_date_from_factor, parse_boleto
from espaco.domain.documents import is_valid_cnpj, is_valid_cpf, normalize_document
from espaco.domain.fiscal import validate_nfe_key, validate_nfse_key
from espaco.domain.money import parse_money
from espaco.domain.pix import parse_brcode

TODAY = date(2026, 11, 28)
PROVIDER_CNPJ = "11222333000181"

# The keys import-format.md allows at each level.
TOP_KEYS = {"format", "clients", "invoices", "collections", "certificates"}
CLIENT_KEYS = {
    "external_id", "document", "name", "trade_name", "access_emails", "invoice_emails",
    "active", "locations",
}  # fmt: skip
LOCATION_KEYS = {
    "external_id", "label", "street", "number", "complement", "district", "city", "state",
    "cep", "active",
}  # fmt: skip
INVOICE_KEYS = {
    "external_id", "client", "reference_start", "reference_end", "issued_on", "due_on",
    "amount", "status", "paid_on", "paid_amount", "description", "fiscal_document", "boleto",
}  # fmt: skip
FISCAL_KEYS = {
    "kind", "number", "series", "access_key", "issued_at", "amount", "items", "pdf", "xml",
}  # fmt: skip
ITEM_KEYS = {"description", "quantity", "unit", "unit_price", "amount"}
BOLETO_KEYS = {"digitable_line", "barcode", "bank_name", "pix_copy_paste"}
COLLECTION_KEYS = {
    "external_id", "client", "location", "request", "scheduled_on", "performed_at", "status",
    "service", "waste", "quantity", "unit", "mtr_number", "mtr_status", "driver",
    "vehicle_plate", "received_by", "notes", "photos", "signature", "received_by_cpf",
    "refusal",
}  # fmt: skip
WASTE_KEYS = {"description", "class", "ibama_code", "physical_state"}
DESTINATION_KEYS = {"transporter", "destination"}  # a collection that left the client has them
PHOTO_KEYS = {"stage", "file", "taken_at", "latitude", "longitude"}
CERTIFICATE_KEYS = {
    "external_id", "client", "number", "issued_on", "period_start", "period_end", "receiver",
    "mtr_numbers", "pdf",
}  # fmt: skip
FILE_KEYS = ({"file"}, {"base64", "content_type"})

MONEY = re.compile(r"[0-9]+\.[0-9]{2}")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}-03:00")
QUANTITY = re.compile(r"[0-9]+(\.[0-9]+)?")
MERCOSUL_PLATE = re.compile(r"[A-Z]{3}[0-9][A-Z][0-9]{2}")
CEP = re.compile(r"[0-9]{5}-[0-9]{3}")

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoDocument, Doc]:
    demo = build_demo_import(tmp_path_factory.mktemp("demo"), today=TODAY)
    return demo, json.loads(demo.path.read_text(encoding="utf-8"))


@pytest.fixture
def doc(built: tuple[DemoDocument, Doc]) -> Doc:
    return built[1]


def _cents(text: str) -> int:
    return parse_money(text)


def _files(doc: Doc) -> list[str]:
    refs: list[dict[str, str] | None] = []
    for invoice in doc["invoices"]:
        refs += [invoice["fiscal_document"]["pdf"], invoice["fiscal_document"]["xml"]]
    for collection in doc["collections"]:
        refs += [*collection["photos"], collection["signature"]]
    refs += [certificate["pdf"] for certificate in doc["certificates"]]
    return [ref["file"] for ref in refs if ref is not None]


def test_document_declares_the_import_format(doc: Doc) -> None:
    assert doc["format"] == "espaco-import/1"
    assert set(doc) == TOP_KEYS


def test_the_demo_has_one_group_a_matriz_and_two_filiais(doc: Doc) -> None:
    grouped = [c for c in doc["clients"] if c.get("group")]
    assert [c["trade_name"] for c in grouped] == [
        "Pão Quente", "Pão Quente Valinhos", "Pão Quente Jundiaí",
    ]  # fmt: skip
    assert {c["group"]["external_id"] for c in grouped} == {"GRP-0001"}
    assert len({c["document"] for c in grouped}) == 3


def test_every_record_has_only_the_keys_the_contract_allows(doc: Doc) -> None:
    for client in doc["clients"]:
        # ``group`` (optional, docs/import-format.md): the demo's matriz and its filiais.
        assert set(client) - {"group"} == CLIENT_KEYS
        assert set(client.get("group") or {}) in ({"external_id", "name"}, set())
        for location in client["locations"]:
            assert set(location) == LOCATION_KEYS
    for invoice in doc["invoices"]:
        assert set(invoice) == INVOICE_KEYS
        fiscal = invoice["fiscal_document"]
        assert set(fiscal) == FISCAL_KEYS
        assert all(set(item) == ITEM_KEYS for item in fiscal["items"])
        assert fiscal["pdf"] is None or set(fiscal["pdf"]) in FILE_KEYS
        assert set(fiscal["xml"]) in FILE_KEYS
        if invoice["boleto"] is not None:
            assert set(invoice["boleto"]) <= BOLETO_KEYS
            assert {"digitable_line", "barcode"} & set(invoice["boleto"])
    for collection in doc["collections"]:
        performed = collection["status"] in ("done", "validated")
        assert set(collection) == COLLECTION_KEYS | (DESTINATION_KEYS if performed else set())
        assert set(collection["waste"]) == WASTE_KEYS
        assert all(PHOTO_KEYS - {"latitude", "longitude"} <= set(p) for p in collection["photos"])
        assert all(set(p) <= PHOTO_KEYS for p in collection["photos"])
        assert collection["signature"] is None or set(collection["signature"]) in FILE_KEYS
    for certificate in doc["certificates"]:
        assert set(certificate) == CERTIFICATE_KEYS
        assert set(certificate["pdf"]) in FILE_KEYS


def test_money_dates_and_instants_are_written_as_the_contract_says(doc: Doc) -> None:
    for invoice in doc["invoices"]:
        fiscal = invoice["fiscal_document"]
        money = [invoice["amount"], fiscal["amount"], invoice["paid_amount"]]
        money += [v for item in fiscal["items"] for v in (item["unit_price"], item["amount"])]
        assert all(MONEY.fullmatch(m) for m in money if m is not None)
        days = [invoice[k] for k in ("reference_start", "reference_end", "issued_on", "due_on")]
        assert all(DAY.fullmatch(d) for d in [*days, invoice["paid_on"] or "2026-01-01"])
        assert INSTANT.fullmatch(fiscal["issued_at"])
        assert all(QUANTITY.fullmatch(item["quantity"]) for item in fiscal["items"])
    for collection in doc["collections"]:
        assert DAY.fullmatch(collection["scheduled_on"])
        assert QUANTITY.fullmatch(collection["quantity"])
        instants = [collection["performed_at"], *(p["taken_at"] for p in collection["photos"])]
        assert all(INSTANT.fullmatch(i) for i in instants if i is not None)
        for photo in collection["photos"]:  # coordinates are the format's only JSON numbers
            assert all(isinstance(photo.get(k, 0.0), float) for k in ("latitude", "longitude"))


def test_every_cpf_and_cnpj_is_valid(built: tuple[DemoDocument, Doc]) -> None:
    demo, doc = built
    for client, listed in zip(doc["clients"], demo.clients, strict=True):
        number = normalize_document(client["document"])
        assert is_valid_cpf(number) if len(number) == 11 else is_valid_cnpj(number)
        assert (listed.external_id, listed.document, listed.name) == (
            client["external_id"],
            number,
            client["name"],
        )
    cpfs = [c["received_by_cpf"] for c in doc["collections"] if c["received_by_cpf"]]
    assert cpfs
    assert all(is_valid_cpf(cpf) and re.fullmatch(r"\d{3}\.\d{3}\.\d{3}-\d{2}", cpf)
               for cpf in cpfs if cpf != "0")  # fmt: skip


def test_clients_include_alphanumeric_cnpjs_people_and_an_inactive_one(
    built: tuple[DemoDocument, Doc],
) -> None:
    demo, doc = built
    documents = [normalize_document(c["document"]) for c in doc["clients"]]
    assert 10 <= len(documents) <= 14
    assert any(len(d) == 14 and not d[:12].isdigit() for d in documents)
    assert sum(len(d) == 11 for d in documents) == 2
    assert [c["active"] for c in doc["clients"]].count(False) == 1
    assert doc["clients"][0]["active"]
    assert demo.clients[0].external_id == doc["clients"][0]["external_id"]
    locations = [loc for c in doc["clients"] for loc in c["locations"]]
    assert [loc["active"] for loc in locations].count(False) == 1
    assert all(1 <= len(c["locations"]) <= 4 for c in doc["clients"])
    assert all(CEP.fullmatch(loc["cep"]) and loc["state"] == "SP" for loc in locations)
    emails = [e for c in doc["clients"] for e in c["access_emails"] + c["invoice_emails"]]
    assert all(re.fullmatch(r"[a-z.]+@[a-z]+(\.[a-z]+)*\.com\.br", e) for e in emails)


def test_each_client_has_two_years_of_monthly_invoices(doc: Doc) -> None:
    by_client: dict[str, list[Doc]] = {}
    for invoice in doc["invoices"]:
        by_client.setdefault(invoice["client"], []).append(invoice)
    assert set(by_client) == {c["external_id"] for c in doc["clients"]}
    last_active_month = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
    for client in doc["clients"]:
        invoices = sorted(by_client[client["external_id"]], key=lambda i: i["reference_start"])
        assert len(invoices) == 24
        starts = [date.fromisoformat(i["reference_start"]) for i in invoices]
        months = [s.year * 12 + s.month for s in starts]
        assert months == list(range(months[0], months[0] + 24))
        if client["active"]:
            assert starts[-1] == last_active_month
        for invoice, start in zip(invoices, starts, strict=True):
            issued = date.fromisoformat(invoice["issued_on"])
            assert start.day == 1 and date.fromisoformat(invoice["reference_end"]) < issued
            assert issued.day == 1 and date.fromisoformat(invoice["due_on"]) == issued.replace(
                day=10
            )
            assert 300_00 <= _cents(invoice["amount"]) <= 25_000_00


def test_invoices_come_in_every_status_with_one_cancellation(doc: Doc) -> None:
    statuses = Counter(i["status"] for i in doc["invoices"])
    assert set(statuses) == {"open", "paid", "cancelled"}
    assert statuses["cancelled"] == 1
    assert statuses["paid"] > statuses["open"] * 5
    opens = [i for i in doc["invoices"] if i["status"] == "open"]
    assert any(date.fromisoformat(i["due_on"]) < TODAY for i in opens)  # vencido
    for invoice in doc["invoices"]:
        paid = invoice["status"] == "paid"
        assert (invoice["paid_on"] is not None) == paid == (invoice["paid_amount"] is not None)
        if paid:
            assert invoice["issued_on"] <= invoice["paid_on"] <= TODAY.isoformat()
            assert _cents(invoice["paid_amount"]) >= _cents(invoice["amount"])
        assert (invoice["boleto"] is None) == (invoice["status"] == "cancelled")


def test_every_boleto_matches_its_invoice(doc: Doc) -> None:
    banks = {"341": "Itaú", "001": "Banco do Brasil", "237": "Bradesco"}
    pix_count = 0
    for invoice in doc["invoices"]:
        if invoice["boleto"] is None:
            continue
        boleto = parse_boleto(invoice["boleto"]["digitable_line"])
        due = date.fromisoformat(invoice["due_on"])
        assert due_date_from_factor(boleto.due_factor, TODAY) == due
        assert boleto.amount_cents == _cents(invoice["amount"])
        check_boleto_matches(boleto, due_on=due, amount_cents=_cents(invoice["amount"]))
        assert banks[boleto.bank] == invoice["boleto"]["bank_name"]
        pix = invoice["boleto"]["pix_copy_paste"]
        if pix is not None:
            pix_count += 1
            assert invoice["status"] == "open"
            fields = parse_brcode(pix)
            assert fields["26.01"] == PROVIDER_CNPJ
            assert fields["54"] == invoice["amount"]
    assert pix_count > 0


def test_every_fiscal_document_validates_and_adds_up(doc: Doc) -> None:
    kinds: Counter[str] = Counter()
    for invoice in doc["invoices"]:
        fiscal = invoice["fiscal_document"]
        kinds[fiscal["kind"]] += 1
        key = fiscal["access_key"]
        if fiscal["kind"] == "nfe":
            assert validate_nfe_key(key) == key
            assert key[6:20] == PROVIDER_CNPJ and key[20:22] == "55"
            assert int(key[25:34]) == int(fiscal["number"])
        else:
            assert validate_nfse_key(key) == key
            assert key.startswith("3509502")  # IBGE code of Campinas
        assert fiscal["amount"] == invoice["amount"]
        assert fiscal["issued_at"].startswith(invoice["issued_on"])
        assert sum(_cents(item["amount"]) for item in fiscal["items"]) == _cents(fiscal["amount"])
        for item in fiscal["items"]:
            product = Decimal(item["quantity"]) * Decimal(item["unit_price"])
            assert product.quantize(Decimal("0.01"), ROUND_HALF_UP) == Decimal(item["amount"])
    assert kinds["nfse"] > kinds["nfe"] > 0
    keys = [i["fiscal_document"]["access_key"] for i in doc["invoices"]]
    assert len(set(keys)) == len(keys)


def test_every_referenced_file_exists_and_is_what_its_name_says(
    built: tuple[DemoDocument, Doc],
) -> None:
    demo, doc = built
    base = demo.path.parent
    files = _files(doc)
    suffixes = Counter(Path(f).suffix for f in files)
    assert set(suffixes) == {".jpg", ".png", ".pdf", ".xml"}
    for name in set(files):
        assert not Path(name).is_absolute()
        path = base / name
        data = path.read_bytes()
        if path.suffix in (".jpg", ".png"):
            with Image.open(path) as image:
                assert image.format == ("JPEG" if path.suffix == ".jpg" else "PNG")
                image.verify()
        elif path.suffix == ".pdf":
            assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
        else:
            ET.fromstring(data)  # noqa: S314 - the test's own generated file
    for invoice in doc["invoices"]:
        fiscal = invoice["fiscal_document"]
        xml = (base / fiscal["xml"]["file"]).read_text(encoding="utf-8")
        assert fiscal["access_key"] in xml and invoice["amount"] in xml


def test_collections_come_in_every_status_and_follow_it(doc: Doc) -> None:
    statuses = Counter(c["status"] for c in doc["collections"])
    assert set(statuses) == {"scheduled", "done", "validated", "cancelled"}
    per_client = Counter(c["client"] for c in doc["collections"])
    assert all(30 <= n <= 60 for n in per_client.values())
    locations = {
        loc["external_id"]: client["external_id"]
        for client in doc["clients"]
        for loc in client["locations"]
    }
    plates = [c["vehicle_plate"] for c in doc["collections"] if c["vehicle_plate"]]
    assert len(plates) > len(doc["collections"]) * 0.8
    for collection in doc["collections"]:
        assert locations[collection["location"]] == collection["client"]
        assert collection["request"] is None
        assert MERCOSUL_PLATE.fullmatch(collection["vehicle_plate"] or "ABC1D23")
        assert (collection["driver"] is None) == (collection["vehicle_plate"] is None)
        day = date.fromisoformat(collection["scheduled_on"])
        performed = collection["performed_at"]
        if collection["status"] in ("done", "validated"):
            assert performed is not None and day <= TODAY
            assert datetime.fromisoformat(performed).date() == day
            assert collection["mtr_status"] in ("Salvo", "Recebido")
        else:
            assert performed is None and not collection["photos"]
            assert collection["signature"] is None
        if collection["status"] == "scheduled":
            assert day > TODAY
        if collection["status"] == "cancelled":
            assert collection["mtr_status"] in (None, "Cancelado")


def test_photos_only_on_the_latest_collections_of_each_client(doc: Doc) -> None:
    photographed = Counter(c["client"] for c in doc["collections"] if c["photos"])
    assert set(photographed) == {c["external_id"] for c in doc["clients"]}
    assert all(n <= 6 for n in photographed.values())
    for collection in doc["collections"]:
        if collection["photos"]:
            assert [p["stage"] for p in collection["photos"]] == ["before", "after"]
            assert all(p["taken_at"] <= collection["performed_at"] for p in collection["photos"])
    assert len({p["file"] for c in doc["collections"] for p in c["photos"]}) <= 6


def test_a_receiver_who_refused_to_sign_is_recorded(doc: Doc) -> None:
    refused = [c for c in doc["collections"] if c["received_by_cpf"] == "0"]
    assert refused
    for collection in refused:
        assert collection["refusal"] == "Responsável se recusou a assinar"
        assert collection["signature"] is None
    signed = [c for c in doc["collections"] if c["signature"] is not None]
    performed = [c for c in doc["collections"] if c["performed_at"] is not None]
    assert len(signed) > len(performed) * 0.7


def test_mtr_numbers_are_unique_twelve_digit_text(doc: Doc) -> None:
    numbers = [c["mtr_number"] for c in doc["collections"] if c["mtr_number"] is not None]
    assert all(isinstance(n, str) and re.fullmatch(r"[0-9]{12}", n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert any(n.startswith("0") for n in numbers)
    waste_classes = {c["waste"]["class"] for c in doc["collections"]}
    assert waste_classes == {"I", "II-A", "II-B"}
    codes = [c["waste"]["ibama_code"] for c in doc["collections"]]
    assert all(re.fullmatch(r"[0-9]{2} [0-9]{2} [0-9]{2}\*?", code) for code in codes)
    hazardous = {
        c["waste"]["ibama_code"] for c in doc["collections"] if "*" in c["waste"]["ibama_code"]
    }
    assert hazardous and all(
        c["waste"]["class"] == "I"
        for c in doc["collections"]
        if c["waste"]["ibama_code"] in hazardous
    )
    treatments = {c["destination"]["treatment"] for c in doc["collections"] if "destination" in c}
    assert {"Compostagem", "Aterro sanitário"} <= treatments
    assert {c["unit"] for c in doc["collections"]} == {"m3", "kg", "t", "L", "un"}


def test_certificates_list_received_mtrs_of_their_period(doc: Doc) -> None:
    assert len(doc["certificates"]) >= len(doc["clients"])
    received = {
        c["mtr_number"]: (c["client"], c["scheduled_on"])
        for c in doc["collections"]
        if c["mtr_status"] == "Recebido"
    }
    for certificate in doc["certificates"]:
        assert certificate["mtr_numbers"]
        assert certificate["period_end"] < certificate["issued_on"] <= TODAY.isoformat()
        for number in certificate["mtr_numbers"]:
            client, day = received[number]
            assert client == certificate["client"]
            assert certificate["period_start"] <= day <= certificate["period_end"]


def test_the_same_seed_writes_the_same_bytes(
    built: tuple[DemoDocument, Doc], tmp_path: Path
) -> None:
    first = built[0].path.parent
    again = build_demo_import(tmp_path / "again", today=TODAY)
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(
        p.relative_to(again.path.parent) for p in again.path.parent.rglob("*") if p.is_file()
    )
    for name in names:
        assert (first / name).read_bytes() == (again.path.parent / name).read_bytes(), name
    other = build_demo_import(tmp_path / "other", today=TODAY, seed=7)
    assert other.path.read_bytes() != built[0].path.read_bytes()
