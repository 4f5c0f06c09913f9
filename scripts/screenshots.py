"""Regenerate the README's screenshots: the main pages of a fresh demo at 360 px, as a client's
phone shows them.

Prepares a demo portal (as ``espaco demo --no-serve``) in a temporary folder, serves it with
``espaco serve`` in a subprocess, logs in as the demo's first client in the system's Chromium
(360 × 740, pt-BR) and saves each page into ``docs/`` as a 256-colour PNG (the pages are flat
colours and text: a palette keeps each file near 30 KB instead of 150), cut at ``--height`` px.

    PYTHONPATH=src python scripts/screenshots.py [--out docs] [--height 1400]
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

WIDTH = 360
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=pt-BR",  # date fields as a Brazilian phone shows them (dd/mm/aaaa)
]
# file name → what to open (after login but the first); a callable finds the URL on the page.
PAGES = {
    "entrar": "/entrar",
    "inicio": "/inicio",  # logs in (not saved: the README shows the pages below)
    "financeiro": "/financeiro",
    "boleto": "boleto",
    "coletas": "/coletas",
    "solicitar-coleta": "/solicitar-coleta",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def save(page: Page, path: Path, height: int) -> None:
    shot = page.screenshot(full_page=True, animations="disabled", caret="hide")
    image = Image.open(io.BytesIO(shot)).convert("RGB")
    image = image.crop((0, 0, image.width, min(image.height, height)))
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"{path}: {image.width}×{image.height}, {path.stat().st_size:,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--height", type=int, default=1400, help="cut taller pages here (px)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from espaco.demo.setup import prepare_demo

    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        info = prepare_demo(Path(folder) / "demo", base_url=base)
        server = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "espaco.cli", "serve", "--port", str(port)],
            env={**os.environ, **info.environment},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(base + "/saude", timeout=2):  # noqa: S310
                        break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the demo server did not start") from None
                    time.sleep(0.2)
            login = info.clients[0]
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                    args=CHROMIUM_ARGS,
                    env={**os.environ, "LANG": "pt_BR.UTF-8", "LANGUAGE": "pt_BR"},
                )
                context = browser.new_context(
                    base_url=base,
                    viewport={"width": WIDTH, "height": 740},
                    locale="pt-BR",
                    timezone_id="America/Sao_Paulo",
                )
                page = context.new_page()
                for name, target in PAGES.items():
                    if name == "inicio":
                        page.fill("#documento", login.document)
                        page.fill("#codigo", login.code)
                        page.click("form button[type=submit]")
                        page.wait_for_url("**/inicio")
                    elif target == "boleto":
                        page.goto("/financeiro")
                        page.locator("#fechamentos a[href$='/boleto']").first.click()
                        page.wait_for_url("**/boleto")
                    else:
                        page.goto(target)
                    page.wait_for_load_state("load")
                    if name != "inicio":
                        save(page, args.out / f"{name}.png", args.height)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
