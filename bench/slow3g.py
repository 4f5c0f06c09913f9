"""Load times on an emulated Slow 3G phone: /entrar, /financeiro and /coletas in Chromium.

Prepares a fresh demo portal (as ``espaco demo --no-serve`` does) in a temporary folder, serves
it with ``espaco serve`` in a subprocess, and drives the system's Chromium at 360 × 740 with
CDP's ``Network.emulateNetworkConditions``: 2,000 ms latency and 50,000 bytes/s each way (the
"Slow 3G" of the issue, 400 kbit/s). For each page it prints the time from navigation start to
the load event, the requests and the bytes on the wire:

- ``/entrar`` on a first visit (empty cache);
- ``/financeiro`` and ``/coletas`` after login, with the static files cached (``warm``), and as
  the first page a fresh browser opens after login (``cold``: the static files fetched too).

    PYTHONPATH=src python bench/slow3g.py [--rounds 2]

The emulation runs in the browser, so the figures are the network's, not this machine's: they
barely move between runs (the server answers in milliseconds beside 2 s round trips).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, sync_playwright

SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 50_000,
    "uploadThroughput": 50_000,
}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: dict[str, Any] = {"viewport": {"width": 360, "height": 740}, "locale": "pt-BR"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_demo(folder: Path) -> tuple[subprocess.Popen[bytes], str, Any]:
    from espaco.demo.setup import prepare_demo

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    info = prepare_demo(folder / "demo", base_url=base)
    env = {**os.environ, **info.environment}
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "espaco.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/saude", timeout=2):  # noqa: S310 - loopback
                break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise SystemExit("the demo server did not start") from None
            time.sleep(0.2)
    return server, base, info.clients[0]


def throttle(context: BrowserContext, page: Page, *, clear: bool = False) -> dict[str, int]:
    """Slow 3G on this page (``clear``: with an empty cache); returns a counter of requests and
    bytes on the wire."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if clear:
        cdp.send("Network.clearBrowserCache")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    wire = {"requests": 0, "bytes": 0}
    sent: set[str] = set()

    def request(event: dict[str, Any]) -> None:
        if event["request"]["url"].startswith("http"):  # not the data: URLs in the HTML
            sent.add(event["requestId"])

    def from_cache(event: dict[str, Any]) -> None:
        sent.discard(event["requestId"])  # answered by the browser's cache: not on the wire

    def finished(event: dict[str, Any]) -> None:
        if event["requestId"] in sent:
            wire["requests"] += 1
            wire["bytes"] += int(event["encodedDataLength"])

    cdp.on("Network.requestWillBeSent", request)
    cdp.on("Network.requestServedFromCache", from_cache)
    cdp.on("Network.loadingFinished", finished)
    return wire


def load_time(page: Page, url: str) -> float:
    page.goto(url, wait_until="load", timeout=120_000)
    return float(
        page.evaluate(
            "(() => { const n = performance.getEntriesByType('navigation')[0];"
            " return n.loadEventEnd - n.startTime; })()"
        )
    )


def log_in(page: Page, base: str, login: Any) -> None:
    page.goto(base + "/entrar")
    page.fill("#documento", login.document)
    page.fill("#codigo", login.code)
    page.click("form button[type=submit]")
    page.wait_for_url("**/inicio")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="runs of each page (median shown)")
    args = parser.parse_args()
    results: dict[str, list[tuple[float, int, int]]] = {}

    def record(name: str, ms: float, wire: dict[str, int]) -> None:
        results.setdefault(name, []).append((ms, wire["requests"], wire["bytes"]))

    with tempfile.TemporaryDirectory() as folder:
        server, base, login = serve_demo(Path(folder))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                    args=CHROMIUM_ARGS,
                )
                for _ in range(args.rounds):
                    context = browser.new_context(**PHONE)
                    page = context.new_page()
                    wire = throttle(context, page)
                    record("/entrar (first visit)", load_time(page, base + "/entrar"), wire)
                    context.close()
                    for path in ("/financeiro", "/coletas"):
                        context = browser.new_context(**PHONE)
                        page = context.new_page()
                        log_in(page, base, login)  # unthrottled: the login is not measured
                        wire = throttle(context, page, clear=True)
                        record(f"{path} (cold, after login)", load_time(page, base + path), wire)
                        wire = throttle(context, page)
                        record(f"{path} (warm, static cached)", load_time(page, base + path), wire)
                        context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(
        f"Slow 3G (latency {SLOW_3G['latency']} ms, {SLOW_3G['downloadThroughput']:,} B/s"
        f" each way), 360 px, median of {args.rounds}:"
    )
    for name, runs in results.items():
        ms = statistics.median(r[0] for r in runs)
        requests, size = runs[-1][1], runs[-1][2]
        print(f"  {name:34s} {ms / 1000:5.2f} s  {requests} request(s), {size:,} B on the wire")


if __name__ == "__main__":
    main()
