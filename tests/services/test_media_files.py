"""The media store behind one interface: the store works on any ``MediaFiles`` (an object store
would be one more), the folder refuses paths that leave it, and no other module reaches into
the media folder on its own."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from espaco.services.operations.media import (
    FolderMedia,
    MediaEntry,
    MediaError,
    MediaStore,
    media_files,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "espaco"


class MemoryMedia:
    """A MediaFiles kept in a dict: what an object store's class would look like."""

    def __init__(self, scratch: Path) -> None:
        self.blobs: dict[str, bytes] = {}
        self.touched: list[str] = []
        self.scratch = scratch

    def exists(self, rel: str) -> bool:
        return rel in self.blobs

    def read(self, rel: str) -> bytes:
        return self.blobs[rel]

    def write(self, rel: str, data: bytes) -> None:
        self.blobs[rel] = data

    def touch(self, rel: str) -> None:
        self.touched.append(rel)

    def local_path(self, rel: str) -> Path:
        path = self.scratch / rel.replace("/", "_")
        path.write_bytes(self.blobs[rel])
        return path

    def entries(self) -> Iterator[MediaEntry]:
        for rel, data in self.blobs.items():
            yield MediaEntry(rel, len(data), 0.0)

    def delete(self, rel: str) -> None:
        self.blobs.pop(rel, None)


def _jpeg(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(out, "JPEG")
    return out.getvalue()


def test_the_store_writes_through_any_media_files(tmp_path: Path) -> None:
    memory = MemoryMedia(tmp_path)
    pdf = b"%PDF-1.4 uma nota"
    rel = MediaStore(memory).store_document(pdf, "pdf")
    assert memory.read(rel) == pdf
    photo = MediaStore(memory).store_photo(_jpeg((2000, 1000)))
    assert (photo.width, photo.height) == (960, 480)
    assert Image.open(io.BytesIO(memory.read(photo.path))).size == (960, 480)
    # A later import finds the rendition there: it marks it recent and reads its size back.
    again = MediaStore(memory).store_photo(_jpeg((2000, 1000)))
    assert again == photo and memory.touched == [photo.path]
    assert not list(tmp_path.glob("*/*")), "nothing was written to a folder"


def test_the_folder_refuses_paths_that_leave_it(tmp_path: Path) -> None:
    folder = FolderMedia(tmp_path / "media")
    rel = MediaStore(folder).store_document(b"%PDF-1.4 x", "pdf")
    assert folder.read(rel) == b"%PDF-1.4 x"
    assert [entry.rel for entry in folder.entries()] == [rel]
    for bad in ("../segredo.pdf", "/etc/passwd", "ab/../../x.pdf", "ab/" + "0" * 64 + ".exe"):
        with pytest.raises(MediaError):
            folder.read(bad)
        with pytest.raises(MediaError):
            folder.local_path(bad)


def test_settings_pick_the_folder_media(settings) -> None:  # type: ignore[no-untyped-def]
    files = media_files(settings)
    assert isinstance(files, FolderMedia) and files.root == settings.media_dir
    shutil.rmtree(settings.media_dir, ignore_errors=True)
    assert list(files.entries()) == []


def test_no_module_reaches_into_the_media_folder_but_the_store() -> None:
    # The backup copies the folder whole (with an object store, the store's own replication
    # is the backup); every other reader and writer goes through services/operations/media.py.
    allowed = {"services/operations/media.py", "services/operations/backup.py", "settings.py"}
    offenders = [
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if path.relative_to(SRC).as_posix() not in allowed
        and re.search(r"\bmedia_dir\b", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
