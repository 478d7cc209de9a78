"""Ledgers people already keep (DOMAIN.md §11), in and out: the 返乡人员登记表 imported (rows.py: its
columns and row rules; returnees.py: writing it) and exported with the 居家隔离人员体温检测登记表
(exports.py). The generic machinery (reading sheets, headers, values, workbooks) is fangkong.imports."""

from fangkong.measures.ledgers.exports import (
    TEMPERATURE_HEADERS,
    export_returnees,
    export_temperature,
    returnee_rows,
    temperature_rows,
)
from fangkong.measures.ledgers.returnees import (
    import_returnees,
    measure_start,
    rejected_rows_workbook,
    source_key,
)
from fangkong.measures.ledgers.rows import (
    EXPORT_COLUMNS,
    LEDGER,
    REQUIRED,
    RETURNEE_COLUMNS,
    SYMPTOMS_NOTE,
    Returnee,
    measure_kind,
    read_returnees,
    split_transport,
)

__all__ = [
    "EXPORT_COLUMNS",
    "LEDGER",
    "REQUIRED",
    "RETURNEE_COLUMNS",
    "SYMPTOMS_NOTE",
    "TEMPERATURE_HEADERS",
    "Returnee",
    "export_returnees",
    "export_temperature",
    "import_returnees",
    "measure_kind",
    "measure_start",
    "read_returnees",
    "rejected_rows_workbook",
    "returnee_rows",
    "source_key",
    "split_transport",
    "temperature_rows",
]
