"""Generate a Piccolo auto migration from the changes in ``src/espaco/tables.py``.

Usage: python scripts/new_migration.py "what changed"
Read the file it writes into ``migrations/`` before committing it with the table change.
Composite indexes and other raw SQL go in a migration of their own (Piccolo runs a migration's
raw steps before its table steps).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile

from piccolo.apps.migrations.commands.new import new

from espaco.db import database
from espaco.settings import Settings


def main() -> None:
    description = sys.argv[1] if len(sys.argv) > 1 else ""
    with tempfile.TemporaryDirectory() as data_dir:
        database.configure(Settings.from_env({"ESPACO_DATA_DIR": data_dir}))
        asyncio.run(new("espaco", auto=True, desc=description))


if __name__ == "__main__":
    main()
