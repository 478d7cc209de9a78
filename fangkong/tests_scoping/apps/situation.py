"""The situation report of grid 07, in each of its formats."""

from fangkong.situation import pdf as situation_pdf

ROUTES = {
    "situation_home": lambda w, r: ({}, f"node={w.grid07.code}"),
    "situation_node": lambda w, r: ({"code": w.grid07.code}, ""),
    "situation_notes": lambda w, r: ({"code": w.grid07.code}, ""),
    "situation_download": lambda w, r: ({"code": w.grid07.code, "fmt": "json"}, ""),
}

MORE_URLS = {
    "situation_download": lambda w, r: [
        ({"code": w.grid07.code, "fmt": fmt}, "as_of=")  # empty: the default time
        for fmt in ("docx", "json", *(["pdf"] if situation_pdf.available() else []))  # PDF needs LibreOffice
    ],
}
