"""Write the DejaVu Sans subsets that the PDFs embed into ``src/espaco/pdf/fonts/``.

Usage: python scripts/subset_fonts.py [/usr/share/fonts/truetype/dejavu]

The package carries its own fonts so that a boleto prints on a machine with none installed.
The whole DejaVu Sans regular and bold are 1.47 MB; these keep every Latin letter (Portuguese and
the other languages a client's or street's name may come in), combining accents, punctuation,
currency, arrows, box drawing and geometric shapes, without hinting (PDF viewers do their own):
0.32 MB. The DejaVu licence allows modified copies under a name without "Bitstream" or "Vera".
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "espaco" / "pdf" / "fonts"
FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
UNICODES = (
    "U+0000-024F,U+02B0-036F,U+1E00-1EFF,U+2000-206F,U+20A0-20CF,U+2100-214F,U+2190-22FF,"
    "U+2500-257F,U+25A0-25FF,U+FFFD"
)


def main() -> None:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/dejavu")
    for name in FILES:
        subset.main(
            [
                str(source / name),
                f"--unicodes={UNICODES}",
                "--no-hinting",
                "--glyph-names",
                "--name-IDs=*",
                "--name-languages=*",
                f"--output-file={TARGET / name}",
            ]
        )
        print(f"{TARGET / name}: {(TARGET / name).stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
