"""Demo collections (with photos, signatures, MTRs) and the CDFs that list them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from espaco.demo import media
from espaco.demo.context import Context, DemoClientState, Record, add_months, instant, month_end
from espaco.demo.names import (
    CANCEL_NOTES,
    COLLECTION_NOTES,
    DEFAULT_RECEIVER,
    FLEET,
    PROVIDER_CNPJ,
    PROVIDER_NAME,
    RECEIVER_ROOTS,
    RECEIVERS,
    REFUSAL,
    SERVICES,
    WASTES,
)
from espaco.domain.documents import cnpj_check_digits, format_cnpj, format_cpf
from espaco.domain.formatting import format_date

COLLECTION_DAYS = 240  # about eight months back
PHOTOGRAPHED = 6  # most recent performed collections per client that carry photos
VALIDATION_DAYS = 10  # collections newer than this are still "done", not yet validated


def _not_sunday(day: date, today: date) -> date:
    # No collections on Sundays: a past one moves back to Saturday, a planned one to Monday.
    if day.weekday() != 6:
        return day
    return day + timedelta(days=1) if day > today else day - timedelta(days=1)


def _days(ctx: Context, client: DemoClientState) -> list[date]:
    rng, today = ctx.rng, ctx.today
    active = bool(client.record["active"])
    end = today - timedelta(days=1) if active else month_end(*client.last_month)
    planned = rng.randint(2, 4) if active else 0
    count = rng.randint(30, 60) - planned
    days = [end - timedelta(days=rng.randint(0, COLLECTION_DAYS)) for _ in range(count)]
    days += [today + timedelta(days=rng.randint(1, 21)) for _ in range(planned)]
    return sorted(_not_sunday(d, today) for d in days)


def _photos(
    ctx: Context, client: DemoClientState, location: str, scene: str, at: datetime
) -> list[Record]:
    rng = ctx.rng
    before = at - timedelta(minutes=rng.randint(8, 20))
    after = at - timedelta(minutes=rng.randint(0, 3))
    gps = rng.random() < 0.6
    result = []
    for stage, taken, name in (
        ("before", before, scene),
        ("after", after, media.AFTER_SCENE.get(scene, "limpo")),
    ):
        photo: Record = {"stage": stage, "file": f"fotos/{name}.jpg", "taken_at": taken.isoformat()}
        if gps:  # the route app stamps coordinates when the phone has a fix
            lat, lon = client.coordinates[location]
            photo["latitude"] = round(lat + rng.uniform(-0.0004, 0.0004), 5)
            photo["longitude"] = round(lon + rng.uniform(-0.0004, 0.0004), 5)
        result.append(photo)
    return result


def _performed(
    ctx: Context, client: DemoClientState, record: Record, day: date, scene: str
) -> datetime:
    rng = ctx.rng
    at = instant(day, rng.randint(7, 16), rng.randint(0, 59))
    name, cpf = rng.choice(client.contacts)
    validated = record["status"] == "validated"
    record.update(
        performed_at=at.isoformat(),
        mtr_number=ctx.mtr(day.year),
        mtr_status="Recebido" if validated or rng.random() < 0.5 else "Salvo",
        received_by=name,
        received_by_cpf=format_cpf(cpf),
    )
    if rng.random() < 0.25:
        notes = COLLECTION_NOTES[:1] if scene == "cacamba" else COLLECTION_NOTES[1:]
        record["notes"] = rng.choice(notes)
    if rng.random() < 0.9:
        record["signature"] = {"file": f"fotos/assinatura-{rng.randint(1, 3)}.png"}
    return at


def _refuse(record: Record) -> None:
    record.update(received_by_cpf="0", refusal=REFUSAL, signature=None)


def collections(ctx: Context, client: DemoClientState, first_id: int) -> list[Record]:
    """30 to 60 collections of ``client`` over the last ``COLLECTION_DAYS``,
    a few planned ahead; numbered ``COL-`` from ``first_id``."""
    rng, today = ctx.rng, ctx.today
    days = _days(ctx, client)
    past = [i for i, d in enumerate(days) if d <= today]
    cancelled = set(rng.sample(past[:-8], rng.randint(1, 3)))
    performed = [i for i in past if i not in cancelled]
    photographed = set(performed[-PHOTOGRAPHED:])
    refused = {performed[-2]} if client.index == 0 else set()
    services = SERVICES[client.profile.kind]
    result = []
    for i, day in enumerate(days):
        if day > today:
            status = "scheduled"
        elif i in cancelled:
            status = "cancelled"
        elif (today - day).days <= VALIDATION_DAYS or rng.random() < 0.04:
            status = "done"
        else:
            status = "validated"
        recent = (today - day).days < 120  # a closed site only had collections long ago
        locations = [loc for loc in client.record["locations"] if loc["active"] or not recent]
        location = rng.choice(locations)["external_id"]
        service = rng.choices(services, weights=[s.weight for s in services])[0]
        waste = WASTES[service.waste]
        driver, plate = rng.choice(FLEET)
        assigned = status != "scheduled" or (day - today).days <= 3  # routes close 3 days ahead
        record: Record = {
            "external_id": f"COL-{first_id + i:06d}",
            "client": client.external_id,
            "location": location,
            "request": None,
            "scheduled_on": day.isoformat(),
            "performed_at": None,
            "status": status,
            "service": service.name,
            "waste": {
                "description": waste.description,
                "class": waste.waste_class,
                "ibama_code": waste.ibama_code,
                "physical_state": waste.physical_state,
            },
            "quantity": format(ctx.quantity(service.low, service.high, service.decimals), "f"),
            "unit": service.unit,
            "mtr_number": None,
            "mtr_status": None,
            "driver": driver if assigned else None,
            "vehicle_plate": plate if assigned else None,
            "received_by": None,
            "notes": None,
            "photos": [],
            "signature": None,
            "received_by_cpf": None,
            "refusal": None,
        }
        if status == "cancelled":
            record["notes"] = rng.choice(CANCEL_NOTES)
            if rng.random() < 0.5:
                record["mtr_number"], record["mtr_status"] = ctx.mtr(day.year), "Cancelado"
        elif status != "scheduled":
            record["transporter"] = {"name": PROVIDER_NAME, "document": PROVIDER_CNPJ}
            receiver = RECEIVERS.get(client.profile.kind, DEFAULT_RECEIVER)
            root = RECEIVER_ROOTS[receiver]
            record["destination"] = {
                "receiver": {"name": receiver, "document": root + cnpj_check_digits(root)},
                "treatment": waste.treatment,
            }
            at = _performed(ctx, client, record, day, waste.scene)
            if i in refused or rng.random() < 0.015:
                _refuse(record)
            if i in photographed:
                record["photos"] = _photos(ctx, client, location, waste.scene, at)
        result.append(record)
    return result


def certificates(
    ctx: Context, clients: list[DemoClientState], all_collections: list[Record]
) -> list[Record]:
    """A CDF per client for each of the last four complete quarters in which
    it had MTRs received at the destination and whose CDF is already issued."""
    rng, today = ctx.rng, ctx.today
    quarter = (today.year, today.month - (today.month - 1) % 3)
    sequence: dict[int, int] = {}
    result = []
    for back in (12, 9, 6, 3):
        start = date(*add_months(*quarter, -back), 1)
        end = month_end(*add_months(*quarter, -back + 2))
        for client in clients:
            mtrs = [
                c["mtr_number"]
                for c in all_collections
                if c["client"] == client.external_id
                and c["mtr_status"] == "Recebido"
                and start <= date.fromisoformat(c["scheduled_on"]) <= end
            ]
            issued = end + timedelta(days=rng.randint(5, 20))
            if not mtrs or issued > today:
                continue
            sequence[issued.year] = sequence.get(issued.year, 36) + 1
            number = f"{sequence[issued.year]:04d}/{issued.year}"
            stem = f"CDF-{issued.year}-{sequence[issued.year]:04d}"
            receiver = RECEIVERS.get(client.profile.kind, DEFAULT_RECEIVER)
            lines = [
                f"Destinador: {receiver}",
                f"Gerador: {client.profile.name} - {client.record['document']}",
                f"Transportador: {PROVIDER_NAME} - CNPJ {format_cnpj(PROVIDER_CNPJ)}",
                f"Período: {format_date(start)} a {format_date(end)}",
                f"Emitido em {format_date(issued)}",
                "",
                "MTRs:",
                *(", ".join(mtrs[i : i + 6]) for i in range(0, len(mtrs), 6)),
            ]
            title = f"CDF - Certificado de Destinação Final nº {number}"
            pdf = media.simple_pdf(title, lines, instant(issued, 9, 0))
            media.write(ctx.dest / f"cdf/{stem}.pdf", pdf)
            result.append(
                {
                    "external_id": stem,
                    "client": client.external_id,
                    "number": number,
                    "issued_on": issued.isoformat(),
                    "period_start": start.isoformat(),
                    "period_end": end.isoformat(),
                    "receiver": receiver,
                    "mtr_numbers": mtrs,
                    "pdf": {"file": f"cdf/{stem}.pdf"},
                }
            )
    return result
