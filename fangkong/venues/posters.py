"""Printable A4 posters of venue codes (场所码): the QR code of the venue's check-in page, its name and
how to check in, in Chinese. As PDF (for the print shop, one page per venue, a whole node's venues in
one file) and as PNG (to send in a WeChat group).

One layout, two painters, one face: Noto Sans SC (SIL OFL) from the `pylopdf-fonts-zh-cn` package, so a
fresh machine renders Chinese without system fonts. Why (docs/decisions/0002 and 0005):
- PDF: reportlab, with the font embedded, so that any viewer or print shop shows the text, which stays
  real, searchable text. reportlab embeds TrueType outlines only and Noto Sans SC has CFF ones, so each
  document gets a cut of the font with just its characters, converted by fontTools (tens of KB).
- PNG: Pillow draws with the font file itself.
The QR code is drawn as vector rectangles in the PDF and as whole pixels in the PNG, from segno's matrix.
"""

import collections
import contextlib
import functools
import hashlib
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont
from pylopdf_fonts_zh_cn import sans_path
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from fangkong.venues.models import Venue
from fangkong.venues.queries import retention_days

A4_MM = (210.0, 297.0)
PT_MM = 25.4 / 72  # one typographic point in millimetres
PNG_DPI = 150  # 1240 × 1754 pixels: sharp on a phone, good enough to print
BAND = "#1d6b45"  # the band at the top: the green of a green code, the colour people look for
INK = "#1a1a1a"
MUTED = "#555555"
QR_BORDER = 4  # quiet zone in modules, as the QR standard requires


def checkin_url(venue: Venue) -> str:
    """The absolute address the poster's QR code carries."""
    return settings.SITE_URL.rstrip("/") + reverse("venue_checkin", kwargs={"code": venue.code})


def qr_matrix(url: str) -> tuple:
    # Level M survives a poster with some dirt or a fold; the URL stays short enough for a coarse code.
    return segno.make_qr(url, error="m").matrix


def wrap(text: str, width_mm: float, measure) -> list[str]:
    """Break text into lines no wider than width_mm. Chinese breaks between any two characters."""
    lines, line = [], ""
    for char in text:
        if line and measure(line + char) > width_mm:
            lines.append(line.rstrip())
            line = char.lstrip()
        else:
            line += char
    if line:
        lines.append(line)
    return lines


@dataclass(frozen=True)
class Content:
    name: str
    place: str  # kind · node · address
    url: str
    retention_days: int
    matrix: tuple


def content_of(venue: Venue, retention: int | None = None) -> Content:
    url = checkin_url(venue)
    place = " · ".join(part for part in (venue.get_kind_display(), venue.node.name, venue.address) if part)
    return Content(
        name=venue.name,
        place=place,
        url=url,
        retention_days=retention if retention is not None else retention_days(venue.node),
        matrix=qr_matrix(url),
    )


def instructions(retention: int) -> list[str]:
    return [
        _("1. 用微信或手机浏览器扫描上方二维码，无需下载应用"),
        _("2. 首次使用请填写姓名、身份证号和手机号，本机会记住您"),
        _("3. 可在同一部手机上为家中老人、儿童一并登记"),
        _("4. 登记后请向工作人员出示页面上的健康码颜色"),
        _("扫码信息仅用于疫情防控，保存{days}天后自动删除").format(days=retention),
    ]


def lay_out(content: Content, painter) -> None:
    """Draw one poster with a painter (positions in mm from the top left, sizes in points)."""
    width, _height = A4_MM
    centre = width / 2
    painter.rect(0, 0, width, 30, BAND)
    painter.text(centre, 19, _("疫情防控 · 场所码"), 26, "#ffffff")

    # The name: as large as fits in three lines of the box under the band.
    size, box = 30.0, 34.0
    while True:
        lines = wrap(content.name, 180, lambda s, size=size: painter.measure(s, size))
        if (len(lines) <= 3 and len(lines) * size * 1.25 * PT_MM <= box) or size <= 12:
            break
        size -= 2
    leading = size * 1.25 * PT_MM
    top = 40 + (box - leading * len(lines)) / 2
    for i, line in enumerate(lines[:3]):
        painter.text(centre, top + leading * (i + 0.8), line, size, INK)

    side = 130.0
    painter.qr(centre - side / 2, 78, side, content.matrix)

    painter.text(centre, 222, _("请使用手机扫码登记"), 28, INK)
    y = 234.0
    for line in instructions(content.retention_days):
        painter.text(centre, y, line, 12.5, MUTED)
        y += 7.5
    y += 3
    for line in wrap(content.place, 180, lambda s: painter.measure(s, 10))[:2]:
        painter.text(centre, y, line, 10, MUTED)
        y += 5
    painter.text(centre, 290, content.url, 8, MUTED)


