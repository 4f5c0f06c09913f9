"""State files readable by the portal's own user only: files 0600, folders 0700.

The data dir holds the database, the secret key, photos of clients' premises and e-mails with
access codes: nobody else on the machine has any business reading them, whatever the umask.
``espaco`` also sets its umask to 077 at start-up (:func:`restrict_umask`), so files that a
library creates (SQLite's ``-wal`` and ``-shm``, uvicorn's logs) are private too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
UMASK = 0o077


def restrict_umask() -> int:
    """Make every file this process creates private from now on; return the old umask."""
    return os.umask(UMASK)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700; an existing folder keeps its mode."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:  # another worker made it first
            continue
        os.chmod(folder, DIR_MODE)  # mkdir's mode goes through the umask
    return path


def create_private_file(path: Path) -> None:
    """Create ``path`` empty as 0600 unless it exists (SQLite then keeps that mode, and gives
    it to the ``-wal`` and ``-shm`` files it makes beside it)."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def make_tree_private(root: Path) -> None:
    """Set 0700 on ``root`` and every folder under it, 0600 on every file (a backup's copy)."""
    os.chmod(root, DIR_MODE)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            os.chmod(os.path.join(folder, name), DIR_MODE)
        for name in files:
            os.chmod(os.path.join(folder, name), FILE_MODE)


def readable_by_others(path: Path) -> bool:
    """True when users other than the owner may read ``path`` (group or world bits)."""
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
