"""Validating collections (with photos and signature) and CDF certificates.

This is the hot path of a large import (100,000 collections a file): one pass over each record,
paths built only for problems, CPFs checked once per distinct value.
"""

from __future__ import annotations

import re
from typing import Any

from espaco.domain.errors import DomainError
from espaco.domain.waste import parse_ibama_code, parse_physical_state
from espaco.services.imports.context import Context
from espaco.services.imports.fields import Rec
from espaco.services.imports.model import (
    KEEP,
    NO_EXTRA,
    CertificateRow,
    CollectionExtra,
    CollectionRow,
    PhotoRow,
)
from espaco.tables import Certificate, Collection, CollectionStatus, PhotoStage

COLLECTION_KEYS = frozenset(
    {
        "external_id", "client", "location", "request", "scheduled_on", "performed_at",
        "status", "service", "waste", "quantity", "unit", "mtr_number", "mtr_status", "driver",
        "vehicle_plate", "received_by", "notes", "photos", "signature", "received_by_cpf",
        "refusal", "transporter", "destination",
    }
)  # fmt: skip
WASTE_KEYS = frozenset({"description", "class", "ibama_code", "physical_state"})
PARTY_KEYS = frozenset({"name", "document"})
DESTINATION_KEYS = frozenset({"receiver", "treatment"})
PHOTO_KEYS = frozenset({"stage", "file", "base64", "content_type", "taken_at", "latitude",
                        "longitude"})  # fmt: skip
FILE_KEYS = frozenset({"file", "base64", "content_type"})
CERTIFICATE_KEYS = frozenset(
    {
        "external_id", "client", "number", "issued_on", "period_start", "period_end",
        "receiver", "mtr_numbers", "pdf",
    }
)  # fmt: skip
COLLECTION_STATUSES = frozenset(s.value for s in CollectionStatus)
PERFORMED = frozenset({CollectionStatus.done.value, CollectionStatus.validated.value})
STAGES = frozenset(s.value for s in PhotoStage)
TEXT_MAX = 5000
REFUSED_CPF = "0"
_MTR = re.compile(r"[0-9]+")
_C = Collection


def validate_collection(ctx: Context, raw: object, base: str) -> CollectionRow | None:
    rec = Rec.of(ctx.problems, raw, base, COLLECTION_KEYS)
    if rec is None:
        return None
    before = len(ctx.problems)
    external_id = ctx.external_id(rec, "collections")
    client = ctx.client_ref(rec)
    location = _location_ref(ctx, rec, client)
    request = _request_ref(ctx, rec, client)
    scheduled_on = rec.date("scheduled_on")
    performed_at = rec.instant("performed_at")
    status = rec.choice("status", COLLECTION_STATUSES, required=True)
    if status in PERFORMED and performed_at is None and rec.data.get("performed_at") is None:
        rec.fail("performed_at", "required", "Data e hora da coleta obrigatória quando realizada")
    if performed_at is not None:
        event_on = performed_at.astimezone(ctx.tz).date()
    elif scheduled_on is not None:
        event_on = scheduled_on
    else:
        event_on = None
        if rec.data.get("scheduled_on") is None and status not in PERFORMED:
            rec.fail("scheduled_on", "required", "Informe a data agendada ou a de realização")
    service = rec.text("service", max_len=_C.service.length, required=True)
    waste = rec.obj("waste", WASTE_KEYS)
    waste_description = waste_class = waste_code = physical_state = ""
    if waste is not None:
        waste_description = waste.text("description", max_len=_C.waste_description.length) or ""
        waste_class = waste.text("class", max_len=_C.waste_class.length) or ""
        waste_code = _ibama_code(waste)
        physical_state = _physical_state(waste)
    quantity = rec.decimal("quantity", max_len=_C.quantity.length) or ""
    unit = rec.text("unit", max_len=_C.unit.length) or ""
    mtr_number = rec.text("mtr_number", max_len=_C.mtr_number.length)
    if mtr_number is not None and not (mtr_number.isascii() and _MTR.fullmatch(mtr_number)):
        rec.fail("mtr_number", "format", "Número do MTR deve conter apenas dígitos")
    mtr_status = rec.text("mtr_status", max_len=_C.mtr_status.length)
    driver = rec.text("driver", max_len=_C.driver.length) or ""
    plate = (rec.text("vehicle_plate", max_len=_C.vehicle_plate.length) or "").upper()
    received_by = rec.text("received_by", max_len=_C.received_by.length) or ""
    received_by_cpf = _receiver_cpf(rec)
    refusal = rec.text("refusal", max_len=TEXT_MAX)
    notes = rec.text("notes", max_len=TEXT_MAX) or ""
    extra = _extra(rec, physical_state)
    photos: Any = KEEP
    if rec.has("photos"):
        photos = [
            _photo(ctx, rec, index, item) for index, item in enumerate(rec.list("photos") or [])
        ]
    signature: Any = KEEP
    if rec.has("signature"):
        signature_rec = rec.obj("signature", FILE_KEYS)
        signature = None if signature_rec is None else ctx.files.ref(signature_rec, "signature")
    if (
        len(ctx.problems) > before
        or external_id is None
        or client is None
        or location is None
        or status is None
        or service is None
        or event_on is None
    ):
        return None
    return CollectionRow(
        external_id, client, location, request, scheduled_on, performed_at, event_on, status,
        service, waste_description, waste_class, waste_code, quantity, unit, mtr_number,
        mtr_status, driver, plate, received_by, received_by_cpf, refusal, notes, photos,
        signature, extra,
    )  # fmt: skip