def qr_runs(matrix: tuple) -> list[tuple[int, int, int]]:
    """(column, row, length) of the dark runs of each row, counted with the quiet zone; runs rather than
    single modules so that no hairline seams show between neighbours in a PDF reader."""
    runs = []
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                runs.append((start + QR_BORDER, r + QR_BORDER, c - start))
            else:
                c += 1
    return runs


def qr_modules(matrix: tuple) -> int:
    """Modules across, quiet zone included."""
    return len(matrix) + 2 * QR_BORDER


# ── PDF ──────────────────────────────────────────────────────────────────────────────────────────────
# The PDF carries its font: Noto Sans SC (the PNG's face) cut down to the characters the document draws,
# its cubic CFF outlines turned into the quadratic TrueType ones reportlab embeds (decision 0005).
PDF_FONT_FILE_CACHE = 64  # documents' character sets whose converted cut stays in memory (~15 KB a poster)


class CharsPainter:
    """Collects the characters a layout draws. It measures every text as zero wide, so no line is wrapped
    or dropped: what it sees is all that any real painter could draw, in lines or not."""

    def __init__(self):
        self.chars: set[str] = set()

    def measure(self, text: str, size: float) -> float:
        return 0.0

    def text(self, x: float, baseline: float, text: str, size: float, colour: str) -> None:
        self.chars.update(text)

    def rect(self, x: float, y: float, w: float, h: float, colour: str) -> None:
        pass

    def qr(self, x: float, y: float, side: float, matrix: tuple) -> None:
        pass


def pdf_font_name(chars: str) -> str:
    # reportlab tells fonts apart by their PostScript name too: a cut must not share one with another.
    return "NotoSansSC-" + hashlib.sha256(chars.encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=PDF_FONT_FILE_CACHE)
def truetype_cut(chars: str) -> bytes:
    """Noto Sans SC cut down to chars (sorted, each once) as a TrueType font file named pdf_font_name(chars):
    fontTools.subset, then the fontTools otf2ttf recipe (Cu2QuPen into TTGlyphPen, within 1 font unit)."""
    # Imported here: fontTools.subset takes a tenth of a second to import, and only posters need it.
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont as OpenTypeFont
    from fontTools.ttLib import newTable

    font = OpenTypeFont(str(sans_path()), lazy=True)
    for tag in ("GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx"):
        # Shaping and vertical tables: reportlab uses none, and subsetting them costs most of the time.
        if tag in font:
            del font[tag]
    options = subset.Options(layout_features=[], hinting=False, desubroutinize=True, notdef_outline=True)
    cutter = subset.Subsetter(options)
    cutter.populate(text=chars)
    cutter.subset(font)

    order = font.getGlyphOrder()
    outlines = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(outlines)
        # CFF draws outer contours counter-clockwise, TrueType clockwise.
        outlines[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):  # left side bearing follows the new outline's box
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000  # the TrueType version, with the fields below
    maxp.maxZones = 1
    maxp.maxTwilightPoints = maxp.maxStorage = maxp.maxFunctionDefs = maxp.maxInstructionDefs = 0
    maxp.maxStackElements = maxp.maxSizeOfInstructions = 0
    maxp.maxComponentElements = max(len(getattr(glyph, "components", ())) for glyph in glyf.glyphs.values())
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font["name"].setName(pdf_font_name(chars), 6, 3, 1, 0x409)
    font["name"].setName(pdf_font_name(chars), 6, 1, 0, 0)
    font.sfntVersion = "\x00\x01\x00\x00"
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


_pdf_fonts_lock = threading.Lock()
_pdf_fonts_in_use: collections.Counter[str] = collections.Counter()


@contextlib.contextmanager
def pdf_font(text: str) -> Iterator[str]:
    """The name under which reportlab knows, inside the block, a font that draws every character of text.
    reportlab's font registry is global and keeps what it is given: a cut is registered while a document
    uses it and dropped after the last one, so a server that prints many venues' posters does not grow."""
    chars = "".join(sorted(set(text) | {" "}))  # reportlab refuses a font with an empty character map
    data = truetype_cut(chars)  # outside the lock: the first time for these characters is the slow one
    name = pdf_font_name(chars)
    with _pdf_fonts_lock:
        if not _pdf_fonts_in_use[name]:
            pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
        _pdf_fonts_in_use[name] += 1
    try:
        yield name
    finally:
        with _pdf_fonts_lock:
            _pdf_fonts_in_use[name] -= 1
            if not _pdf_fonts_in_use[name]:
                del _pdf_fonts_in_use[name]
                pdfmetrics.getFont(name).unregister()


