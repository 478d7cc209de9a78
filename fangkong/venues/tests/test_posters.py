"""Venue posters: the PDF read back has the venue's name and the instructions as text and a QR code that
a decoder reads as the absolute check-in URL; the PNG is A4 at 150 dpi with a QR code that decodes to
the same URL and Chinese drawn with real glyphs (not the empty boxes of a missing font)."""

import io
import re

import pypdfium2
import pytest
import zxingcpp
from django.test import Client
from django.urls import reverse
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from fangkong.conftest import PASSWORD
from fangkong.venues import actions as venue_actions
from fangkong.venues import posters
from fangkong.venues.models import VenueKind

SITE = "https://fk.liaocheng.example.cn"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE + "/"  # a trailing slash must not double up


def venue(world, node, name, kind=VenueKind.SHOP):
    return venue_actions.create_venue(actor=world.county_admin, node=node, name=name, kind=kind)


def qr_texts(image: Image.Image) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def pdf_pages_as_images(content: bytes) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(content)
    try:
        return [page.render(scale=150 / 72).to_pil() for page in document]
    finally:
        document.close()


def test_it_prints_the_name_the_instructions_and_a_qr_code_of_the_checkin_url(world):
    market = venue(world, world.grid07, "前屯村农贸市场（东门）", VenueKind.MARKET)
    url = f"{SITE}/r/v/{market.code}/"
    assert posters.checkin_url(market) == url

    content = posters.poster_pdf(market)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.1)  # A4 in points
    text = reader.pages[0].extract_text()
    for expected in ("前屯村农贸市场（东门）", "请使用手机扫码登记", "保存28天后自动删除", "农贸市场", url):
        assert expected in text
    assert qr_texts(pdf_pages_as_images(content)[0]) == [url]


def test_it_wraps_a_long_name_onto_lines_that_fit_the_page(world):
    long_name = "聊城市东昌府区梁水镇前屯村第七网格便民综合超市暨农资化肥种子农药经营部（二分店）"
    shop = venue(world, world.grid07, long_name)
    text = PdfReader(io.BytesIO(posters.poster_pdf(shop))).pages[0].extract_text()
    assert long_name not in text  # not on one line: it would run off the page
    assert long_name in "".join(text.split())
    with posters.pdf_font(long_name) as font:
        measure = posters.PdfPainter(None, font).measure
        lines = posters.wrap(long_name, 180, lambda s: measure(s, 30))
        assert len(lines) > 1 and "".join(lines) == long_name
        assert all(measure(line, 30) <= 180 for line in lines)


def test_it_puts_every_active_venue_of_a_node_in_one_pdf(world):
    venue(world, world.grid07, "甲超市")
    venue(world, world.grid08, "乙饭店", VenueKind.RESTAURANT)
    closed = venue(world, world.grid07, "丙理发店")
    venue_actions.set_venue_active(actor=world.county_admin, venue=closed, active=False)
    venue(world, world.other_village, "丁小卖部")

    client = Client()
    client.login(username=world.township_admin.username, password=PASSWORD)
    answer = client.get(reverse("venue_posters"), {"node_code": world.village.code})
    assert answer["Content-Type"] == "application/pdf"
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages]
    assert len(pages) == 2
    assert "甲超市" in pages[0] and "乙饭店" in pages[1]
    assert not any("丙理发店" in page or "丁小卖部" in page for page in pages)


def drawn(char: str) -> bytes:
    image = Image.new("L", (60, 60))
    ImageDraw.Draw(image).text((5, 5), char, font=posters._png_font(40), fill=255)
    return image.tobytes()


def test_it_draws_the_png_poster_with_chinese_glyphs_and_a_readable_qr_code(world):
    shop = venue(world, world.grid07, "前屯便民超市")
    image = Image.open(io.BytesIO(posters.poster_png(shop)))
    assert image.format == "PNG" and image.size == (1240, 1754)
    assert qr_texts(image) == [f"{SITE}/r/v/{shop.code}/"]
    # The top band is the green of a green code; the name below it is drawn in dark ink.
    assert image.getpixel((20, 20)) == (0x1D, 0x6B, 0x45)
    name_area = image.crop((100, 240, 1140, 400)).convert("L")
    assert sum(name_area.histogram()[:100]) > 2000  # dark pixels
    # The font has the characters: a missing glyph would be drawn as the same empty box for each.
    glyphs = {drawn(char) for char in "前屯便民超市"}
    assert len(glyphs) == 6 and drawn("\ue000") not in glyphs


