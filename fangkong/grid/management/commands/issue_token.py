import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fangkong.grid.actions import issue_api_token
from fangkong.lib.errors import RuleError


class Command(BaseCommand):
    help = "为账号签发 API 令牌，令牌只显示这一次 / Issue an API token for a user (shown once)"

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username")
        parser.add_argument("--name", required=True, help="what the token is for, e.g. 数据对接")
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")

    def handle(self, *args, user: str, name: str, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"账号 {user} 不存在或已停用")
        try:
            token, raw = issue_api_token(actor=account, name=name)
        except RuleError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(
                json.dumps({"user": user, "name": token.name, "token": raw}, ensure_ascii=False)
            )
        else:
            self.stdout.write(raw)
            self.stderr.write(f"已为 {user} 签发令牌“{token.name}”。令牌只显示这一次，请妥善保存。")
