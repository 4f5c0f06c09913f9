"""One log format for every line the portal prints, whoever prints it (the command line, the
app in each worker, uvicorn's own messages): ``2026-12-06 05:13:14,492 INFO espaco.x: …``."""

from __future__ import annotations

import logging
import os
import re

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# A calendar feed's path is its credential (web/avisos.py): never in a log line.
_FEED_PATH = re.compile(r"/agenda/[^/?\s\"]*")


class HideFeedTokens(logging.Filter):
    """Masks the token of ``/agenda/<token>.ics`` in uvicorn's access lines, whose arguments
    are (client, method, path, HTTP version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and any(isinstance(a, str) and "/agenda/" in a for a in args):
            record.args = tuple(
                _FEED_PATH.sub("/agenda/…", a) if isinstance(a, str) else a for a in args
            )
        return True


def configure() -> None:
    """Log to stderr at ``ESPACO_LOG_LEVEL`` (INFO) in :data:`FORMAT`, once per process: a
    worker that uvicorn spawns configures itself through the app factory."""
    logging.basicConfig(level=os.environ.get("ESPACO_LOG_LEVEL", "INFO").upper(), format=FORMAT)
    logging.getLogger("piccolo").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # a line per glyph table per PDF
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, HideFeedTokens) for f in access.filters):
        access.addFilter(HideFeedTokens())
