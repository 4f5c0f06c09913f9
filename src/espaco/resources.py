"""Where the templates, static files and migrations are, in a wheel or in a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """``templates``, ``static`` or ``migrations``: inside the package when installed from a
    wheel (the build maps them there), else at the top of the source checkout."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"{name}/ not found beside {PACKAGE_DIR}")
