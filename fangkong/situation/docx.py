"""The situation report as a Word file laid out per GB/T 9704-2012 (党政机关公文格式): the layout itself is
fangkong/lib/gbt9704.py, shared with the investigation report; here only what the situation puts in it."""

from fangkong.lib import gbt9704
from fangkong.lib.gbt9704 import signature_indents, text_width, title_lines
from fangkong.situation import compose

__all__ = ["render", "signature_indents", "text_width", "title_lines"]


def render(situation: compose.Situation) -> bytes:
    blocks = []
    for paragraph in situation.paragraphs:
        if paragraph.kind == compose.HEADING:
            blocks.append(gbt9704.Heading(paragraph.text))
        elif paragraph.kind == compose.BODY:
            blocks.append(gbt9704.Body(paragraph.text))
    official = gbt9704.Official(
        title=situation.title,
        issuer=situation.issuer,
        date_text=situation.date_text,
        moment=situation.as_of,
        blocks=blocks,
        comments=situation.as_of_text,
        keywords="情况报告",
    )
    return gbt9704.render(official)
