import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fangkong.grid.models import Jurisdiction
from fangkong.vaccination.actions import recount


class Command(BaseCommand):
    help = "按现行防控政策的疫苗产品表重新判定接种史（首针、全程、加强）/ Re-read every vaccination history under the product table in force"

    def add_arguments(self, parser):
        parser.add_argument("--node", help="辖区代码，默认全部")
        parser.add_argument("--user", required=True, help="执行人账号（写入审计日志）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        try:
            actor = get_user_model().objects.get(username=options["user"])
            node = Jurisdiction.objects.get(code=options["node"]) if options["node"] else None
        except (get_user_model().DoesNotExist, Jurisdiction.DoesNotExist) as exc:
            raise CommandError(str(exc)) from None
        changed = recount(actor=actor, node=node)
        if options["json"]:
            self.stdout.write(json.dumps({"changed": changed}))
            return
        self.stdout.write(f"重新判定完成：{changed} 剂次的判定有变化")
