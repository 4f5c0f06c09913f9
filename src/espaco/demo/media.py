"""Files the demo import points at: photos, signatures, fiscal XML and PDFs.

Everything is drawn from the caller's ``random.Random`` so a seed gives the
same bytes every time (Pillow's own noise uses the C library's generator, so
it is not used here). A handful of photos and signatures are shared by every
collection: the importer stores a file once per content.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image, ImageDraw, ImageFont, ImageOps

PHOTO_SIZE = (1600, 1200)
HORIZON = 520
# Photos taken before a collection show the waste; after it, the empty spot.
PHOTO_SCENES = ("cacamba", "cacamba-vazia", "bombonas", "saude", "sacos", "limpo")
AFTER_SCENE = {"cacamba": "cacamba-vazia"}
SIGNATURE_COUNT = 3

RGB = tuple[int, int, int]


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    ramp = Image.linear_gradient("L").resize(size)
    return ImageOps.colorize(ramp, black=top, white=bottom)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _background(rng: random.Random, wall: bool) -> Image.Image:
    width, height = PHOTO_SIZE
    image = Image.new("RGB", PHOTO_SIZE)
    image.paste(_gradient((width, HORIZON), (92, 146, 212), (196, 218, 238)), (0, 0))
    image.paste(_gradient((width, height - HORIZON), (132, 124, 110), (84, 80, 72)), (0, HORIZON))
    draw = ImageDraw.Draw(image)
    if wall:
        draw.rectangle((0, 150, width, HORIZON + 40), fill=(188, 112, 84))
        for x in range(60, width, 260):
            draw.rectangle((x, 220, x + 150, 360), fill=(70, 88, 104))
        draw.rectangle((0, HORIZON + 40, width, HORIZON + 70), fill=(170, 170, 164))
    # Trees on the horizon, a different skyline for each photo.
    for _ in range(rng.randint(4, 9)):
        x, r = rng.randint(0, width), rng.randint(50, 120)
        shade = (38 + rng.randint(0, 30), 92 + rng.randint(0, 40), 44)
        top = 150 if wall else HORIZON
        draw.ellipse((x - r, top - 2 * r + 30, x + r, top + 30), fill=shade)
    return image


def _cacamba(draw: ImageDraw.ImageDraw, rng: random.Random, full: bool) -> None:
    left, top, right, bottom = 330, 560, 1270, 1010
    if full:
        for _ in range(260):
            x, y = rng.randint(left + 20, right - 60), rng.randint(top - 150, top + 30)
            grey = rng.randint(90, 200)
            colour = (grey, grey - rng.randint(0, 30), grey - rng.randint(0, 60))
            size = rng.randint(20, 60)
            draw.polygon(
                [(x, y), (x + size, y + rng.randint(-15, 15)), (x + size // 2, y + size)],
                fill=colour,
            )
    else:
        draw.polygon(
            [(left + 40, top), (right - 40, top), (right - 80, top + 60)], fill=(60, 50, 30)
        )
    draw.polygon(
        [(left, top), (right, top), (right - 110, bottom), (left + 110, bottom)],
        fill=(234, 164, 22),
        outline=(150, 96, 10),
        width=8,
    )
    for x in range(left + 170, right - 120, 150):
        draw.line([(x, top + 10), (x - 15, bottom - 10)], fill=(196, 130, 14), width=10)
    # The default font has ASCII only: no "³" or accents on the pictures.
    draw.rectangle((470, 690, 1130, 870), fill=(250, 246, 236))
    draw.text((500, 705), "VERDE CAMPO", fill=(20, 96, 48), font=_font(84))
    draw.text((505, 810), "5 m3   (19) 3232-0000", fill=(40, 40, 40), font=_font(40))
    for x in (left + 170, right - 230):
        draw.ellipse((x, bottom - 20, x + 60, bottom + 40), fill=(30, 30, 30))


def _containers(
    draw: ImageDraw.ImageDraw, rng: random.Random, colour: RGB, label: str, label_colour: RGB
) -> None:
    for i in range(4):
        x = 220 + i * 300 + rng.randint(-20, 20)
        y = 620 + rng.randint(-10, 30)
        draw.rounded_rectangle((x, y, x + 230, y + 380), radius=30, fill=colour)
        draw.rectangle((x - 8, y - 14, x + 238, y + 24), fill=tuple(c - 40 for c in colour))
        draw.rectangle((x + 12, y + 120, x + 218, y + 210), fill=label_colour)
        draw.text((x + 24, y + 150), label, fill=(255, 255, 255), font=_font(32))


def _bags(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    colours = [(30, 30, 34), (40, 90, 170), (40, 130, 60), (200, 190, 60)]
    for _ in range(24):
        x, y = rng.randint(200, 1300), rng.randint(640, 900)
        w, h = rng.randint(120, 220), rng.randint(140, 220)
        draw.ellipse((x, y, x + w, y + h), fill=rng.choice(colours), outline=(15, 15, 15), width=3)


def _scene(name: str, rng: random.Random) -> Image.Image:
    image = _background(rng, wall=name in ("sacos", "limpo", "bombonas"))
    draw = ImageDraw.Draw(image)
    if name in ("cacamba", "cacamba-vazia"):
        _cacamba(draw, rng, full=name == "cacamba")
    elif name == "bombonas":
        _containers(draw, rng, (34, 92, 170), "OLEO USADO", (20, 20, 20))
    elif name == "saude":
        _containers(draw, rng, (236, 236, 232), "INFECTANTE", (200, 40, 30))
    elif name == "sacos":
        _bags(draw, rng)
    draw.text((40, 1130), "Verde Campo Ambiental", fill=(240, 240, 240), font=_font(34))
    # Sensor grain: coarse noise upscaled (cheap to compress) blended in lightly.
    grain = Image.frombytes("L", (400, 300), rng.randbytes(400 * 300))
    grain = grain.resize(PHOTO_SIZE, Image.Resampling.BILINEAR).convert("RGB")
    return Image.blend(image, grain, 0.07)


def photo_jpegs(rng: random.Random) -> dict[str, bytes]:
    """One JPEG (1600×1200) per scene in ``PHOTO_SCENES``."""
    result = {}
    for name in PHOTO_SCENES:
        buffer = io.BytesIO()
        _scene(name, rng).save(buffer, "JPEG", quality=80)
        result[name] = buffer.getvalue()
    return result


def _signature(rng: random.Random) -> Image.Image:
    image = Image.new("RGBA", (900, 300), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    ink = (12, 14, 40, 255)
    # The capital: one tall loop, drawn with a slight spiral.
    cx, cy = rng.randint(90, 130), rng.randint(120, 150)
    rx, ry = rng.randint(30, 55), rng.randint(60, 95)
    capital = [
        (cx + rx * math.sin(a) * (1 - a / 30), cy - ry * math.cos(a) + a * 4)
        for a in (i * 0.08 for i in range(90))
    ]
    draw.line(capital, fill=ink, width=5, joint="curve")
    # The name: loops of random height, the pen running right at a varying pace,
    # lifted once between the two words.
    baseline, tilt = cy + ry * 0.6, rng.uniform(-0.12, 0.02)
    heights = [rng.uniform(12, 75) for _ in range(16)]
    x, phase = float(cx + rx), 0.0
    stroke: list[tuple[float, float]] = []
    lift = rng.randint(110, 150)
    for step in range(300):
        phase += rng.uniform(0.18, 0.32)
        x += rng.uniform(1.6, 2.8)
        height = heights[int(phase / (2 * math.pi)) % len(heights)]
        y = baseline + tilt * (x - cx) - height * (0.5 - 0.5 * math.cos(phase))
        stroke.append((x + 16 * math.sin(phase), y))  # loops at the top, as in an l
        if step == lift:
            draw.line(stroke, fill=ink, width=5, joint="curve")
            stroke, x = [], x + rng.randint(25, 45)
    draw.line(stroke, fill=ink, width=5, joint="curve")
    # The flourish underneath, back towards the capital.
    end_x = stroke[-1][0]
    flourish = [
        (fx, baseline + tilt * (fx - cx) + 18 + 22 * math.sin(math.pi * t))
        for t in (i / 40 for i in range(41))
        for fx in (end_x + 20 - t * (end_x + 20 - cx),)
    ]
    draw.line(flourish, fill=ink, width=4, joint="curve")
    return image


def signature_pngs(rng: random.Random) -> list[bytes]:
    """``SIGNATURE_COUNT`` scribbled signatures, dark ink on transparent."""
    result = []
    for _ in range(SIGNATURE_COUNT):
        buffer = io.BytesIO()
        _signature(rng).save(buffer, "PNG")
        result.append(buffer.getvalue())
    return result


def _latin1(text: str) -> str:
    # fpdf2's core fonts speak Latin-1 only.
    return text.replace("—", "-").replace("–", "-").encode("latin-1", "replace").decode("latin-1")


def simple_pdf(title: str, lines: Sequence[str], created: datetime) -> bytes:
    """A one-page PDF: a bold title and lines of text (a DANFE-like note, a CDF)."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(created)  # the default is the clock: fixed for determinism
    pdf.set_title(_latin1(title))
    pdf.add_page()
    pdf.set_font("helvetica", "B", 15)
    pdf.cell(0, 10, _latin1(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("helvetica", "", 9)
    # One cell per line: multi_cell's line breaking costs ten times the rest.
    for line in lines:
        pdf.cell(0, 5.5, _latin1(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _party(tag: str, document: str, name: str) -> str:
    doc_tag = "CPF" if len(document) == 11 else "CNPJ"
    return f"<{tag}><{doc_tag}>{document}</{doc_tag}><xNome>{escape(name)}</xNome></{tag}>"


def nfe_xml(
    key: str,
    number: int,
    issued_at: str,
    issuer: tuple[str, str],
    taker: tuple[str, str],
    items: Sequence[dict[str, str]],
    amount: str,
) -> str:
    """A minimal NF-e 4.00 ``nfeProc``: identification, parties, items, total, protocol."""
    details = "".join(
        f'<det nItem="{n}"><prod><xProd>{escape(item["description"])}</xProd>'
        f"<uCom>{item['unit']}</uCom><qCom>{item['quantity']}</qCom>"
        f"<vUnCom>{item['unit_price']}</vUnCom><vProd>{item['amount']}</vProd></prod></det>"
        for n, item in enumerate(items, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe" versao="4.00"><NFe>'
        f'<infNFe Id="NFe{key}" versao="4.00"><ide><cUF>{key[:2]}</cUF><mod>55</mod>'
        f"<serie>1</serie><nNF>{number}</nNF><dhEmi>{issued_at}</dhEmi><tpEmis>1</tpEmis>"
        f"<cDV>{key[-1]}</cDV></ide>{_party('emit', *issuer)}{_party('dest', *taker)}"
        f"{details}<total><ICMSTot><vProd>{amount}</vProd><vNF>{amount}</vNF></ICMSTot>"
        f'</total></infNFe></NFe><protNFe versao="4.00"><infProt><chNFe>{key}</chNFe>'
        f"<dhRecbto>{issued_at}</dhRecbto><cStat>100</cStat>"
        "<xMotivo>Autorizado o uso da NF-e</xMotivo></infProt></protNFe></nfeProc>"
    )


def nfse_xml(
    key: str,
    number: int,
    issued_at: str,
    city: str,
    issuer: tuple[str, str],
    taker: tuple[str, str],
    description: str,
    amount: str,
) -> str:
    """A minimal national-standard NFS-e (``NFSe``/``infNFSe``) wrapping its DPS."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<NFSe xmlns="http://www.sped.fazenda.gov.br/nfse" versao="1.00">'
        f'<infNFSe Id="NFS{key}"><xLocEmi>{escape(city)}</xLocEmi><nNFSe>{number}</nNFSe>'
        f"<dhProc>{issued_at}</dhProc>{_party('emit', *issuer)}"
        f'<valores><vLiq>{amount}</vLiq></valores><DPS versao="1.00"><infDPS>'
        f"<dhEmi>{issued_at}</dhEmi>{_party('toma', *taker)}"
        f"<serv><cServ><xDescServ>{escape(description)}</xDescServ></cServ></serv>"
        f"<valores><vServPrest><vServ>{amount}</vServ></vServPrest></valores>"
        "</infDPS></DPS></infNFSe></NFSe>"
    )


def write(path: Path, data: bytes | str) -> None:
    """Write ``data`` at ``path``, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
