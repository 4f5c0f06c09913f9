"""Text for PDFs set in fpdf2's core fonts (cp1252): what they can print, how wide it is, and
lines wrapped and written without ``multi_cell`` (see ``espaco.pdf.ticket`` for the measurements
behind each)."""

from __future__ import annotations

import re
import unicodedata

from fpdf import FPDF
from fpdf.fonts import CoreFont


def printable(text: str) -> str:
    """``text`` in what the core font can print (cp1252): letters outside it lose their accents
    ("ő" → "o", "ﬁ" → "fi"), a few symbols get an ASCII spelling, anything else becomes "?";
    control characters become spaces, line breaks stay."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        pass
    else:
        if not _CONTROL.search(text):
            return text
    return "".join(_printable_char(ch) for ch in text)


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
# Letters NFKD cannot take apart, and symbols likely in a note or an address.
_SPELLED = {
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ħ": "h", "Ħ": "H",
    "−": "-", "‐": "-", "‑": "-", "‒": "-", "―": "—",
    "→": "->", "←": "<-", "≤": "<=", "≥": ">=", "≠": "!=", "×": "x",
    "\u2028": "\n", "\u2029": "\n",
}  # fmt: skip


def _printable_char(ch: str) -> str:
    if ch == "\n":
        return ch
    if _CONTROL.match(ch):
        return " "
    try:
        ch.encode("cp1252")
        return ch
    except UnicodeEncodeError:
        pass
    if ch in _SPELLED:
        return _SPELLED[ch]
    folded = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    try:
        folded.encode("cp1252")
    except UnicodeEncodeError:
        return "?"
    return folded if folded and not _CONTROL.search(folded) else "?"


def width(pdf: FPDF, text: str) -> float:
    """What ``pdf.get_string_width`` answers for printable text in a core font, from the font's
    width table directly: fpdf2's own goes through its bidirectional-text and markdown machinery,
    which made measuring a third of the render."""
    font = pdf.current_font
    if not isinstance(font, CoreFont):
        return pdf.get_string_width(text)
    widths: dict[str, int] = font.cw  # type: ignore[assignment]  # keyed by character
    units = sum(widths[c] for c in text.encode("cp1252").decode("latin-1"))
    return units * pdf.font_size_pt / 1000 / pdf.k


def wrap(pdf: FPDF, text: str, limit: float) -> list[str]:
    """``text`` broken into lines of at most ``limit`` mm in the current font: at spaces, or
    inside a word longer than a line."""
    if "\n" not in text and width(pdf, text) <= limit:
        return [text]  # almost every field: one measurement, no splitting
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if width(pdf, candidate) <= limit:
                line = candidate
                continue
            if line:
                lines.append(line)
            while word and width(pdf, word) > limit:
                cut = len(word) - 1
                while cut > 1 and width(pdf, word[:cut]) > limit:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def lines(
    pdf: FPDF, x: float, limit: float, height: float, text: str, *, center: bool = False
) -> None:
    """Write ``text`` from the current y, wrapped to ``limit`` mm, one line every ``height`` mm,
    breaking pages as needed; leaves y below the last line. ``pdf.text`` with our own wrapping
    costs a tenth of ``multi_cell`` (no per-line graphics-state copies, no text-shaping pass)."""
    for line in wrap(pdf, printable(text), limit):
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
        y = pdf.get_y()
        dx = (limit - width(pdf, line)) / 2 if center else 0
        # The baseline where fpdf2's cell() would put it.
        pdf.text(x + dx, y + 0.5 * height + 0.3 * pdf.font_size, line)
        pdf.set_y(y + height)
