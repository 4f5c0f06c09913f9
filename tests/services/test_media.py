"""Media storage: what a file is comes from its bytes; renditions made once, stored once."""

from __future__ import annotations

import io
import os
import zlib
from pathlib import Path

import pytest
from import_samples import image_bytes
from PIL import Image, ImageDraw

from espaco.services.operations import media
from espaco.services.operations.media import MediaError, MediaStore, media_path


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


def _open(store: MediaStore, rel: str) -> Image.Image:
    return Image.open(store.root / rel)


def test_a_photo_is_shrunk_to_960_and_stored_as_progressive_jpeg(store):
    stored = store.store_photo(image_bytes((4000, 3000), "PNG"))
    assert (stored.width, stored.height) == (960, 720)
    assert stored.path == f"{stored.sha256[:2]}/{stored.sha256}.jpg"
    with _open(store, stored.path) as image:
        assert image.format == "JPEG" and image.size == (960, 720)
        assert image.info.get("progressive") or image.info.get("progression")
        assert "exif" not in image.info


def test_exif_orientation_is_applied_and_the_exif_dropped(store):
    image = Image.open(io.BytesIO(image_bytes((2000, 1000))))
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    stored = store.store_photo(out.getvalue())
    assert (stored.width, stored.height) == (480, 960)
    with _open(store, stored.path) as result:
        assert not result.getexif()


def test_small_photos_are_not_enlarged_and_webp_is_accepted(store):
    stored = store.store_photo(image_bytes((640, 480), "WEBP"))
    assert (stored.width, stored.height) == (640, 480)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"just some text, named foto.jpg\n", "file_type"),
        (image_bytes((50, 50), "GIF"), "file_type"),
        (b"%PDF-1.4\n%%EOF", "file_type"),
        (image_bytes((400, 300))[:1653], "file_invalid"),  # cut after the header
    ],
)
def test_what_is_not_a_jpeg_png_or_webp_photo_is_refused(store, data, code):
    with pytest.raises(MediaError) as error:
        store.store_photo(data)
    assert error.value.code == code


def test_photos_over_15_mb_are_refused(store, monkeypatch):
    monkeypatch.setattr(media, "MAX_PHOTO_BYTES", 1000)
    with pytest.raises(MediaError) as error:
        store.store_photo(image_bytes((400, 300), "PNG"))
    assert error.value.code == "file_too_large"


def _png_of(width: int, height: int) -> bytes:
    """A valid PNG header for a huge image whose (tiny) data would inflate to gigabytes."""
    import struct

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_refused_before_decoding(store):
    with pytest.raises(MediaError) as error:
        store.store_photo(_png_of(30_000, 30_000))
    assert error.value.code == "file_too_large"
    with pytest.raises(MediaError) as error:
        store.store_signature(_png_of(9_000, 8_000))
    assert error.value.code == "file_too_large"


def test_the_same_content_lands_on_the_same_path_and_is_not_rewritten(tmp_path):
    data = image_bytes((1600, 1200))
    first = MediaStore(tmp_path / "media").store_photo(data)
    target = tmp_path / "media" / first.path
    os.utime(target, (1, 1))
    inode = target.stat().st_ino
    second = MediaStore(tmp_path / "media").store_photo(data)
    assert second == first
    assert target.stat().st_ino == inode  # not rewritten (a rewrite replaces the file)...
    assert target.stat().st_mtime > 1  # ...but marked recent for `espaco media prune`
    leftovers = [p for p in (tmp_path / "media").rglob("*") if p.name.startswith(".tmp")]
    assert leftovers == []


def test_one_store_decodes_a_shared_source_once(store, monkeypatch):
    calls = []
    real = media._photo
    monkeypatch.setattr(media, "_photo", lambda data: calls.append(1) or real(data))
    data = image_bytes((900, 700))
    assert store.store_photo(data) == store.store_photo(data)
    assert len(calls) == 1


def test_a_signature_is_flattened_on_white_as_a_small_greyscale_jpeg(store):
    drawing = Image.new("RGBA", (1600, 600), (0, 0, 0, 0))
    ImageDraw.Draw(drawing).line((100, 300, 1500, 340), fill=(0, 0, 80, 255), width=6)
    out = io.BytesIO()
    drawing.save(out, "PNG")
    stored = store.store_signature(out.getvalue())
    assert stored.path.endswith(".jpg") and (stored.width, stored.height) == (800, 300)
    with _open(store, stored.path) as image:
        assert image.format == "JPEG" and image.mode == "L"  # embedded in the ticket as it is
        grey = image
        assert grey.getpixel((0, 0)) == 255  # transparent became white, not black
        assert grey.getextrema()[0] < 100  # the ink is still there
    assert (store.root / stored.path).stat().st_size < 20_000


def test_documents_are_stored_as_given_when_their_bytes_say_what_they_are(store):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
    rel = store.store_document(pdf, "pdf")
    assert rel.endswith(".pdf") and (store.root / rel).read_bytes() == pdf
    xml = b'<?xml version="1.0" encoding="UTF-8"?><nfeProc><chave>3526</chave></nfeProc>'
    assert (store.root / store.store_document(xml, "xml")).read_bytes() == xml
    with pytest.raises(MediaError) as error:
        store.store_document(b"<html>not a pdf</html>", "pdf")
    assert error.value.code == "file_type"
    with pytest.raises(MediaError) as error:
        store.store_document(b"<a><b></a>", "xml")
    assert error.value.code == "file_type"


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        b'<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>',
        b'<?xml version="1.0"?>\n<!doctype x SYSTEM "http://example.com/x.dtd"><x/>',
    ],
)
def test_xml_with_doctype_or_entities_is_refused(store, xml):
    with pytest.raises(MediaError) as error:
        store.store_document(xml, "xml")
    assert error.value.code == "file_invalid"


def test_media_path_refuses_anything_outside_the_media_dir(settings):
    store = MediaStore(settings.media_dir)
    rel = store.store_photo(image_bytes((100, 100)))
    assert media_path(settings, rel.path) == (settings.media_dir / rel.path).resolve()
    name = "a" * 64
    for bad in ("../secret_key", "/etc/passwd", f"ab/../../{name}.jpg", f"ab\\{name}.jpg",
                f"ab/{name}.exe", "", f"ab/{name}.jpg\x00"):  # fmt: skip
        with pytest.raises(MediaError):
            media_path(settings, bad)