def test_it_serves_posters_only_inside_the_users_area(world):
    shop = venue(world, world.grid07, "前屯便民超市")
    own, other = Client(), Client()
    own.login(username=world.grid07_viewer.username, password=PASSWORD)
    other.login(username=world.grid08_worker.username, password=PASSWORD)
    pdf = own.get(reverse("venue_poster_pdf", args=[shop.pk]))
    png = own.get(reverse("venue_poster_png", args=[shop.pk]))
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert (png.status_code, png["Content-Type"]) == (200, "image/png")
    assert "inline" in pdf["Content-Disposition"] and "filename*=utf-8''" in pdf["Content-Disposition"]
    for name in ("venue_poster_pdf", "venue_poster_png"):
        assert other.get(reverse(name, args=[shop.pk])).status_code == 404
    assert other.get(reverse("venue_posters"), {"node_code": world.grid07.code}).status_code == 404


def embedded_font_files(content: bytes) -> list[str]:
    """The font-file keys (/FontFile, /FontFile2, /FontFile3) of every font descriptor in the PDF."""
    found = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None:
                    found += [k for k in descriptor.get_object() if k.startswith("/FontFile")]
    return found


def test_it_embeds_a_subset_of_its_chinese_font_in_the_pdf(world):
    # A PDF that only names its font shows no text in a viewer without Adobe's CJK fonts.
    market = venue(world, world.grid07, "前屯村农贸市场（东门）", VenueKind.MARKET)
    content = posters.poster_pdf(market)
    assert "前屯村农贸市场（东门）" in PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert embedded_font_files(content) == ["/FontFile2"]
    assert len(content) < 50_000  # a subset, not the 8 MB face


def test_it_draws_every_character_with_a_glyph_of_its_own_embedded_font(world):
    # What a viewer with no CJK font draws: the glyphs of the embedded font. Two posters made one after
    # the other need different characters; each must carry its own, not the first one's.
    for name in ("前屯村农贸市场（东门）", "后街菜店"):
        content = posters.poster_pdf(venue(world, world.grid07, name, VenueKind.MARKET))
        glyphs = embedded_glyphs(content)
        text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        shown = {char for char in text if not char.isspace()}
        assert name in text and shown <= glyphs.keys()
        outlines = [glyphs[char] for char in shown]
        assert all(outlines) and len(set(outlines)) == len(shown)  # no empty glyph, no shared box


def test_it_gives_documents_made_at_the_same_time_each_their_own_characters():
    # Two print requests served at once by one process, each with a cut of the font of its own.
    with posters.pdf_font("前屯村超市") as first, posters.pdf_font("后街菜店") as second:
        assert first != second
        buffer = io.BytesIO()
        canvas = Canvas(buffer)
        canvas.setFont(second, 20)
        canvas.drawString(50, 700, "后街菜店")
        canvas.save()
    glyphs = embedded_glyphs(buffer.getvalue())
    outlines = [glyphs.get(char) for char in "后街菜店"]
    assert all(outlines) and len(set(outlines)) == 4


def test_it_leaves_no_font_registered_once_a_pdf_is_made(world):
    # A server prints thousands of venues' posters; reportlab's registry keeps whatever it is given.
    before = pdfmetrics.getRegisteredFontNames()
    for name in ("甲超市", "乙饭店", "丙理发店"):
        posters.poster_pdf(venue(world, world.grid07, name))
    assert pdfmetrics.getRegisteredFontNames() == before


def test_it_makes_a_pdf_of_no_pages_for_no_venues():
    assert len(PdfReader(io.BytesIO(posters.posters_pdf([]))).pages) == 0


def embedded_glyphs(content: bytes) -> dict[str, tuple]:
    """Each character of the PDF's text (from the fonts' ToUnicode maps) → the points of its glyph in the
    TrueType font embedded for it; characters drawn with a font that is not embedded are absent."""
    glyphs = {}
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None or "/FontFile2" not in descriptor.get_object():
                continue
            program = TTFont(io.BytesIO(descriptor.get_object()["/FontFile2"].get_object().get_data()))
            code_to_glyph = program["cmap"].tables[0].cmap
            glyf = program["glyf"]
            to_unicode = font["/ToUnicode"].get_object().get_data().decode("ascii")
            for code, char in re.findall(r"<([0-9A-F]{2})> <([0-9A-F]{4})>", to_unicode):
                name = code_to_glyph.get(int(code, 16))  # None: the missing glyph (fontTools leaves it out)
                glyph = glyf[name] if name else None
                points = glyph.getCoordinates(glyf)[0] if glyph and glyph.numberOfContours else []
                glyphs[chr(int(char, 16))] = tuple(tuple(point) for point in points)
    return glyphs
