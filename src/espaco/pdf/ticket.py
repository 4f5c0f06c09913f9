"""The collection ticket: the proof of service a client shows an inspector, as a PDF.

Handed a :class:`TicketData` (plain values, no queries), returns the PDF's bytes. Text is set in
DejaVu Sans, embedded and subset (fpdf2's core fonts cannot print "—", "³" or "•"); the font
files come from the system (Debian's ``fonts-dejavu-core``). Photos and the signature are
embedded as stored: they were downscaled once, on import, so a ticket with four photos stays
well under 600 KB and no request pays for image processing.

:func:`render_cached` keeps each rendered ticket on disk under a key made of the collection's
``content_hash``, the renderer's :data:`VERSION` and the few things the ticket shows that the
collection's hash does not cover (provider, client and place), so any change renders anew.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from PIL import Image

from espaco.domain.documents import format_document, mask_cpf
from espaco.domain.errors import DomainError
from espaco.domain.formatting import format_date, format_datetime
from espaco.domain.money import format_quantity

# Bump when the layout changes: cached tickets of the old layout are then not used.
VERSION = "1"
FONT_DIR = Path(os.environ.get("ESPACO_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
# What a ticket can print: Latin-1, Latin Extended-A and the usual punctuation. Subsetting the
# DejaVu files to this once per process makes each render parse ~30 KB instead of ~750 KB.
CHARSET = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x180),
    *(0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x20AC, 0x2122),
]
# The ticket prints a photo about 88 mm wide: 960 px is ~280 dpi there, plenty to zoom into.
# A stored photo (1280 px, made on import) larger than PHOTO_BUDGET gets a ticket copy once, kept
# beside the cached tickets under the stored photo's own content-addressed name, so four photos
# stay well under 600 KB and no later render touches the pixels again.
PHOTO_LONG_SIDE = 960
PHOTO_QUALITY = 72
PHOTO_BUDGET = 110 * 1024
PHOTO_RENDITION = "t1"
STATUS_LABELS = {"done": "Realizada", "validated": "Validada"}
STAGE_LABELS = {"before": "Antes", "after": "Depois"}
GREEN = (23, 107, 69)
GREY = (90, 98, 94)


@dataclass(frozen=True)
class TicketPhoto:
    stage: str
    path: Path
    width: int
    height: int
    taken_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class TicketData:
    """Everything a ticket shows, already looked up."""

    number: str
    content_hash: str
    provider_name: str
    provider_cnpj: str
    provider_logo: str
    client_name: str
    client_document: str
    location: str
    address: str
    scheduled_on: date | None
    performed_at: datetime | None
    status: str
    service: str
    waste_description: str
    waste_class: str
    waste_ibama_code: str
    quantity: str
    unit: str
    mtr_number: str | None
    mtr_status: str | None
    driver: str
    vehicle_plate: str
    notes: str
    received_by: str
    received_by_cpf: str | None
    refusal: str | None
    signature: Path | None
    photos: list[TicketPhoto] = field(default_factory=list)


def cache_key(ticket: TicketData) -> str:
    """The name a rendered ticket is kept under (see the module's docstring)."""
    logo = ticket.provider_logo
    logo_stamp = ""
    if logo:
        try:
            stat = Path(logo).stat()
            logo_stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
        except OSError:
            logo_stamp = "missing"
    context = "\x1f".join(
        (
            ticket.provider_name,
            ticket.provider_cnpj,
            logo,
            logo_stamp,
            ticket.client_name,
            ticket.client_document,
            ticket.location,
            ticket.address,
        )
    )
    extra = hashlib.sha256(context.encode()).hexdigest()[:16]
    return f"{ticket.content_hash or 'sem-hash'}-v{VERSION}-{extra}"


def render_cached(ticket: TicketData, tz: tzinfo, cache_dir: Path) -> bytes:
    """The ticket's PDF from the disk cache, rendering and storing it on a miss."""
    path = cache_dir / f"{cache_key(ticket)}.pdf"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = render(ticket, tz, photo_cache=cache_dir / "fotos")
    _write_atomic(path, data)
    return data


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)  # readers never see half a file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ticket_photo(photo: TicketPhoto, photo_cache: Path | None) -> Path:
    """The file to embed for ``photo``: the stored one, or its smaller ticket copy."""
    if photo_cache is None or photo.path.stat().st_size <= PHOTO_BUDGET:
        return photo.path
    target = photo_cache / f"{photo.path.stem}-{PHOTO_RENDITION}.jpg"
    if target.is_file():
        return target
    with Image.open(photo.path) as source:
        source.draft("RGB", (PHOTO_LONG_SIDE, PHOTO_LONG_SIDE))
        image = source.convert("RGB")
        image.thumbnail((PHOTO_LONG_SIDE, PHOTO_LONG_SIDE), Image.Resampling.BILINEAR)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=PHOTO_QUALITY, optimize=True)
    data = out.getvalue()
    if len(data) >= photo.path.stat().st_size:
        return photo.path
    _write_atomic(target, data)
    return target


