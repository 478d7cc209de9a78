"""fangkong report situation --node CODE --as-of "YYYY-MM-DD HH:MM" --format docx|json|pdf --out FILE
[--user USERNAME]

Every figure is as it stood at --as-of and counts only what had been recorded by then, so a past moment
gives the same report whenever it is made.

With --user the report is made as that user (who must be able to see the node) and the export is audited
like a download from the page; without it, as the operator of the server, not audited."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fangkong.grid.models import Jurisdiction
from fangkong.lib.errors import RuleError
from fangkong.situation import actions, compose, pdf


class Command(BaseCommand):
    help = "生成情况报告 / Generate the situation report (情况报告) of a node as .docx, .pdf or .json"

    def add_arguments(self, parser):
        reports = parser.add_subparsers(dest="report", required=True, metavar="situation")
        situation = reports.add_parser("situation", help="情况报告")
        situation.add_argument("--node", required=True, help="jurisdiction code, e.g. 371502103")
        situation.add_argument(
            "--as-of",
            dest="as_of",
            default="",
            help='"YYYY-MM-DD HH:MM" or 2020年1月28日12时 (Asia/Shanghai); default: the current hour',
        )
        situation.add_argument("--format", dest="fmt", choices=actions.FORMATS, default=actions.DOCX)
        situation.add_argument("--out", required=True, help="file to write; - writes JSON to stdout")
        situation.add_argument("--user", default="", help="make and audit the export as this user")

    def handle(self, *args, report: str, node: str, as_of: str, fmt: str, out: str, user: str, **options):
        jurisdiction = Jurisdiction.objects.filter(code=node.strip()).first()
        if jurisdiction is None:
            raise CommandError(f"辖区代码 {node} 不存在")
        if fmt == actions.PDF and not pdf.available():
            raise CommandError(pdf.UNAVAILABLE.replace("请下载 .docx 文件", "请改用 --format docx"))
        if out == "-" and fmt != actions.JSON:
            raise CommandError("只有 --format json 可以输出到标准输出（--out -）")
        try:
            moment = compose.parse_as_of(as_of) if as_of.strip() else compose.default_as_of()
            if user:
                content = self.as_user(user, jurisdiction, moment, fmt)
            else:
                content = actions.render(compose.compose(node=jurisdiction, as_of=moment), fmt)
        except RuleError as exc:
            raise CommandError("；".join(exc.errors.values())) from None
        if out == "-":
            self.stdout.write(content.decode())
            return
        Path(out).write_bytes(content)
        self.stderr.write(f"已写入 {out}（{len(content)} 字节，{compose.as_of_text(moment)}）")

    def as_user(self, username: str, node: Jurisdiction, moment, fmt: str) -> bytes:
        account = get_user_model().objects.filter(username=username, is_active=True).first()
        if account is None:
            raise CommandError(f"用户 {username} 不存在或已停用")
        return actions.export_situation(actor=account, node=node, as_of=moment, fmt=fmt).content
