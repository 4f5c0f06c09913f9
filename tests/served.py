"""An ASGI app served by ``espaco.serve.run`` in a process (and process group) of its own, as
``espaco serve`` serves the portal: for the tests of the server itself (tests/test_serve.py,
tests/test_http_head.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any


def start(
    app: str, port: int, workers: int, output: int = subprocess.PIPE, **options: Any
) -> subprocess.Popen[bytes]:
    """``app`` (``module:attribute``, not a factory) on 127.0.0.1:``port``; ``options`` are
    uvicorn's, given to ``espaco.serve.run``; the server's log goes to ``output``."""
    extra = "".join(f", {name}={value!r}" for name, value in options.items())
    code = (
        "from espaco.serve import run; "
        f"run({app!r}, host='127.0.0.1', port={port}, workers={workers}, factory=False{extra})"
    )
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(server: subprocess.Popen[bytes]) -> None:
    """The server and its workers, stopped as a supervisor is (SIGTERM), killed if they hang."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
