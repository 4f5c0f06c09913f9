"""The files an import points at: checked while validating, stored once it passed.

A file is given as ``{"file": "fotos/a.jpg"}`` (relative to the JSON file's folder, never
leaving it) or ``{"base64": "...", "content_type": "image/jpeg"}``. What it is comes from its
bytes, never from its name or the declared content type.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from pathlib import Path, PurePosixPath
from typing import Literal

from espaco.services.imports.fields import Problems, Rec
from espaco.services.imports.model import FileRef
from espaco.services.operations.media import (
    MAX_DOCUMENT_BYTES,
    MAX_PHOTO_BYTES,
    MediaError,
    MediaStore,
    sniff_document,
    sniff_image,
)

FILE_KEYS = frozenset({"file", "base64", "content_type"})
Purpose = Literal["photo", "signature", "pdf", "xml"]
_LIMITS = {
    "photo": MAX_PHOTO_BYTES,
    "signature": MAX_PHOTO_BYTES,
    "pdf": MAX_DOCUMENT_BYTES,
    "xml": MAX_DOCUMENT_BYTES,
}
_TOO_LARGE = {"photo": "15 MB", "signature": "15 MB", "pdf": "25 MB", "xml": "25 MB"}


class FileChecker:
    """Reads file references; checks each distinct file once, however many records share it."""

    def __init__(self, problems: Problems, base_dir: Path | None) -> None:
        self.problems = problems
        self.base_dir = base_dir.resolve() if base_dir is not None else None
        self.files: dict[tuple[str, str], FileRef] = {}
        # (purpose, key) -> the problem with that file, or None when it is fine.
        self._checked: dict[tuple[str, str], tuple[str, str] | None] = {}

    def ref(self, rec: Rec, purpose: Purpose) -> FileRef | None:
        """The file of ``rec`` (an object holding ``file`` or ``base64`` + ``content_type``)."""
        has_file, has_inline = rec.has("file"), rec.has("base64")
        if has_file and has_inline:
            rec.fail("file", "format", "Informe file ou base64, não os dois")
            return None
        if has_inline:
            return self._inline(rec, purpose)
        name = rec.text("file", max_len=500, required=True)
        if name is None:
            return None
        if rec.has("content_type"):
            rec.fail("content_type", "unknown_field", "content_type só acompanha base64")
        return self._file(rec, purpose, name)

    def _file(self, rec: Rec, purpose: Purpose, name: str) -> FileRef | None:
        if self.base_dir is None:
            rec.fail("file", "format", "Por esta via os arquivos vão em base64, não por caminho")
            return None
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts or "\\" in name or "\x00" in name:
            rec.fail("file", "file_path", "Caminho deve ser relativo à pasta do arquivo JSON")
            return None
        path = (self.base_dir / relative).resolve()
        if not path.is_relative_to(self.base_dir):  # a symlink that leads outside
            rec.fail("file", "file_path", "Caminho deve ser relativo à pasta do arquivo JSON")
            return None
        key = str(path)
        if (purpose, key) in self._checked:
            problem = self._checked[(purpose, key)]
        else:
            problem = self._checked[(purpose, key)] = self._check_path(path, purpose, name)
        return self._result(rec, "file", purpose, key, path, None, problem)

    def _check_path(self, path: Path, purpose: Purpose, name: str) -> tuple[str, str] | None:
        if not path.is_file():
            return "file_missing", f"Arquivo não encontrado: {name}"
        if path.stat().st_size > _LIMITS[purpose]:
            return "file_too_large", f"Arquivo maior que {_TOO_LARGE[purpose]}: {name}"
        try:
            if purpose == "pdf" or purpose == "xml":
                sniff_document(path.read_bytes(), purpose)
            else:
                sniff_image(path)
        except MediaError as error:
            return error.code, f"{error.message}: {name}"
        except OSError:
            return "file_missing", f"Arquivo ilegível: {name}"
        return None

    def _inline(self, rec: Rec, purpose: Purpose) -> FileRef | None:
        content_type = rec.text("content_type", max_len=100, required=True)
        encoded = rec.data.get("base64")
        if not isinstance(encoded, str):
            rec.fail("base64", "type", "Deveria ser um texto em base64")
            return None
        try:
            data = base64.b64decode("".join(encoded.split()), validate=True)
        except (binascii.Error, ValueError):
            rec.fail("base64", "format", "Conteúdo base64 inválido")
            return None
        if content_type is None:
            return None
        key = "sha256:" + hashlib.sha256(data).hexdigest()
        if (purpose, key) in self._checked:
            problem = self._checked[(purpose, key)]
        else:
            problem = self._checked[(purpose, key)] = self._check_bytes(data, purpose)
        return self._result(rec, "base64", purpose, key, None, data, problem)

    def _check_bytes(self, data: bytes, purpose: Purpose) -> tuple[str, str] | None:
        if len(data) > _LIMITS[purpose]:
            return "file_too_large", f"Arquivo maior que {_TOO_LARGE[purpose]}"
        try:
            if purpose == "pdf" or purpose == "xml":
                sniff_document(data, purpose)
            else:
                sniff_image(data)
        except MediaError as error:
            return error.code, error.message
        return None

    def _result(
        self,
        rec: Rec,
        field: str,
        purpose: Purpose,
        key: str,
        path: Path | None,
        data: bytes | None,
        problem: tuple[str, str] | None,
    ) -> FileRef | None:
        if problem is not None:
            rec.fail(field, *problem)
            return None
        ref = self.files.get((purpose, key))
        if ref is None:
            ref = self.files[(purpose, key)] = FileRef(key, path, data, purpose, rec.path(field))
        return ref


def store_files(
    files: dict[tuple[str, str], FileRef], store: MediaStore, problems: Problems
) -> None:
    """Store every distinct file (decoding each image once) and note where it went."""
    for ref in files.values():
        try:
            data = ref.data if ref.data is not None else ref.path.read_bytes()  # type: ignore[union-attr]
            if ref.purpose == "photo":
                image = store.store_photo(data)
                ref.stored, ref.width, ref.height = image.path, image.width, image.height
            elif ref.purpose == "signature":
                ref.stored = store.store_signature(data).path
            else:
                ref.stored = store.store_document(data, ref.purpose)  # type: ignore[arg-type]
        except MediaError as error:
            problems.add(ref.where, error.code, error.message)
        except OSError as error:
            problems.add(ref.where, "file_missing", f"Arquivo ilegível: {error.strerror}")
