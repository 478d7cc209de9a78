import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fangkong.grid.actions import import_grids, read_grid_rows
from fangkong.lib.errors import RuleError


class Command(BaseCommand):
    help = (
        "从 .xlsx 或 .csv 导入网格（列：村（社区）代码、网格编号、网格名称），全部成功或全部不导入 / "
        "Import grids from a sheet, all or nothing"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx or .csv file")
        parser.add_argument("--user", required=True, help="username of the admin the import is done as")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, file: str, user: str, dry_run: bool, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"用户 {user} 不存在或已停用")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件 {file} 不存在")
        try:
            result = import_grids(
                actor=actor, rows=read_grid_rows(path.read_bytes(), path.name), dry_run=dry_run
            )
        except RuleError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self._print(result)
        if result["errors"]:
            raise CommandError(f"发现 {len(result['errors'])} 处错误，未导入任何网格")

    def _print(self, result: dict) -> None:
        for error in result["errors"]:
            self.stdout.write(f"第{error['row']}行 {error['column']}：{error['message']}")
        if not result["errors"]:
            verb = "将新建" if result["dry_run"] else "已新建"
            self.stdout.write(
                f"{verb} {len(result['created'])} 个网格，{len(result['unchanged'])} 个已存在未改动"
                + ("（试运行，未写入）" if result["dry_run"] else "")
            )
