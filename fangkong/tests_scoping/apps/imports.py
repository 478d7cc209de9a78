"""Spreadsheets in: an upload of grid 07's worker for grid 07, which the import pages of every ledger
that is not kept per store or place (returnees, inspections, duty, tasks, key groups, vaccination) preview.
The files live under VAR_DIR, which the fixture points at a temporary folder."""

from fangkong.imports import uploads


def records(w, r) -> dict:
    upload = uploads.save_upload(user=w.grid07_worker, node_code=w.grid07.code, filename="l.xlsx", data=b"x")
    return {"upload": upload}
