"""Ticket PDF speed and size: four phone-like photos and a signature, against a bare one-page
fpdf2 document rendered in the same run (absolute times drift up to 2x between runs here).

    python bench/ticket.py [--runs 30]

Prints the median and p95 of a full render (the photos as the importer stored them, downscaled
once on import: rendering never resizes), of the first render in the process, of a cached ticket
read back, and of the bare document, with the ratio and the PDF's size.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter

from espaco.pdf.ticket import TicketData, TicketPhoto, render, render_cached
from espaco.services.operations.media import MediaStore

TZ = ZoneInfo("America/Sao_Paulo")


def phone_photo(seed: int) -> bytes:
    noise = Image.effect_noise((4000, 3000), 80 + seed).convert("RGB")
    noise = noise.filter(ImageFilter.GaussianBlur(1.5))
    gradient = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    out = io.BytesIO()
    Image.blend(noise, gradient, 0.4).save(out, "JPEG", quality=90)
    return out.getvalue()


def signature() -> bytes:
    image = Image.new("RGBA", (1600, 500), (0, 0, 0, 0))
    ImageDraw.Draw(image).line((40, 420, 1500, 60), fill=(0, 0, 0, 255), width=9)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def bare() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Ticket")
    return bytes(pdf.output())


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def describe(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"{name:<28} median {statistics.median(ms):7.2f} ms   p95 {p95:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = MediaStore(root / "media")
        stored = [store.store_photo(phone_photo(i)) for i in range(4)]
        sig = store.store_signature(signature())
        ticket = TicketData(
            number="COL-000123", content_hash="a" * 64,
            provider_name="Verde Campo Ambiental Ltda", provider_cnpj="11222333000181",
            provider_logo="", client_name="Padaria Pão Quente Ltda",
            client_document="12ABC34501DE35", location="Matriz",
            address="Rua das Flores, 120, Centro, Campinas/SP, CEP 13010-050",
            scheduled_on=date(2026, 10, 5), performed_at=datetime(2026, 10, 5, 12, 32, tzinfo=UTC),
            status="validated", service="Troca de caçamba 5 m³",
            waste_description="Resíduo de construção civil", waste_class="II-B",
            waste_ibama_code="17 09 04", quantity="5", unit="m3", mtr_number="260010679516",
            mtr_status="Recebido", driver="José da Silva", vehicle_plate="ABC1D23",
            notes="Caçamba retirada sem excesso.", received_by="Maria Souza",
            received_by_cpf="12345678909", refusal=None, signature=root / "media" / sig.path,
            photos=[
                TicketPhoto("before" if i < 2 else "after", root / "media" / p.path, p.width,
                            p.height, datetime(2026, 10, 5, 12, 20 + i, tzinfo=UTC),
                            -22.90556, -47.06083)
                for i, p in enumerate(stored)
            ],
        )  # fmt: skip
        bare()
        start = time.perf_counter()
        render(ticket, TZ)
        first = (time.perf_counter() - start) * 1000
        ticket_ms = timed(lambda: render(ticket, TZ), runs)
        bare_ms = timed(bare, runs)
        render_cached(ticket, TZ, root / "cache")
        cached_ms = timed(lambda: render_cached(ticket, TZ, root / "cache"), runs)
        size = len(render(ticket, TZ))
        stored_kb = sum(p.path.stat().st_size for p in ticket.photos) / 1024
        long_side = max(max(p.width, p.height) for p in ticket.photos)
        print(f"photos as stored ({long_side} px): {stored_kb:.0f} KB for four")
        print(f"first render in this process: {first:.1f} ms")
        print(describe("ticket, 4 photos + signature", ticket_ms))
        print(describe("bare one-page fpdf2", bare_ms))
        print(describe("ticket read from cache", cached_ms))
        ratio = statistics.median(ticket_ms) / statistics.median(bare_ms)
        print(f"ratio ticket/bare (median): {ratio:.1f}x   (budget 10x; absolute budget 150 ms)")
        print(f"ticket size: {size / 1024:.0f} KB   (budget 600 KB)")


if __name__ == "__main__":
    main()
