"""The PDFs' fonts travel inside the package: a boleto prints on a machine with no fonts."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from espaco.pdf import fonts

# Every letter of Portuguese and the symbols the PDFs print (dashes, bullets, quotes, ordinals).
PORTUGUESE = "ÁÂÃÀÇÉÊÍÓÔÕÚÜáâãàçéêíóôõúü —–•“”‘’ºª°§R$€…·×"

RENDER = r"""
import sys
from datetime import date
from pathlib import Path

FONT_ROOTS = ("/usr/share/fonts", "/usr/local/share/fonts", "/etc/fonts", str(Path.home()))


def refuse_system_fonts(event, args):
    if event == "open" and isinstance(args[0], str) and args[0].endswith((".ttf", ".otf")):
        if args[0].startswith(FONT_ROOTS):
            raise PermissionError(f"system font opened: {args[0]}")


sys.addaudithook(refuse_system_fonts)
from espaco.pdf.boleto import BoletoPdf, render_boleto

pdf = render_boleto(BoletoPdf(
    bank_code="001", bank_name="Banco do Brasil",
    barcode="00195101600000150750000002812345670000012318",
    digitable_line="00190000090281234567200000123182510160000015075",
    due_on=date(2026, 12, 10), amount_cents=15075, document_number="NF 1234",
    issued_on=date(2026, 11, 28),
    payer_name="Padaria São João — Ação “Boa” • Nº 1",
    payer_document="11222333000181",
    beneficiary_name="Verde Campo Ambiental Ltda", beneficiary_document="11222333000181",
))
sys.stdout.buffer.write(pdf)
"""


def test_the_fonts_are_the_packages_own_with_their_licence() -> None:
    regular, bold = fonts.font_files()
    assert regular.parent == bold.parent == fonts.FONT_DIR
    assert fonts.FONT_DIR.is_relative_to(Path(fonts.__file__).parent)
    licence = (fonts.FONT_DIR / "LICENSE").read_text(encoding="utf-8")
    assert "Bitstream" in licence and "DejaVu changes are in public domain" in licence


@pytest.mark.parametrize("name", ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"])
def test_the_subset_has_every_portuguese_character(name: str) -> None:
    font = TTFont(fonts.FONT_DIR / name)
    cmap = font.getBestCmap()
    missing = [c for c in PORTUGUESE if ord(c) not in cmap]
    assert not missing
    assert font["name"].getDebugName(1) == "DejaVu Sans"  # a name without Bitstream or Vera
    assert (fonts.FONT_DIR / name).stat().st_size < 200_000  # subset: the whole font is 740 KB


def test_a_boleto_prints_without_any_system_font(tmp_path: Path) -> None:
    """Rendered in a fresh process where opening a font under the system's font folders fails,
    with the font search paths pointed at an empty folder."""
    empty = tmp_path / "sem-fontes"
    empty.mkdir()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(empty),
        "XDG_DATA_DIRS": str(empty),
        "FONTCONFIG_PATH": str(empty),
        "PYTHONPATH": str(Path(fonts.__file__).parents[2]),
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", RENDER], env=env, capture_output=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode()
    reader = PdfReader(io.BytesIO(result.stdout))
    text = reader.pages[0].extract_text()
    assert "Padaria São João — Ação “Boa” • Nº 1" in text
    assert "R$ 150,75" in text
    embedded = {
        str(font["/BaseFont"])
        for font in reader.pages[0]["/Resources"]["/Font"].values()  # type: ignore[union-attr]
    }
    assert embedded and all("DejaVu" in name for name in embedded)