def _ibama_code(waste: Rec) -> str:
    """The code in its printed form, shape checked (IN IBAMA 13/2012); empty when absent."""
    text = waste.text("ibama_code", max_len=_C.waste_ibama_code.length)
    if not text:
        return ""
    try:
        return parse_ibama_code(text).code
    except DomainError as error:
        waste.fail("ibama_code", error.code, error.message)
        return ""


def _physical_state(waste: Rec) -> str:
    text = waste.text("physical_state", max_len=40)
    if not text:
        return ""
    try:
        return parse_physical_state(text)
    except DomainError as error:
        waste.fail("physical_state", error.code, error.message)
        return ""


def _party(rec: Rec | None) -> tuple[str, str]:
    """A transporter's or receiver's name (required in the object) and CPF/CNPJ (optional)."""
    if rec is None:
        return "", ""
    name = rec.text("name", max_len=_C.transporter_name.length, required=True) or ""
    document = rec.document("document", required=False) or ""
    return name, document


def _extra(rec: Rec, physical_state: str) -> CollectionExtra:
    """The optional MTR fields; absent ones are empty (so an old file imports as before)."""
    transporter = _party(rec.obj("transporter", PARTY_KEYS))
    destination = rec.obj("destination", DESTINATION_KEYS)
    receiver, treatment = ("", ""), ""
    if destination is not None:
        receiver = _party(destination.obj("receiver", PARTY_KEYS))
        treatment = destination.text("treatment", max_len=_C.treatment.length) or ""
    if not (physical_state or any(transporter) or any(receiver) or treatment):
        return NO_EXTRA
    return CollectionExtra(physical_state, *transporter, *receiver, treatment)


def _location_ref(ctx: Context, rec: Rec, client: str | None) -> str | None:
    """The ``location``, which must exist (here or stored) and belong to the collection's client."""
    value = rec.text("location", max_len=_C.external_id.length, required=True)
    if value is None:
        return None
    owner = ctx.location_client.get(value) or ctx.known.location_client.get(value)
    if owner is None:
        rec.fail("location", "not_found", f"Local {value} não encontrado")
        return None
    if client is not None and owner != client:
        rec.fail("location", "mismatch", f"Local {value} não pertence ao cliente {client}")
        return None
    return value


def _request_ref(ctx: Context, rec: Rec, client: str | None) -> str | None:
    value = rec.text("request", max_len=20)
    if value is None:
        return None
    owner = ctx.known.request_client.get(value)
    if owner is None:
        rec.fail("request", "not_found", f"Solicitação {value} não encontrada")
        return None
    if client is not None and owner != client:
        rec.fail("request", "mismatch", f"Solicitação {value} não é do cliente {client}")
        return None
    return value


def _receiver_cpf(rec: Rec) -> str | None:
    """A valid CPF, normalised, or ``"0"`` for a receiver who refused to give one."""
    value = rec.data.get("received_by_cpf")
    if isinstance(value, str) and value.strip() == REFUSED_CPF:
        return REFUSED_CPF
    number = rec.document("received_by_cpf", required=False)
    if number is not None and len(number) != 11:
        rec.fail("received_by_cpf", "format", 'CPF deve ter 11 dígitos (ou "0" na recusa)')
        return None
    return number


def _photo(ctx: Context, parent: Rec, index: int, raw: object) -> PhotoRow | None:
    rec = Rec.of(ctx.problems, raw, f"{parent.path('photos')}[{index}]", PHOTO_KEYS)
    if rec is None:
        return None
    stage = rec.choice("stage", STAGES, required=True)
    file = ctx.files.ref(rec, "photo")
    taken_at = rec.instant("taken_at")
    latitude = rec.number("latitude", -90.0, 90.0)
    longitude = rec.number("longitude", -180.0, 180.0)
    if stage is None or file is None:
        return None
    return PhotoRow(stage, file, taken_at, latitude, longitude)


def validate_certificate(ctx: Context, raw: object, base: str) -> CertificateRow | None:
    rec = Rec.of(ctx.problems, raw, base, CERTIFICATE_KEYS)
    if rec is None:
        return None
    before = len(ctx.problems)
    external_id = ctx.external_id(rec, "certificates")
    client = ctx.client_ref(rec)
    number = rec.text("number", max_len=Certificate.number.length, required=True)
    issued_on = rec.date("issued_on", required=True)
    start = rec.date("period_start", required=True)
    end = rec.date("period_end", required=True)
    if start is not None and end is not None and start > end:
        rec.fail("period_end", "range", "Fim do período anterior ao início")
    receiver = rec.text("receiver", max_len=Certificate.receiver.length, required=True)
    mtr_numbers: list[str] = []
    for path, number_text in rec.texts("mtr_numbers", max_len=_C.mtr_number.length):
        if not (number_text.isascii() and _MTR.fullmatch(number_text)):
            ctx.problems.add(path, "format", "Número do MTR deve conter apenas dígitos")
        elif number_text not in mtr_numbers:
            mtr_numbers.append(number_text)
    pdf_rec = rec.obj("pdf", FILE_KEYS)
    pdf = None if pdf_rec is None else ctx.files.ref(pdf_rec, "pdf")
    if (
        len(ctx.problems) > before
        or external_id is None
        or client is None
        or number is None
        or issued_on is None
        or start is None
        or end is None
        or receiver is None
    ):
        return None
    return CertificateRow(
        external_id, client, number, issued_on, start, end, receiver, mtr_numbers, pdf
    )
