from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from fangkong.grid import scoping
from fangkong.lib.errors import RuleError
from fangkong.measures import ledgers
from fangkong.measures.queries import access_measure


class Command(BaseCommand):
    help = (
        "导出台账为 Excel（returnees：返乡人员登记表；temperature：体温检测登记表），按账号的辖区范围，记入审计 / "
        "Export a ledger as .xlsx, scoped to the user and audited"
    )

    def add_arguments(self, parser):
        parser.add_argument("ledger", choices=["returnees", "temperature"])
        parser.add_argument("--node", help="code of the node (returnees)")
        parser.add_argument("--measure", type=int, help="measure id (temperature)")
        parser.add_argument("--out", required=True, help="the .xlsx file to write")
        parser.add_argument("--user", required=True, help="username the export is done as")
        parser.add_argument(
            "--full", action="store_true", help="unmasked ID and phone numbers (needs REVEAL)"
        )

    def handle(self, *args, ledger, out, user, full, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"用户 {user} 不存在或已停用")
        try:
            if ledger == "returnees":
                if not options["node"]:
                    raise CommandError("请用 --node 指定辖区代码")
                node = scoping.access_jurisdiction(actor, options["node"])
                name, content = ledgers.export_returnees(actor=actor, node=node, full=full)
            else:
                if not options["measure"]:
                    raise CommandError("请用 --measure 指定管控措施编号")
                measure = access_measure(actor, options["measure"])
                name, content = ledgers.export_temperature(actor=actor, measure=measure, full=full)
        except Http404:
            raise CommandError("辖区或措施不存在，或不在您的辖区范围内") from None
        except RuleError as exc:
            raise CommandError("；".join(exc.errors.values())) from None
        Path(out).write_bytes(content)
        self.stdout.write(f"已导出 {name} → {out}")
