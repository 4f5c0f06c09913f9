"""A small Interleaved 2 of 5 decoder for the tests: reads the bars fpdf2 drew into a PDF back to
digits, so a test can prove the boleto's barcode says what the boleto says."""

from __future__ import annotations

import re
from io import BytesIO

from pypdf import PdfReader

PATTERNS = {
    "nnwwn": "0", "wnnnw": "1", "nwnnw": "2", "wwnnn": "3", "nnwnw": "4",
    "wnwnn": "5", "nwwnn": "6", "nnnww": "7", "wnnwn": "8", "nwnwn": "9",
}  # fmt: skip
_RECT_FILL = re.compile(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re\s+f\b")


def bars_from_pdf(pdf: bytes, min_height_pt: float = 30.0) -> list[tuple[float, float]]:
    """(x, width) of each filled rectangle at least ``min_height_pt`` tall, left to right."""
    content = PdfReader(BytesIO(pdf)).pages[0].get_contents()
    assert content is not None
    data = content.get_data()
    bars = [(float(x), float(w)) for x, _y, w, h in _RECT_FILL.findall(data)
            if abs(float(h)) >= min_height_pt]  # fmt: skip
    return sorted(bars)


def decode_i2of5(bars: list[tuple[float, float]]) -> str:
    """Digits of an I2of5 symbol from its bars: start (n n n n), pairs of digits whose first is
    in the bars and second in the spaces, stop (w n n)."""
    assert len(bars) >= 4, "no barcode found"
    widths: list[float] = []
    for i, (x, w) in enumerate(bars):
        widths.append(w)
        if i + 1 < len(bars):
            widths.append(bars[i + 1][0] - (x + w))  # the space after this bar
    threshold = (min(widths) + max(widths)) / 2
    elements = "".join("w" if width > threshold else "n" for width in widths)
    assert elements.startswith("nnnn"), "no start pattern"
    assert elements.endswith("wnn"), "no stop pattern"
    body = elements[4:-3]
    assert len(body) % 10 == 0, "elements do not make whole digit pairs"
    digits = []
    for start in range(0, len(body), 10):
        chunk = body[start : start + 10]
        digits.append(PATTERNS[chunk[0::2]])
        digits.append(PATTERNS[chunk[1::2]])
    return "".join(digits)
