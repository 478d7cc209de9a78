import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fangkong.grid.models import Jurisdiction
from fangkong.lib.errors import RuleError
from fangkong.measures import ledgers
from fangkong.measures.ledgers import import_returnees

LEDGERS = {"returnees": import_returnees}


class Command(BaseCommand):
    help = (
        "导入台账（returnees：返乡人员登记表）：通过校验的行一次全部写入，未通过的行列出原因 / "
        "Import a ledger; valid rows in one transaction, rejected rows reported"
    )

    def add_arguments(self, parser):
        parser.add_argument("ledger", choices=sorted(LEDGERS), help="which ledger: returnees")
        parser.add_argument("file", help=".xlsx or .csv file")
        parser.add_argument("--node", required=True, help="code of the village or grid to import into")
        parser.add_argument("--user", required=True, help="username the import is done as")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--strict", action="store_true", help="write nothing when any row is rejected")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument("--rejected-out", help="write the rejected rows (with reasons) to this .xlsx")

    def handle(self, *args, ledger, file, node, user, dry_run, strict, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"用户 {user} 不存在或已停用")
        target = Jurisdiction.objects.filter(code=node).first()
        if target is None:
            raise CommandError(f"辖区代码 {node} 不存在")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件 {file} 不存在")
        data = path.read_bytes()
        try:
            result = LEDGERS[ledger](
                actor=actor, node=target, data=data, filename=path.name, dry_run=dry_run, strict=strict
            )
        except RuleError as exc:
            raise CommandError("；".join(exc.errors.values())) from None
        if options["rejected_out"] and result.rejected:
            Path(options["rejected_out"]).write_bytes(
                ledgers.rejected_rows_workbook(data=data, filename=path.name)
            )
        if options["json"]:
            self.stdout.write(json.dumps(result.summary(), ensure_ascii=False))
        else:
            self._print(result)
        if result.refused:
            raise CommandError(result.refused)

    def _print(self, result) -> None:
        for p in result.rejected:
            self.stdout.write(f"未导入 第{p.row}行 {p.column}：{p.reason}")
        for p in result.warnings:
            self.stdout.write(f"提醒 第{p.row}行 {p.column}：{p.reason}")
        if result.refused:
            return
        verb = "将" if result.dry_run else "已"
        self.stdout.write(
            f"共{result.rows}行：{verb}新增{result.created}人，{verb}更新{result.updated}人，"
            f"无变化{result.unchanged}人，未通过校验{len(result.rejected_rows)}行"
            + ("（试运行，未写入）" if result.dry_run else "")
        )
