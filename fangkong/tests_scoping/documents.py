"""The text a person would read in a response: HTML and JSON as they are, and the cells of an .xlsx, the
paragraphs and tables of a .docx and the text of a PDF, so that a marker inside a download is seen."""

import io
import zipfile

import openpyxl
import pypdf
from docx import Document


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    cells = []
    for sheet in book.worksheets:
        cells.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            cells.extend(str(value) for value in row if value is not None)
    return "\n".join(cells)


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        for part in (section.header, section.footer):
            parts.extend(p.text for p in part.paragraphs)
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def document_text(data: bytes) -> tuple[str, str]:
    """(format, text) of an .xlsx, .docx or PDF file; ("", "") for anything else."""
    if data[:4] == b"PK\x03\x04":
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        if any(n.startswith("xl/") for n in names):
            return "xlsx", xlsx_text(data)
        if any(n.startswith("word/") for n in names):
            return "docx", docx_text(data)
    if data[:5] == b"%PDF-":
        return "pdf", pdf_text(data)
    return "", ""


def text_of(response) -> str:
    """What the response says, whatever its format (the raw bytes too: a marker may sit in metadata)."""
    data = body_of(response)
    return data.decode(errors="replace") + "\n" + document_text(data)[1]
