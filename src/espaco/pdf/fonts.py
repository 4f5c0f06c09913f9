"""The TrueType font every PDF embeds, so that each Portuguese character and symbol prints.

fpdf2's core fonts are Latin-1 only (no "—", "•", curly quotes) and fpdf2 bundles no TrueType
font, so the package carries DejaVu Sans regular and bold in ``pdf/fonts/`` (subsets made by
``scripts/subset_fonts.py``, with DejaVu's licence beside them): a boleto prints on a machine
with no font installed, and the single-file executable needs nothing from the system.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fpdf import FPDF

FAMILY = "DejaVu"
FONT_DIR = Path(__file__).resolve().parent / "fonts"


class FontMissing(RuntimeError):
    """The package's fonts are missing (a broken install)."""


@cache
def font_files() -> tuple[Path, Path]:
    """Regular and bold DejaVu Sans, from the package."""
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        raise FontMissing(f"DejaVu Sans not found in {FONT_DIR}: reinstall espaco")
    return regular, bold


def add_fonts(pdf: FPDF) -> None:
    """Register DejaVu Sans (regular and bold) on ``pdf`` and select it."""
    regular, bold = font_files()
    pdf.add_font(FAMILY, "", str(regular))
    pdf.add_font(FAMILY, "B", str(bold))
    pdf.set_font(FAMILY, size=9)