def _quantity(ticket: TicketData) -> str:
    if not ticket.quantity:
        return ""
    try:
        text = format_quantity(ticket.quantity)
    except DomainError:
        text = ticket.quantity
    return f"{text} {ticket.unit}".strip()


def _document(text: str) -> str:
    try:
        return format_document(text)
    except DomainError:
        return text


def receiver_lines(ticket: TicketData) -> list[str]:
    """What the ticket says about who received the driver, refusals included."""
    lines = [f"Recebido por: {ticket.received_by or 'não informado'}"]
    cpf = (ticket.received_by_cpf or "").strip()
    if cpf == "0":
        lines.append("CPF: recusou-se a informar")
    elif cpf:
        try:
            lines.append(f"CPF: {mask_cpf(cpf)}")
        except DomainError:
            lines.append("CPF: inválido")
    if ticket.refusal:
        lines.append(f"Recusa registrada: {ticket.refusal}")
    if ticket.signature is None:
        lines.append("Sem assinatura")
    return lines


_font_lock = threading.Lock()
_font_files: dict[str, str] = {}


def _font(source: Path) -> str:
    """A subset copy of ``source`` (see :data:`CHARSET`), made once per process."""
    with _font_lock:
        made = _font_files.get(str(source))
        if made is not None and Path(made).is_file():
            return made
        options = subset.Options()
        options.layout_features = []
        options.hinting = False
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.drop_tables = [*options.drop_tables, "FFTM"]
        font = TTFont(str(source))
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=CHARSET)
        subsetter.subset(font)
        folder = Path(tempfile.mkdtemp(prefix="espaco-fonts-"))
        target = folder / source.name
        font.save(str(target))
        _font_files[str(source)] = str(target)
        return str(target)


class _Ticket(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=7)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"Página {self.page_no()}/{{nb}}", align="C")


