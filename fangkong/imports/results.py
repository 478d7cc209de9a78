"""What an import did (or, in a dry run or preview, would do): the counts, and every problem with its
row as Excel shows it, the column as the file heads it and the reason in Chinese."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from fangkong.audit.actions import record
from fangkong.audit.models import Action

from .reading import Table


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class ImportResult:
    rows: int = 0  # data rows read (blank, 合计 and signature rows not counted)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    plan: list[dict] = field(default_factory=list)  # one line per person, for the preview
    dry_run: bool = False
    written: bool = False
    refused: str = ""  # why nothing was written although asked to (--strict)
    table: Table | None = field(default=None, repr=False)  # the rows as read, for the rejected workbook

    def reject(self, row: int, column: str, reason: str) -> None:
        self.rejected.append(Problem(row, column, reason))

    def warn(self, row: int, column: str, reason: str) -> None:
        self.warnings.append(Problem(row, column, reason))

    @property
    def rejected_rows(self) -> dict[int, list[str]]:
        """Excel row → its reasons ("身份证号：校验位错误"), for the rejected-rows workbook."""
        reasons: dict[int, list[str]] = {}
        for p in self.rejected:
            reasons.setdefault(p.row, []).append(f"{p.column}：{p.reason}" if p.column else p.reason)
        return reasons

    def summary(self) -> dict:
        """Exactly what `fangkong import … --json` prints."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [p.as_dict() for p in self.rejected],
            "warnings": [p.as_dict() for p in self.warnings],
        }


def write_all(
    result: ImportResult,
    *,
    actor,
    target,
    node_path: str,
    ledger: str,
    filename: str,
    request,
    write: Callable,
) -> ImportResult:
    """The end of an importer that writes all or nothing: nothing for a dry run or a rejected row; else
    `write()` (the actions for each row) and the import's own audit row, in one transaction."""
    if result.dry_run or result.rejected:
        return result
    with transaction.atomic():
        write()
        record(
            actor=actor,
            action=Action.IMPORT,
            target=target,
            node_path=node_path,
            request=request,
            ledger=ledger,
            filename=filename,
            created=result.created,
            updated=result.updated,
        )
        result.written = True
    return result
