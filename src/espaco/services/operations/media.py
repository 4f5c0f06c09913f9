"""Content-addressed storage of photos, signatures and fiscal/CDF documents under the media dir.

What a file *is* comes from its bytes, never from its name or a declared content type: Pillow
sniffs images, PDFs must start with ``%PDF-``, XML must parse (with DOCTYPE and entities
refused, so no XXE and no billion laughs).

Photos and signatures are stored as renditions made once, on import (the ticket PDF embeds them
as they are), and named after the sha256 of their *source* bytes plus the rendition version: the
same source always lands on the same path, so a re-import finds the file already there and does
not decode it again. Documents are stored as given, named after their own sha256. Every write goes
to a temporary file that is then renamed into place, so a reader never sees half a file.

Where the files live is one small interface, :class:`MediaFiles`, and every reader and writer of
media goes through it (:func:`media_files`, :func:`media_path`, :class:`MediaStore`,
``espaco media prune``). Today its one implementation is :class:`FolderMedia`: the media dir, which
several machines may share (NFS or any shared folder; see docs/deploy-scale.md). An object store
would be a second class with the same methods, chosen in :func:`media_files`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import tempfile
import warnings
import xml.etree.ElementTree as ET  # noqa: S405 - DOCTYPE/ENTITY refused before parsing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from PIL import Image, ImageOps

from espaco.domain.errors import DomainError
from espaco.private import private_dir
from espaco.settings import Settings

MAX_PHOTO_BYTES = 15 * 1024 * 1024
MAX_DOCUMENT_BYTES = 25 * 1024 * 1024
# A 48-megapixel phone photo is 48e6; past this a file is a decompression bomb, not a photo.
MAX_PIXELS = 64_000_000
# The ticket prints a photo about 88 mm wide: 960 px is ~280 dpi there, plenty to zoom into, and
# a phone photo comes out at ~60-95 KB, so four of them and a signature stay well under the
# ticket's 600 KB with no per-request resizing (the renderer embeds these files as they are).
PHOTO_LONG_SIDE = 960
PHOTO_QUALITY = 78
SIGNATURE_LONG_SIDE = 800
SIGNATURE_QUALITY = 90
IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
# Part of the name of every rendition: bump it when the rendition changes so new files are made
# (r1: photos 1280 px, signatures PNG; r2: photos 960 px, signatures greyscale JPEG).
RENDITION = "r2"

_REL_PATH = re.compile(r"[a-z0-9_]+(/[a-z0-9_]+)*/[0-9a-f]{64}\.(jpg|png|pdf|xml)")
_XML_FORBIDDEN = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


class MediaError(DomainError):
    """A file that cannot be stored: codes ``file_type``, ``file_too_large``, ``file_invalid``."""


@dataclass(frozen=True)
class StoredImage:
    """A stored rendition: its path relative to the media dir, size in pixels, and the sha256
    that names it (of the source bytes and the rendition version)."""

    path: str
    width: int
    height: int
    sha256: str


def sniff_image(data: bytes | Path) -> tuple[str, int, int]:
    """``(format, width, height)`` of a JPEG, PNG or WebP read from its header only.

    Raises ``MediaError("file_type")`` for anything else and ``"file_too_large"`` past
    ``MAX_PIXELS``.
    """
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source, formats=sorted(IMAGE_FORMATS)) as image:
                kind, (width, height) = str(image.format), image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaError("file_too_large", "Imagem com pixels demais") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaError("file_type", "Arquivo não é uma imagem JPEG, PNG ou WebP") from exc
    if kind not in IMAGE_FORMATS:
        raise MediaError("file_type", "Arquivo não é uma imagem JPEG, PNG ou WebP")
    if width * height > MAX_PIXELS:
        raise MediaError(
            "file_too_large", f"Imagem grande demais: {width}×{height} pixels (máximo 64 MP)"
        )
    return kind, width, height


def sniff_document(data: bytes, kind: Literal["pdf", "xml"]) -> None:
    """Refuse what is not a PDF (``%PDF-`` header) or well-formed XML without DOCTYPE/ENTITY."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise MediaError("file_too_large", "Arquivo maior que 25 MB")
    if kind == "pdf":
        if not data.lstrip(b"\xef\xbb\xbf")[:5] == b"%PDF-":
            raise MediaError("file_type", "Arquivo não é um PDF")
        return
    if kind != "xml":
        raise ValueError(kind)
    # Entity expansion is how XML attacks work; fiscal XML never needs a DOCTYPE.
    if _XML_FORBIDDEN.search(data):
        raise MediaError("file_invalid", "XML com DOCTYPE ou ENTITY não é aceito")
    try:
        ET.fromstring(data)  # noqa: S314 - DOCTYPE/ENTITY refused above
    except ET.ParseError as exc:
        raise MediaError("file_type", f"Arquivo não é um XML válido: {exc}") from exc


