"""The ticket PDF: what it says for each receiver case, its images, its size, its cache."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw, ImageFilter
from pypdf import PdfReader

from espaco.pdf.ticket import TicketData, TicketPhoto, cache_key, render, render_cached
from espaco.services.operations.media import MediaStore

TZ = ZoneInfo("America/Sao_Paulo")


def _noisy_photo(seed: int) -> bytes:
    """A phone-like photo: fine detail everywhere (its 960 px rendition is ~100 KB)."""
    noise = Image.effect_noise((3000, 2250), 80 + seed).convert("RGB")
    noise = noise.filter(ImageFilter.GaussianBlur(1.5))
    gradient = Image.linear_gradient("L").resize((3000, 2250)).convert("RGB")
    image = Image.blend(noise, gradient, 0.4)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _signature() -> bytes:
    image = Image.new("RGBA", (1600, 500), (0, 0, 0, 0))
    ImageDraw.Draw(image).line((40, 420, 1500, 60), fill=(0, 0, 0, 255), width=9)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list, Path]:
    root = tmp_path_factory.mktemp("media")
    store = MediaStore(root)
    photos = [store.store_photo(_noisy_photo(i)) for i in range(4)]
    signature = store.store_signature(_signature())
    return root, photos, root / signature.path


def ticket(media, **changes) -> TicketData:
    root, photos, signature = media
    base = TicketData(
        number="COL-000123",
        content_hash="a" * 64,
        provider_name="Verde Campo Ambiental Ltda",
        provider_cnpj="11222333000181",
        provider_logo="",
        client_name="Padaria Pão Quente Ltda",
        client_document="12ABC34501DE35",
        location="Matriz",
        address="Rua das Flores, 120, Centro, Campinas/SP, CEP 13010-050",
        scheduled_on=date(2026, 10, 5),
        performed_at=datetime(2026, 10, 5, 12, 32, tzinfo=UTC),
        status="validated",
        service="Troca de caçamba 5 m³",
        waste_description="Resíduo de construção civil",
        waste_class="II-B",
        waste_ibama_code="17 09 04",
        quantity="1234.5",
        unit="kg",
        mtr_number="260010679516",
        mtr_status="Recebido",
        driver="José da Silva",
        vehicle_plate="ABC1D23",
        notes="Caçamba retirada sem excesso — portão lateral.",
        received_by="Maria Souza",
        received_by_cpf="12345678909",
        refusal=None,
        signature=signature,
        photos=[
            TicketPhoto(
                stage="before" if i < 2 else "after",
                path=root / p.path,
                width=p.width,
                height=p.height,
                taken_at=datetime(2026, 10, 5, 12, 20 + i, tzinfo=UTC),
                latitude=-22.90556 if i != 3 else None,
                longitude=-47.06083 if i != 3 else None,
            )
            for i, p in enumerate(photos)
        ],
    )
    return replace(base, **changes)


def read(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text, sum(len(page.images) for page in reader.pages)


def test_signed_ticket_shows_everything_and_masks_the_cpf(media):
    data = render(ticket(media), TZ)
    text, images = read(data)
    for expected in (
        "Verde Campo Ambiental Ltda",
        "CNPJ 11.222.333/0001-81",
        "Ticket de coleta nº COL-000123",
        "Padaria Pão Quente Ltda",
        "12.ABC.345/01DE-35",
        "Rua das Flores, 120",
        "05/10/2026",
        "05/10/2026 09:32",  # performed, in the provider's zone
        "Troca de caçamba 5 m³",
        "Classe II-B",
        "1.234,5 kg",
        "260010679516 (Recebido)",
        "José da Silva",
        "ABC1D23",
        "portão lateral",
        "Maria Souza",
        "***.456.789-**",
        "Antes · 05/10/2026 09:20 · GPS -22.90556, -47.06083",
        "Depois · 05/10/2026 09:23",
        "Assinatura",
    ):
        assert expected in text, expected
    assert "12345678909" not in text and "123.456.789-09" not in text
    assert "Sem assinatura" not in text
    assert images == 5


def test_four_photos_and_a_signature_stay_under_600_kb(media, tmp_path):
    t = ticket(media)
    data = render_cached(t, TZ, tmp_path)
    assert len(data) <= 600 * 1024
    assert read(data)[1] == 5
    assert [p.name for p in tmp_path.iterdir()] == [f"{cache_key(t)}.pdf"]  # no photo copies


def test_photos_are_stored_downscaled_so_the_render_embeds_them_as_they_are(media, monkeypatch):
    t = ticket(media)
    assert t.photos
    for photo in t.photos:  # 3000 x 2250 sources
        with Image.open(photo.path) as stored:
            assert max(stored.size) <= 960 and stored.size == (photo.width, photo.height)

    def no_resizing(*args, **kwargs):
        raise AssertionError("the ticket resized an image")

    monkeypatch.setattr(Image.Image, "resize", no_resizing)
    monkeypatch.setattr(Image.Image, "thumbnail", no_resizing)
    monkeypatch.setattr(Image.Image, "save", no_resizing)
    reader = PdfReader(io.BytesIO(render(t, TZ)))
    monkeypatch.undo()
    embedded = sorted(
        xobject.get_object().get_data()
        for page in reader.pages
        for xobject in page["/Resources"]["/XObject"].values()
    )
    stored = sorted(p.read_bytes() for p in [*(x.path for x in t.photos), t.signature])
    assert embedded == stored  # the stored JPEG bytes, not a re-encoding


def test_text_outside_the_core_font_is_transliterated_not_a_crash(media):
    data = render(
        ticket(
            media,
            client_name="Łódź Zoë Őrség Ltda 李",
            driver="Ğürkan\tÖzil",
            notes="Sacos → caçamba ≤ 5 m³ 🚛, “tudo” ok\x00 • fim",
            photos=[],
        ),
        TZ,
    )
    text, _ = read(data)
    assert "Lódz Zoë Orség Ltda ?" in text  # ó is in cp1252, Ł and ź are not
    assert "Gürkan Özil" in text
    assert "Sacos -> caçamba <= 5 m³ ?, “tudo” ok  • fim" in text


def test_long_notes_wrap_and_continue_on_the_next_page(media):
    notes = " ".join(f"palavra{i}" for i in range(900)) + " " + "x" * 300
    text, images = read(render(ticket(media, notes=notes), TZ))
    flat = text.replace("\n", " ")
    assert "palavra0 palavra1" in flat and "palavra899" in flat
    assert flat.count("x") >= 300  # a word longer than a line is cut, not lost
    assert "Assinatura" in text and images == 5
    assert len(PdfReader(io.BytesIO(render(ticket(media, notes=notes), TZ))).pages) >= 3


def test_receiver_who_refused_the_cpf(media):
    text, images = read(render(ticket(media, received_by_cpf="0"), TZ))
    assert "CPF: recusou-se a informar" in text and images == 5


def test_refusal_without_signature(media):
    data = render(
        ticket(media, signature=None, refusal="Responsável recusou-se a assinar", photos=[]), TZ
    )
    text, images = read(data)
    assert "Recusa registrada: Responsável recusou-se a assinar" in text
    assert "Sem assinatura" in text and "Assinatura\n" not in text
    assert images == 0


def test_cpf_zero_refusal_and_no_signature_together(media):
    data = render(ticket(media, received_by_cpf="0", refusal="Recusou", signature=None), TZ)
    text, images = read(data)
    assert "recusou-se a informar" in text and "Recusa registrada: Recusou" in text
    assert "Sem assinatura" in text and images == 4


def test_logo_is_drawn_when_configured(media, tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 120), (23, 107, 69)).save(logo)
    _, images = read(render(ticket(media, provider_logo=str(logo), photos=[]), TZ))
    assert images == 2  # logo and signature


def test_cache_is_keyed_by_content_and_context(media, tmp_path):
    t = ticket(media, photos=[])
    first = render_cached(t, TZ, tmp_path)
    assert render_cached(t, TZ, tmp_path) == first
    assert cache_key(replace(t, content_hash="b" * 64)) != cache_key(t)
    assert cache_key(replace(t, provider_name="Outra")) != cache_key(t)
    assert cache_key(replace(t, address="Outra rua")) != cache_key(t)
    assert len(list(tmp_path.glob("*.pdf"))) == 1
