"""The TrueType font every PDF embeds, so that each Portuguese character and symbol prints.

fpdf2's core fonts are Latin-1 only (no "—", "•", curly quotes) and fpdf2 bundles no TrueType
font, so we embed DejaVu Sans from the system (Debian's ``fonts-dejavu-core``, which CI installs).
``ESPACO_PDF_FONT_DIR`` is not a setting: the search path below is the only knob.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fpdf import FPDF

FAMILY = "DejaVu"
SEARCH = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
    Path("/opt/homebrew/share/fonts/dejavu"),
)


class FontMissing(RuntimeError):
    """DejaVu Sans is not installed (``apt-get install fonts-dejavu-core``)."""


@cache
def font_files() -> tuple[Path, Path]:
    """Regular and bold DejaVu Sans, from the first folder that holds both."""
    for folder in SEARCH:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    raise FontMissing("DejaVu Sans not found: install fonts-dejavu-core")


def add_fonts(pdf: FPDF) -> None:
    """Register DejaVu Sans (regular and bold) on ``pdf`` and select it."""
    regular, bold = font_files()
    pdf.add_font(FAMILY, "", str(regular))
    pdf.add_font(FAMILY, "B", str(bold))
    pdf.set_font(FAMILY, size=9)