@dataclass(frozen=True)
class MediaEntry:
    """A stored file as a listing sees it."""

    rel: str  # the path relative to the media root, with "/" separators
    size: int
    mtime: float  # last written or marked recent (:meth:`MediaFiles.touch`), POSIX seconds


class MediaFiles(Protocol):
    """Where media files live, addressed by the relative path a row stores (``ab/<sha256>.jpg``).

    Writes are whole and atomic (a reader sees the old file or the new, never half of one); names
    are content hashes, so a file once written never changes.
    """

    def exists(self, rel: str) -> bool: ...
    def read(self, rel: str) -> bytes: ...
    def write(self, rel: str, data: bytes) -> None: ...
    def touch(self, rel: str) -> None:
        """Mark a reused file as recent, so ``espaco media prune`` spares it."""
        ...

    def local_path(self, rel: str) -> Path:
        """A local file with the contents, for libraries that open paths (fpdf2, Pillow)."""
        ...

    def entries(self) -> Iterator[MediaEntry]: ...
    def delete(self, rel: str) -> None: ...


class FolderMedia:
    """:class:`MediaFiles` in a folder of this machine, or one that several share (NFS)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, rel: str) -> Path:
        """The file ``rel`` names, refusing anything that could leave the root."""
        if not isinstance(rel, str) or not _REL_PATH.fullmatch(rel):
            raise MediaError("file_path", "Caminho de mídia inválido")
        root = self.root.resolve()
        path = (root / rel).resolve()
        if not path.is_relative_to(root):
            raise MediaError("file_path", "Caminho de mídia inválido")
        return path

    def exists(self, rel: str) -> bool:
        return (self.root / rel).is_file()

    def read(self, rel: str) -> bytes:
        return self._path(rel).read_bytes()

    def write(self, rel: str, data: bytes) -> None:
        _write_atomic(self.root / rel, data)

    def touch(self, rel: str) -> None:
        _touch(self.root / rel)

    def local_path(self, rel: str) -> Path:
        return self._path(rel)

    def entries(self) -> Iterator[MediaEntry]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            stat = path.stat()
            yield MediaEntry(path.relative_to(self.root).as_posix(), stat.st_size, stat.st_mtime)

    def delete(self, rel: str) -> None:
        (self.root / rel).unlink(missing_ok=True)


def media_files(settings: Settings) -> MediaFiles:
    """The media of this portal. The one place that would choose an object store."""
    return FolderMedia(settings.media_dir)


def media_path(settings: Settings, rel: str) -> Path:
    """The local file a stored relative path names, refusing anything that could leave the
    media dir (``MediaError("file_path")``)."""
    return media_files(settings).local_path(rel)


class MediaStore:
    """Stores files in a :class:`MediaFiles` (a media dir given as a path: :class:`FolderMedia`);
    remembers what it stored by source sha256, so a file that a hundred records share is decoded
    and written once per store (one per import)."""

    def __init__(self, media: Path | MediaFiles, *, keep_originals: bool = False) -> None:
        self.files: MediaFiles = FolderMedia(media) if isinstance(media, Path | str) else media
        self.root = getattr(self.files, "root", None)  # a folder's path, for tests and tools
        self.keep_originals = keep_originals
        self._images: dict[tuple[str, str], StoredImage] = {}
        self._documents: dict[str, str] = {}

    @classmethod
    def for_settings(cls, settings: Settings) -> MediaStore:
        return cls(media_files(settings), keep_originals=settings.keep_original_photos)

    # -- images -------------------------------------------------------------------------------
    def store_photo(self, data: bytes) -> StoredImage:
        """A photo as the ticket shows it: EXIF orientation applied, long side ≤ 960 px,
        progressive JPEG quality 78 without metadata. JPEG, PNG or WebP up to 15 MB."""
        return self._store_image(data, "photo")

    def store_signature(self, data: bytes) -> StoredImage:
        """A drawn signature: flattened on white, long side ≤ 800 px, a small greyscale JPEG."""
        return self._store_image(data, "signature")

    def _store_image(self, data: bytes, purpose: Literal["photo", "signature"]) -> StoredImage:
        digest = hashlib.sha256(data).hexdigest()
        cached = self._images.get((purpose, digest))
        if cached is not None:
            return cached
        if len(data) > MAX_PHOTO_BYTES:
            raise MediaError("file_too_large", "Imagem maior que 15 MB")
        kind, _, _ = sniff_image(data)
        name = hashlib.sha256(f"{purpose}:{RENDITION}:{digest}".encode()).hexdigest()
        ext = "jpg"
        rel = f"{name[:2]}/{name}.{ext}"
        if self.files.exists(rel):  # made by an earlier import: read its size from the header
            self.files.touch(rel)
            with Image.open(self.files.local_path(rel)) as existing:
                width, height = existing.size
        else:
            rendition = _photo(data) if purpose == "photo" else _signature(data)
            width, height = rendition[1], rendition[2]
            self.files.write(rel, rendition[0])
        if purpose == "photo" and self.keep_originals:
            original = (
                f"originals/{digest[:2]}/{digest}.{'jpg' if kind == 'JPEG' else kind.lower()}"
            )
            if self.files.exists(original):
                self.files.touch(original)
            else:
                self.files.write(original, data)
        stored = StoredImage(rel, width, height, name)
        self._images[(purpose, digest)] = stored
        return stored

    # -- documents ----------------------------------------------------------------------------
    def store_document(self, data: bytes, kind: Literal["pdf", "xml"]) -> str:
        """Store a fiscal/CDF PDF or XML as given; return its path relative to the media dir."""
        digest = hashlib.sha256(data).hexdigest()
        cached = self._documents.get(digest)
        if cached is not None and cached.endswith(kind):
            return cached
        sniff_document(data, kind)
        rel = f"{digest[:2]}/{digest}.{kind}"
        if self.files.exists(rel):
            self.files.touch(rel)
        else:
            self.files.write(rel, data)
        self._documents[digest] = rel
        return rel


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data), formats=sorted(IMAGE_FORMATS))
    return image


def _decode(data: bytes, long_side: int) -> Image.Image:
    """Open, check the size from the header, then decode (JPEG straight at a reduced scale)."""
    sniff_image(data)
    image = _open(data)
    try:
        if image.format == "JPEG":
            # Decoding at 1/2, 1/4 or 1/8 scale: less time and memory for big phone photos.
            image.draft("RGB", (long_side, long_side))
        image.load()
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaError("file_invalid", "Imagem corrompida ou incompleta") from exc
    return image


def _shrink(image: Image.Image, long_side: int) -> Image.Image:
    if max(image.size) > long_side:
        image.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    return image


def _photo(data: bytes) -> tuple[bytes, int, int]:
    image = _decode(data, PHOTO_LONG_SIDE)
    # A broken EXIF block: keep the pixels as they are.
    with contextlib.suppress(OSError, SyntaxError, ValueError):
        image = ImageOps.exif_transpose(image) or image
    if image.mode != "RGB":
        image = _flatten(image) if _has_alpha(image) else image.convert("RGB")
    image = _shrink(image, PHOTO_LONG_SIDE)
    out = io.BytesIO()
    # No exif= argument: the rendition carries no metadata (GPS, device) from the original.
    image.save(out, "JPEG", quality=PHOTO_QUALITY, optimize=True, progressive=True)
    return out.getvalue(), image.width, image.height


def _signature(data: bytes) -> tuple[bytes, int, int]:
    image = _decode(data, SIGNATURE_LONG_SIDE * 2)
    image = _flatten(image).convert("L")
    image = _shrink(image, SIGNATURE_LONG_SIDE)
    out = io.BytesIO()
    # A greyscale JPEG, not a PNG: fpdf2 embeds a JPEG's bytes as they are, but decodes a PNG and
    # deflates it again on every ticket render (~1.3 ms, a third of the ticket's time budget).
    # Ink on white at this quality shows no ringing at the ticket's 70 mm, in ~8 KB.
    image.save(out, "JPEG", quality=SIGNATURE_QUALITY, optimize=True)
    return out.getvalue(), image.width, image.height


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _flatten(image: Image.Image) -> Image.Image:
    """The image composited on white (a transparent signature would print black on black)."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _touch(target: Path) -> None:
    """Mark a file reused by this import as recent: ``espaco media prune`` spares recent files,
    so one that an earlier, failed import left behind is not deleted while this one commits."""
    with contextlib.suppress(OSError):  # a read-only media folder still imports
        os.utime(target)


def _write_atomic(target: Path, data: bytes) -> None:
    private_dir(target.parent)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
