"""Every state file the portal writes is 0600 and every folder 0700, even under umask 022."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from import_samples import image_bytes

from espaco.mail import FileTransport
from espaco.private import create_private_file, private_dir, readable_by_others
from espaco.services.operations.media import MediaStore


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


pytestmark = pytest.mark.usefixtures("umask_022")


def test_an_eml_written_without_smtp_is_private(tmp_path: Path) -> None:
    message = EmailMessage()
    message["Date"] = format_datetime(datetime(2026, 11, 28, 12, tzinfo=UTC))
    message["Message-ID"] = "<codigo-1@portal>"
    message.set_content("Seu código de acesso: ABCD-EFGH")
    path = FileTransport(tmp_path / "dados" / "emails").write(message)
    assert mode(path) == 0o600
    assert mode(path.parent) == mode(path.parent.parent) == 0o700


def test_stored_photos_documents_and_their_folders_are_private(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media", keep_originals=True)
    photo = store.store_photo(image_bytes((800, 600)))
    document = store.store_document(b"%PDF-1.4\n%%EOF\n", "pdf")
    files = [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    folders = [p for p in (tmp_path / "media").rglob("*") if p.is_dir()]
    assert len(files) >= 2 and photo and document
    assert {mode(p) for p in files} == {0o600}
    assert {mode(p) for p in [tmp_path / "media", *folders]} == {0o700}


def test_helpers_create_private_paths_and_see_open_ones(tmp_path: Path) -> None:
    create_private_file(tmp_path / "a" / "b" / "espaco.db")
    assert mode(tmp_path / "a" / "b" / "espaco.db") == 0o600
    assert mode(tmp_path / "a") == mode(tmp_path / "a" / "b") == 0o700
    assert not readable_by_others(tmp_path / "a")
    open_folder = private_dir(tmp_path / "aberta")
    os.chmod(open_folder, 0o750)  # noqa: S103 - the mistake under test
    assert readable_by_others(open_folder)