def render(ticket: TicketData, tz: tzinfo, *, photo_cache: Path | None = None) -> bytes:
    """The ticket as PDF bytes; ``photo_cache`` is where ticket copies of big photos are kept
    (None embeds the stored photos as they are)."""
    pdf = _Ticket(format="A4", unit="mm")
    pdf.set_title(f"Ticket de coleta {ticket.number}")
    pdf.set_author(ticket.provider_name)
    pdf.set_creator("Espaço do Cliente")
    pdf.set_margins(14, 12, 14)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font("DejaVu", "", _font(FONT_REGULAR))
    pdf.add_font("DejaVu", "B", _font(FONT_BOLD))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    # -- header: provider ----------------------------------------------------------------------
    top = pdf.get_y()
    text_x = pdf.l_margin
    if ticket.provider_logo and Path(ticket.provider_logo).is_file():
        pdf.image(ticket.provider_logo, x=pdf.l_margin, y=top, h=14)
        text_x = pdf.l_margin + 34
    pdf.set_xy(text_x, top)
    pdf.set_font("DejaVu", "B", 13)
    pdf.set_text_color(*GREEN)
    pdf.cell(0, 7, ticket.provider_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(text_x)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(*GREY)
    if ticket.provider_cnpj:
        pdf.cell(0, 5, f"CNPJ {_document(ticket.provider_cnpj)}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + 15))
    pdf.set_draw_color(*GREEN)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(3)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(0, 8, f"Ticket de coleta nº {ticket.number}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)

    # -- the collection ------------------------------------------------------------------------
    fields = [
        ("Cliente", f"{ticket.client_name} · {_document(ticket.client_document)}"),
        ("Local", f"{ticket.location} — {ticket.address}" if ticket.address else ticket.location),
        ("Agendada para", format_date(ticket.scheduled_on) if ticket.scheduled_on else "—"),
        (
            "Realizada em",
            format_datetime(ticket.performed_at, tz) if ticket.performed_at else "—",
        ),
        ("Situação", STATUS_LABELS.get(ticket.status, ticket.status)),
        ("Serviço", ticket.service),
        (
            "Resíduo",
            " · ".join(
                x
                for x in (
                    ticket.waste_description,
                    f"Classe {ticket.waste_class}" if ticket.waste_class else "",
                    f"IBAMA {ticket.waste_ibama_code}" if ticket.waste_ibama_code else "",
                )
                if x
            )
            or "—",
        ),
        ("Quantidade", _quantity(ticket) or "—"),
        (
            "MTR/SINIR",
            (ticket.mtr_number or "—")
            + (f" ({ticket.mtr_status})" if ticket.mtr_number and ticket.mtr_status else ""),
        ),
        ("Motorista", ticket.driver or "—"),
        ("Placa do veículo", ticket.vehicle_plate or "—"),
        ("Observações", ticket.notes or "—"),
    ]
    label_w = 34
    for label, value in fields:
        pdf.set_font("DejaVu", "B", 9)
        pdf.set_text_color(*GREY)
        pdf.cell(label_w, 5.5, label)
        pdf.set_font("DejaVu", "", 9.5)
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(width - label_w, 5.5, value, new_x="LMARGIN", new_y="NEXT")

    # -- photos, two a row ---------------------------------------------------------------------
    if ticket.photos:
        _section(pdf, "Fotos")
        gap = 4
        box_w = (width - gap) / 2
        box_h = 62
        for start in range(0, len(ticket.photos), 2):
            pair = ticket.photos[start : start + 2]
            if pdf.get_y() + box_h + 10 > pdf.page_break_trigger:
                pdf.add_page()
            y = pdf.get_y()
            for i, photo in enumerate(pair):
                x = pdf.l_margin + i * (box_w + gap)
                scale = min(box_w / max(photo.width, 1), box_h / max(photo.height, 1))
                w, h = photo.width * scale, photo.height * scale
                pdf.image(
                    str(ticket_photo(photo, photo_cache)), x=x + (box_w - w) / 2, y=y, w=w, h=h
                )
                pdf.set_xy(x, y + box_h + 1)
                pdf.set_font("DejaVu", "", 7.5)
                pdf.set_text_color(*GREY)
                pdf.multi_cell(box_w, 3.6, _caption(photo, tz), align="C")
            pdf.set_y(y + box_h + 10)
            pdf.set_text_color(0, 0, 0)

    # -- who received the driver ---------------------------------------------------------------
    if pdf.get_y() + 45 > pdf.page_break_trigger:
        pdf.add_page()
    _section(pdf, "Recebimento")
    pdf.set_font("DejaVu", "", 9.5)
    for line in receiver_lines(ticket):
        pdf.multi_cell(width, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    if ticket.signature is not None:
        pdf.ln(1)
        y = pdf.get_y()
        pdf.image(str(ticket.signature), x=pdf.l_margin, y=y, h=22)
        pdf.set_y(y + 23)
        pdf.set_draw_color(*GREY)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + 80, pdf.get_y())
        pdf.set_font("DejaVu", "", 7.5)
        pdf.set_text_color(*GREY)
        pdf.cell(80, 4, "Assinatura", align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _section(pdf: FPDF, title: str) -> None:
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.set_text_color(*GREEN)
    pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _caption(photo: TicketPhoto, tz: tzinfo) -> str:
    parts = [STAGE_LABELS.get(photo.stage, photo.stage)]
    if photo.taken_at is not None:
        parts.append(format_datetime(photo.taken_at, tz))
    if photo.latitude is not None and photo.longitude is not None:
        parts.append(f"GPS {photo.latitude:.5f}, {photo.longitude:.5f}")
    return " · ".join(parts)
