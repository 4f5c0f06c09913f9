"""One log format for every line the portal prints, whoever prints it (the command line, the
app in each worker, uvicorn's own messages): ``2026-12-06 05:13:14,492 INFO espaco.x: …``."""

from __future__ import annotations

import logging
import os

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure() -> None:
    """Log to stderr at ``ESPACO_LOG_LEVEL`` (INFO) in :data:`FORMAT`, once per process: a
    worker that uvicorn spawns configures itself through the app factory."""
    logging.basicConfig(level=os.environ.get("ESPACO_LOG_LEVEL", "INFO").upper(), format=FORMAT)
    logging.getLogger("piccolo").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # a line per glyph table per PDF
