"""Build the single-file ``espaco`` executable for Linux x86-64 with PyInstaller.

Usage (from the checkout, in a venv with ``pip install -e '.[release]'``):

    python scripts/build_release.py            # writes dist/espaco
    python scripts/build_release.py --check    # and runs dist/espaco --version

The executable carries Python, every dependency, the templates, static files, migrations and
the PDF fonts; the target machine needs nothing but a glibc at least as new as the one named in
docs/deploy.md (PyInstaller links against the build machine's: build on the oldest system you
support). Everything here works offline.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# freeze_support: `espaco serve --workers N` starts its workers by running the executable again
# (multiprocessing's spawn); in a frozen program that call turns such a run into a worker.
ENTRY = (
    "import multiprocessing\n\nmultiprocessing.freeze_support()\n\n"
    "from espaco.cli import main\n\nraise SystemExit(main())\n"
)
# Imported by name at run time (uvicorn's factory string, Piccolo's migration files, uvicorn's
# protocol choices), so PyInstaller's import scan cannot see them.
COLLECT_SUBMODULES = ("espaco", "uvicorn", "uvloop", "httptools", "litestar", "piccolo")
COLLECT_DATA = ("espaco", "piccolo", "fpdf", "litestar")
# Top-level folders of the checkout that the wheel maps into the package (pyproject.toml).
RESOURCES = ("templates", "static", "migrations")
# Never imported by the portal: test tools in the venv, and optional extras of its libraries
# that a build would otherwise carry (cryptography stays: it seals access codes in the outbox;
# Piccolo's test data builder uses faker: 12.6 MB; Pillow's AVIF plugin links libavif and the
# build machine's libstdc++, which alone asks for glibc 2.36: the portal takes JPEG, PNG and WebP;
# pydantic is one of Litestar's optional model libraries, watchfiles is uvicorn's --reload.
# Piccolo imports black, 5 MB, at start-up: it stays).
EXCLUDE = (
    "pydantic",
    "pydantic_core",
    "watchfiles",
    "endesive",
    "faker",
    "PIL._avif",
    "PIL.AvifImagePlugin",
    "tkinter",
    "pytest",
    "playwright",
    "schemathesis",
    "hypothesis",
    "mypy",
    "IPython",
    "PyInstaller",
)


def command(dist: Path, work: Path, entry: Path) -> list[str]:
    args = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--onefile",
        "--name",
        "espaco",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        "--specpath",
        str(work),
        "--paths",
        str(ROOT / "src"),
    ]
    for package in COLLECT_SUBMODULES:
        args += ["--collect-submodules", package]
    for package in COLLECT_DATA:
        args += ["--collect-data", package]
    for folder in RESOURCES:
        args += ["--add-data", f"{ROOT / folder}:espaco/{folder}"]
    for module in EXCLUDE:
        args += ["--exclude-module", module]
    return [*args, str(entry)]


def _pythonpath() -> list[str]:
    return [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--check", action="store_true", help="run the result's --version")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="espaco-build-") as tmp:
        entry = Path(tmp) / "espaco_main.py"
        entry.write_text(ENTRY, encoding="utf-8")
        # PyInstaller's hooks run in subprocesses: they must import this checkout's espaco (its
        # data files: the PDF fonts), not another install on the path.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *_pythonpath()])}
        subprocess.run(  # noqa: S603
            command(args.dist, Path(tmp) / "work", entry), check=True, cwd=tmp, env=env
        )
    binary = args.dist / "espaco"
    size = binary.stat().st_size
    print(f"{binary}: {size / 1e6:.1f} MB, built in {time.monotonic() - started:.0f} s")
    if args.check:  # the version, and a boleto rendered with the fonts inside the file
        subprocess.run([str(binary), "--version"], check=True)  # noqa: S603
        subprocess.run([str(binary), "verificar", "--so-pdf"], check=True)  # noqa: S603
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
