"""Official documents as Word files laid out per GB/T 9704-2012 (党政机关公文格式): the situation report
and the investigation report (流调报告) share this machinery; each composes its own blocks.

- A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm: a 156 × 225 mm text area.
- 22 lines of 28 characters: a line grid of 28.95 pt with exact 28.95 pt line spacing, and body text set
  0.25 pt tighter (w:spacing -5) so that 28 characters of 16 pt fit the 156 mm line (28 × 15.75 pt ≤ 442 pt).
  A character grid (docGrid linesAndChars with a negative charSpace) would do the same in Word, but
  LibreOffice lays each 16 pt character over two narrower grid cells there and prints 14 characters a line.
- Title 2号 (22 pt) 小标宋 centred; body 3号 (16 pt) 仿宋 with a first-line indent of two characters;
  first-level headings "一、" in 3号 黑体, second-level "（一）" in 3号 楷体 (the heading sentence only, the
  rest of the paragraph stays 仿宋); Arabic numerals and Latin text in Times New Roman.
- Fonts are named in the east-asian slot (w:eastAsia), where Word looks for Chinese text, with the
  official names (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体). The font table gives each an alternate
  (w:altName: 宋体, 仿宋, 楷体) that Word substitutes on a machine without the official font.
- Page numbers in 4号 (14 pt) 宋体 Arabic numerals between one-em dashes, "— 1 —", at the foot of the page:
  odd pages on the right and even pages on the left, one character in from the edge of the text area, as
  the standard lays out double-sided documents; about 7 mm below the text area.
- Unsealed signature (7.3.5.2): one line below the body, the issuing unit two characters from the right,
  the date on the next line starting two characters to the right of the unit's first character; when the
  date would then run closer than two characters to the margin, the date keeps its two characters and the
  unit moves left. The date is written 2020年1月28日.
"""

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
TEXT_WIDTH_PT = (210 - 28 - 26) / 25.4 * 72  # 156 mm
LINES, CHARS = 22, 28
LINE_PITCH_PT = 28.95
CHAR_PITCH_PT = TEXT_WIDTH_PT / CHARS  # 15.79 pt: 3号 characters closed up to 28 a line
BODY_TRACKING_TWIPS = -5  # 16 pt characters set 0.25 pt tighter: 15.75 pt each, 28 to the line
TITLE_CHARS = int(TEXT_WIDTH_PT // 22)  # 2号 characters to a line: 20

TITLE_SIZE, BODY_SIZE, PAGE_NUMBER_SIZE = Pt(22), Pt(16), Pt(14)  # 2号, 3号, 4号
XIAOBIAOSONG, FANGSONG, HEITI, KAITI, SONGTI = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
LATIN = "Times New Roman"
# The font table's alternates: what Word substitutes when the official font is not installed.
ALTERNATES = {XIAOBIAOSONG: "宋体", FANGSONG: "仿宋", KAITI: "楷体", HEITI: "SimHei", SONGTI: "SimSun"}
SECOND_LEVEL = re.compile(r"^（[一二三四五六七八九十]+）")
DASH = "—"  # 一字线


# ── what a document is made of ─────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Heading:
    """A first-level heading ("一、…") in 黑体."""

    text: str


@dataclass(frozen=True)
class Body:
    """A body paragraph in 仿宋; a leading "（一）…。" is set in 楷体."""

    text: str


@dataclass(frozen=True)
class Table:
    """A ruled table in 4号 仿宋 (tables are set a size smaller than the body so that columns fit),
    its header row in 黑体 and repeated on every page."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()  # shares of the text width, one per column; equal when empty


@dataclass(frozen=True)
class Official:
    title: str
    issuer: str
    date_text: str  # as the signature writes it: 2020年1月28日
    moment: dt.datetime  # aware: the document's created/modified time
    blocks: Sequence[Heading | Body | Table] = field(default_factory=list)
    comments: str = ""
    keywords: str = ""


TABLE_SIZE = Pt(14)  # 4号


def render(official: Official) -> bytes:
    document = Document()
    _page_setup(document)
    _defaults(document)
    _title(document, official.title)
    document.add_paragraph()  # 标题下空一行
    for block in official.blocks:
        if isinstance(block, Heading):
            _body(document, block.text, font=HEITI)
        elif isinstance(block, Body):
            _body(document, block.text)
        elif isinstance(block, Table):
            _table(document, block)
    _signature(document, official.issuer, official.date_text)
    _page_numbers(document)
    _fonts_table(document)
    _properties(document, official)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ── page ───────────────────────────────────────────────────────────────────────────────────────────


def _page_setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance = Mm(15)
    # The page number's dashes sit 7 mm below the text area (35 mm from the page's foot): the footer
    # line of 16 pt (5.6 mm) ends 35 - 7 - 5.6 ≈ 22 mm above the foot.
    section.footer_distance = Mm(22)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))
    document.settings.odd_and_even_pages_header_footer = True


def _defaults(document) -> None:
    """仿宋 3号, exact 28.95 pt lines, no space between paragraphs, Chinese as the east-asian language,
    no automatic space between Chinese and Latin text or digits (it would break the 28-character lines)."""
    styles = document.styles.element
    r_pr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(r_pr):
        r_pr.remove(child)
    _set_fonts(r_pr, east_asia=FANGSONG, latin=LATIN)
    _set_size(r_pr, BODY_SIZE)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    r_pr.append(lang)
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    _set_fonts(normal.element.get_or_add_rPr(), east_asia=FANGSONG, latin=LATIN)
    _set_tracking(normal.element.get_or_add_rPr(), BODY_TRACKING_TWIPS)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PITCH_PT)
    p_pr = normal.element.get_or_add_pPr()
    for name in ("w:autoSpaceDE", "w:autoSpaceDN"):
        _set_p_pr(p_pr, name, "0")


# The order of w:pPr's children (ECMA-376 CT_PPrBase): Word refuses a file whose elements are out of order.
P_PR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
    "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
    "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
]  # fmt: skip


def _set_p_pr(p_pr, name: str, value: str) -> None:
    """Set a w:pPr child python-docx has no property for, in its place in the schema order."""
    tag = name.removeprefix("w:")
    element = p_pr.find(qn(name))
    if element is None:
        element = OxmlElement(name)
        later = {qn(f"w:{n}") for n in P_PR_ORDER[P_PR_ORDER.index(tag) + 1 :]}
        successor = next((child for child in p_pr if child.tag in later), None)
        if successor is None:
            p_pr.append(element)
        else:
            successor.addprevious(element)
    element.set(qn("w:val"), value)


# ── runs ───────────────────────────────────────────────────────────────────────────────────────────


def _set_fonts(r_pr, *, east_asia: str, latin: str) -> None:
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        del fonts.attrib[attribute]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def _set_size(r_pr, size) -> None:
    half_points = str(round(size.pt * 2))
    for name in ("w:sz", "w:szCs"):
        element = r_pr.find(qn(name))
        if element is None:
            element = OxmlElement(name)
            r_pr.append(element)
        element.set(qn("w:val"), half_points)


def _set_tracking(r_pr, twips: int) -> None:
    """Character spacing (w:spacing in a run, twentieths of a point), placed before w:sz as the schema wants."""
    element = r_pr.find(qn("w:spacing"))
    if element is None:
        element = OxmlElement("w:spacing")
        size = r_pr.find(qn("w:sz"))
        if size is None:
            r_pr.append(element)
        else:
            size.addprevious(element)
    element.set(qn("w:val"), str(twips))


def _run(paragraph, text: str, *, font: str, size=BODY_SIZE, latin: str = LATIN):
    run = paragraph.add_run(text)
    r_pr = run._r.get_or_add_rPr()
    _set_fonts(r_pr, east_asia=font, latin=latin)
    run.font.size = size
    _set_size(r_pr, size)
    _set_tracking(r_pr, BODY_TRACKING_TWIPS if size == BODY_SIZE else 0)
    return run


def _indent_chars(paragraph, *, first_line: float = 0, right: float = 0, left: float = 0) -> None:
    """Indents in characters: w:*Chars (hundredths of a character, what Word uses with a character
    grid) with the same distance in points for readers that ignore them."""
    fmt = paragraph.paragraph_format
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    if first_line:
        fmt.first_line_indent = Pt(first_line * CHAR_PITCH_PT)
        ind.set(qn("w:firstLineChars"), str(round(first_line * 100)))
    if right:
        fmt.right_indent = Pt(right * CHAR_PITCH_PT)
        ind.set(qn("w:rightChars"), str(round(right * 100)))
    if left:
        fmt.left_indent = Pt(left * CHAR_PITCH_PT)
        ind.set(qn("w:leftChars"), str(round(left * 100)))


# ── blocks ─────────────────────────────────────────────────────────────────────────────────────────


def title_lines(title: str) -> list[str]:
    """The title broken where its sense allows (GB/T 9704 7.2.3: 词意完整，排列对称) when it does not fit
    one line of 20 characters: after "…工作", else after "关于"; Word wraps what is still too long."""
    if text_width(title) <= TITLE_CHARS:
        return [title]
    for cut in ("工作", "关于"):
        at = title.find(cut)
        if at > 0 and text_width(title[: at + len(cut)]) <= TITLE_CHARS:
            return [title[: at + len(cut)], title[at + len(cut) :]]
    return [title]


def _title(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, line in enumerate(title_lines(text)):
        run = _run(paragraph, line, font=XIAOBIAOSONG, size=TITLE_SIZE, latin=XIAOBIAOSONG)
        if i:
            run._r.insert(1, OxmlElement("w:br"))  # after the run's w:rPr, before its text


def _body(document, text: str, *, font: str = FANGSONG) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _indent_chars(paragraph, first_line=2)
    heading = SECOND_LEVEL.match(text)
    if font == FANGSONG and heading:
        # （一）加强组织领导。 in 楷体, what follows in 仿宋.
        end = text.find("。")
        cut = end + 1 if end > 0 else len(text)
        _run(paragraph, text[:cut], font=KAITI)
        if text[cut:]:
            _run(paragraph, text[cut:], font=FANGSONG)
        return
    _run(paragraph, text, font=font)


def text_width(text: str) -> float:
    """In characters of the body font: Chinese and full-width characters 1, digits and Latin ½."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


def signature_indents(issuer: str, date: str) -> tuple[float, float]:
    """Right indents (in characters) of the issuing unit and the date, per GB/T 9704-2012 7.3.5.2."""
    unit, day = text_width(issuer), text_width(date)
    start = max(unit + 2, day + 4)  # from the right margin to the unit's first character
    return start - unit, start - 2 - day


def _signature(document, issuer: str, date: str) -> None:
    document.add_paragraph()  # 正文下空一行
    unit_right, date_right = signature_indents(issuer, date)
    for text, right in ((issuer, unit_right), (date, date_right)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _indent_chars(paragraph, right=right)
        _run(paragraph, text, font=FANGSONG)


def _field(paragraph, instruction: str, shown: str, *, font: str, size) -> None:
    """A complex field (PAGE): begin, instruction, separate, the value shown until Word updates it, end."""

    def char(kind: str):
        run = _run(paragraph, "", font=font, size=size, latin=font)
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = _run(paragraph, "", font=font, size=size, latin=font)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    char("separate")
    _run(paragraph, shown, font=font, size=size, latin=font)
    char("end")


def _page_number(footer, *, odd: bool) -> None:
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(16)
    fmt.first_line_indent = Pt(0)
    # 单页码居右空一字，双页码居左空一字 (one 4号 character).
    if odd:
        fmt.right_indent = PAGE_NUMBER_SIZE
    else:
        fmt.left_indent = PAGE_NUMBER_SIZE
    _set_p_pr(paragraph._p.get_or_add_pPr(), "w:snapToGrid", "0")
    _run(paragraph, f"{DASH} ", font=SONGTI, size=PAGE_NUMBER_SIZE, latin=SONGTI)
    _field(paragraph, "PAGE", "1", font=SONGTI, size=PAGE_NUMBER_SIZE)
    _run(paragraph, f" {DASH}", font=SONGTI, size=PAGE_NUMBER_SIZE, latin=SONGTI)


def _page_numbers(document) -> None:
    section = document.sections[0]
    _page_number(section.footer, odd=True)
    _page_number(section.even_page_footer, odd=False)


# ── package ────────────────────────────────────────────────────────────────────────────────────────


def _fonts_table(document) -> None:
    """Declare the official fonts with their alternates (w:altName) and the GB2312 character set."""
    part = next(
        (rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.FONT_TABLE), None
    )
    if part is None:
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    declared = {font.get(qn("w:name")) for font in root.findall(qn("w:font"))}
    for name, alternate in ALTERNATES.items():
        if name in declared:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alternate)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
        etree.SubElement(font, qn("w:family")).set(
            qn("w:val"), "modern" if name != XIAOBIAOSONG else "script"
        )
        etree.SubElement(font, qn("w:pitch")).set(
            qn("w:val"), "fixed" if name != XIAOBIAOSONG else "variable"
        )
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _table(document, table: Table) -> None:
    columns = len(table.header)
    grid = document.add_table(rows=1, cols=columns)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = table.widths or tuple(1 / columns for _ in range(columns))
    for i, width in enumerate(widths):
        grid.columns[i].width = Pt(TEXT_WIDTH_PT * width)

    def fill(cells, texts, font):
        for i, (cell, text) in enumerate(zip(cells, texts, strict=True)):
            cell.width = Pt(TEXT_WIDTH_PT * widths[i])
            paragraph = cell.paragraphs[0]
            fmt = paragraph.paragraph_format
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            fmt.first_line_indent = Pt(0)
            _set_p_pr(paragraph._p.get_or_add_pPr(), "w:snapToGrid", "0")
            _run(paragraph, text, font=font, size=TABLE_SIZE)

    header = grid.rows[0]
    fill(header.cells, table.header, HEITI)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    for row in table.rows:
        fill(grid.add_row().cells, row, FANGSONG)
    document.add_paragraph()  # a blank line before the text goes on


def _properties(document, official: Official) -> None:
    props = document.core_properties
    props.title = official.title
    props.author = official.issuer
    props.last_modified_by = official.issuer
    props.comments = official.comments
    props.keywords = official.keywords
    moment = official.moment.astimezone(dt.UTC).replace(tzinfo=None)
    props.created = props.modified = moment
    props.revision = 1
    # The template's thumbnail is a picture of python-docx's sample page, not of this document.
    package = document.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[r_id]
