"""A worker's resident memory once its caches are full (DESIGN.md: a worker stays under 200 MB).

One uvicorn worker serves the portal on the data set of ``bench/scale.py`` (run it once with
``--fill-only`` first). Logged in as the big client, it asks every page of that benchmark as a
browser does (gzip), every "Carregar mais" cursor (218 pages of rows over three years, each a
kept read with its rows' HTML and, from its second view, their deflate stream), ``--rounds``
times; after each round it prints the worker's resident memory (VmRSS) and its peak (VmHWM).

    PYTHONPATH=src .venv/bin/python bench/worker_memory.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import httpx
import scale
from coletas import free_port, wait_for

BUDGET_MB = 200


def memory_mb(pid: int) -> tuple[int, int]:
    """VmRSS and VmHWM of ``pid``, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) // 1024
    return found["VmRSS"], found["VmHWM"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=scale.DEFAULT_URL)
    parser.add_argument("--data-dir", type=Path, default=scale.DEFAULT_DIR)
    args = parser.parse_args()
    args.refill, args.no_sqlite = False, True
    code = (args.data_dir / "bench-code").read_text()
    port = free_port()
    case = scale.Case("uvicorn", 1, "postgresql")
    command = scale.server_command(case, "espaco.app:app_from_env", port, factory=True)
    worker = scale.start(command, scale._env(args, "postgresql"))  # one worker: it is the process
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base, worker)
        cookie = scale.login(base, code)
        print(f"started and logged in: {memory_mb(worker.pid)[0]} MB resident")
        headers = {"Cookie": cookie, "Accept-Encoding": "gzip"}
        pages = scale.pages(scale._today())
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            for round_ in range(1, args.rounds + 1):
                asked = 0
                for page in pages:
                    for path in page.paths or [page.path]:
                        answer = client.get(path, headers=page.headers)
                        if answer.status_code != 200:
                            raise SystemExit(f"{path} answered {answer.status_code}")
                        asked += 1
                resident, peak = memory_mb(worker.pid)
                verdict = "within" if peak < BUDGET_MB else "OVER"
                print(f"round {round_}: {asked} pages asked; {resident} MB resident, peak {peak}"
                      f" MB ({verdict} the {BUDGET_MB} MB budget)", flush=True)  # fmt: skip
    finally:
        scale.stop(worker)


if __name__ == "__main__":
    sys.exit(main())
