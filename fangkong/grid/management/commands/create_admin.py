import getpass
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from fangkong.grid.actions import create_admin
from fangkong.grid.models import Jurisdiction
from fangkong.lib.errors import RuleError


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = (
        "创建某辖区（县、乡镇）的管理员账号，用于新安装 / Create the administrator of a node (the first "
        "account of an installation, after migrate and load-divisions)"
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--node", required=True, help="辖区代码, e.g. 371502")
        parser.add_argument("--full-name", default="", help="姓名 (default: the node's name + 管理员)")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin (one line)"
        )
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")

    def handle(self, *args, username: str, node: str, full_name: str, password_stdin: bool, **options):
        self.stdin = options.get("stdin") or sys.stdin  # call_command(stdin=...) in tests
        jurisdiction = Jurisdiction.objects.filter(code=node.strip()).first()
        if jurisdiction is None:
            raise CommandError(f"辖区 {node} 不存在（请先运行 load-divisions）")
        password = self.read_password(password_stdin)
        try:
            create_admin(
                username=username,
                full_name=full_name or f"{jurisdiction.name}管理员",
                password=password,
                node=jurisdiction,
            )
        except RuleError as exc:
            raise CommandError("；".join(f"{reason}" for reason in exc.errors.values())) from None
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"username": username, "node": jurisdiction.code, "role": "admin"}, ensure_ascii=False
                )
            )
        else:
            self.stdout.write(f"已创建 {jurisdiction.name}（{jurisdiction.code}）管理员 {username}")

    def read_password(self, from_stdin: bool) -> str:
        if from_stdin:
            return self.stdin.readline().rstrip("\r\n")
        if not self.stdin.isatty():
            raise CommandError("没有终端可询问密码：请用 --password-stdin 从标准输入读入")
        for _ in range(3):
            first = getpass.getpass("密码 / Password: ")
            if first and first == getpass.getpass("再输入一次 / Again: "):
                return first
            self.stderr.write("两次输入的密码不一致，请重新输入")
        raise CommandError("两次输入的密码不一致")