class PdfPainter:
    def __init__(self, canvas, font: str):
        self.canvas = canvas
        self.font = font
        self.page_height = A4_MM[1]

    def _y(self, y_mm: float) -> float:
        return (self.page_height - y_mm) * mm

    def measure(self, text: str, size: float) -> float:
        return pdfmetrics.stringWidth(text, self.font, size) / mm

    def text(self, x: float, baseline: float, text: str, size: float, colour: str) -> None:
        self.canvas.setFillColor(colour)
        self.canvas.setFont(self.font, size)
        self.canvas.drawCentredString(x * mm, self._y(baseline), text)

    def rect(self, x: float, y: float, w: float, h: float, colour: str) -> None:
        self.canvas.setFillColor(colour)
        self.canvas.rect(x * mm, self._y(y + h), w * mm, h * mm, stroke=0, fill=1)

    def qr(self, x: float, y: float, side: float, matrix: tuple) -> None:
        cell = side / qr_modules(matrix)
        for col, row, length in qr_runs(matrix):
            self.rect(x + col * cell, y + row * cell, length * cell, cell, "#000000")


def posters_pdf(venues: list[Venue]) -> bytes:
    """One A4 page per venue, in the order given."""
    retention_by_node: dict[int, int] = {}
    contents = []
    for venue in venues:
        if venue.node_id not in retention_by_node:
            retention_by_node[venue.node_id] = retention_days(venue.node)
        contents.append(content_of(venue, retention_by_node[venue.node_id]))
    title = _("场所码") if len(venues) != 1 else _("场所码 · {name}").format(name=venues[0].name)
    chars = CharsPainter()
    for content in contents:
        lay_out(content, chars)
    buffer = io.BytesIO()
    with pdf_font("".join(chars.chars)) as font:
        canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
        canvas.setTitle(title)
        canvas.setCreator("防控 Fangkong")
        for content in contents:
            lay_out(content, PdfPainter(canvas, font))
            canvas.showPage()
        canvas.save()
    return buffer.getvalue()


def poster_pdf(venue: Venue) -> bytes:
    return posters_pdf([venue])


# ── PNG ──────────────────────────────────────────────────────────────────────────────────────────────
@functools.cache
def _png_font(size_px: int):
    return ImageFont.truetype(str(sans_path()), size_px)


class PngPainter:
    def __init__(self, image):
        self.draw = ImageDraw.Draw(image)
        self.px = PNG_DPI / 25.4  # pixels per mm

    def _font(self, size: float):
        return _png_font(max(1, round(size * PT_MM * self.px)))

    def measure(self, text: str, size: float) -> float:
        return self._font(size).getlength(text) / self.px

    def text(self, x: float, baseline: float, text: str, size: float, colour: str) -> None:
        self.draw.text(
            (x * self.px, baseline * self.px), text, font=self._font(size), fill=colour, anchor="ms"
        )

    def rect(self, x: float, y: float, w: float, h: float, colour: str) -> None:
        # Edges rounded to whole pixels on both sides, so that neighbouring modules meet without gaps.
        box = (
            round(x * self.px),
            round(y * self.px),
            round((x + w) * self.px) - 1,
            round((y + h) * self.px) - 1,
        )
        self.draw.rectangle(box, fill=colour)

    def qr(self, x: float, y: float, side: float, matrix: tuple) -> None:
        # Whole pixels per module: a scaled, blurred module edge is what makes phone cameras hesitate.
        count = qr_modules(matrix)
        module = max(1, int(side * self.px) // count)
        left = round(x * self.px + (side * self.px - module * count) / 2)
        top = round(y * self.px + (side * self.px - module * count) / 2)
        for col, row, length in qr_runs(matrix):
            self.draw.rectangle(
                (
                    left + col * module,
                    top + row * module,
                    left + (col + length) * module - 1,
                    top + (row + 1) * module - 1,
                ),
                fill="#000000",
            )


def poster_png(venue: Venue) -> bytes:
    size = tuple(round(mm / 25.4 * PNG_DPI) for mm in A4_MM)
    image = Image.new("RGB", size, "#ffffff")
    lay_out(content_of(venue), PngPainter(image))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True, dpi=(PNG_DPI, PNG_DPI))
    return buffer.getvalue()
