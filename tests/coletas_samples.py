"""Collections for the Coletas tests, imported through the real importer (so ``event_on``,
``content_hash``, photos and signatures are what production stores)."""

from __future__ import annotations

import base64
import copy
import io
from functools import cache
from typing import Any

import import_samples as s
from PIL import Image, ImageDraw

from espaco.demo.clients import set_demo_access_code
from espaco.services.imports import import_document
from espaco.settings import Settings

NOW = s.NOW
CLIENT_A = s.cnpj(1001)  # formatted; logs in as CLI-1
CLIENT_B = s.cnpj(1002)


@cache
def _photo_b64(seed: int, size: tuple[int, int]) -> str:
    return _jpeg(seed, size)


def photo_file(seed: int = 0, size: tuple[int, int] = (1600, 1200)) -> dict[str, str]:
    return {"base64": _photo_b64(seed, size), "content_type": "image/jpeg"}


def _jpeg(seed: int, size: tuple[int, int]) -> str:
    image = Image.new("RGB", size, (40 + seed * 30 % 200, 120, 200 - seed * 20 % 150))
    draw = ImageDraw.Draw(image)
    for i in range(0, size[0], 37):  # some detail, so the JPEG is not trivially small
        draw.line((i, 0, size[0] - i, size[1]), fill=(i % 255, (i * 3) % 255, 90), width=5)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return base64.b64encode(out.getvalue()).decode()


@cache
def _signature_b64() -> str:
    image = Image.new("RGBA", (1600, 500), (0, 0, 0, 0))
    ImageDraw.Draw(image).line((40, 420, 1500, 60), fill=(0, 0, 0, 255), width=9)
    out = io.BytesIO()
    image.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def signature_file() -> dict[str, str]:
    return {"base64": _signature_b64(), "content_type": "image/png"}


def collection(n: int, client: str = "CLI-1", location: str = "LOC-1", **changes: Any):
    return s.collection(n, client, location, **changes)


def with_photos(record: dict[str, Any], count: int = 4, *, gps: bool = True) -> dict[str, Any]:
    record = copy.deepcopy(record)
    photos = []
    for i in range(count):
        photo: dict[str, Any] = {
            "stage": "before" if i < count / 2 else "after",
            **photo_file(i),
            "taken_at": f"2026-10-05T09:{20 + i:02d}:00-03:00",
        }
        if gps:
            photo.update(latitude=-22.90556, longitude=-47.06083)
        photos.append(photo)
    record["photos"] = photos
    record["signature"] = signature_file()
    return record


def clients() -> list[dict[str, Any]]:
    second = s.location(3, label="Filial Norte", city="Sumaré")
    return [s.client(1, locations=[s.location(1), second]), s.client(2)]


async def seed(settings: Settings, doc: dict[str, Any]) -> None:
    result = await import_document(doc, settings, base_dir=None, now=NOW)
    assert result.ok, result.problems


async def login_code(external_id: str = "CLI-1") -> str:
    return await set_demo_access_code(external_id, now=NOW)
