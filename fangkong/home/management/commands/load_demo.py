import datetime as dt
import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from fangkong.checkpoints import demo as checkpoints_demo
from fangkong.coldchain import demo as coldchain_demo
from fangkong.command import demo as command_demo
from fangkong.disinfection import demo as disinfection_demo
from fangkong.healthcodes import demo as healthcodes_demo
from fangkong.inspections import demo as inspections_demo
from fangkong.lib.errors import RuleError
from fangkong.markets import demo as markets_demo
from fangkong.measures import demo as measures_demo
from fangkong.policy.models import Kind
from fangkong.registry import demo as registry_demo
from fangkong.registry import population
from fangkong.registry.demo import DEFAULT_SEED, load_demo
from fangkong.reporting import demo as reporting_demo
from fangkong.schools import demo as schools_demo
from fangkong.situation import demo as situation_demo
from fangkong.supplies import demo as supplies_demo
from fangkong.surveillance import demo as surveillance_demo
from fangkong.testing import demo as testing_demo
from fangkong.tracing import demo as tracing_demo
from fangkong.vaccination import demo as vaccination_demo
from fangkong.venues import demo as venues_demo


def load_activity(*, seed: int = DEFAULT_SEED, now: dt.datetime | None = None) -> dict:
    """The demo county's weeks of work, relative to `now`: key persons, then venue codes and checkpoints,
    then the daily reports that count them. Each part is written once: {part: counts, or None when it
    was there already}. Call after load_demo, in a transaction."""
    now = now or timezone.now()
    context = registry_demo.demo_context()
    parts = {}
    demos = [
        measures_demo,
        healthcodes_demo,
        venues_demo,
        checkpoints_demo,
        tracing_demo,
        vaccination_demo,
        testing_demo,
        supplies_demo,
        disinfection_demo,
        inspections_demo,
        command_demo,
        schools_demo,
        markets_demo,
        coldchain_demo,
        surveillance_demo,
        reporting_demo,
        situation_demo,
    ]
    for module in demos:
        parts[module.__name__.split(".")[1]] = module.load(context=context, seed=seed, now=now)
    if any(parts.values()):
        population.refresh_planner_statistics()
    return parts


class Command(BaseCommand):
    help = "载入演示县（山东省聊城市东昌府区）及演示账号 / Load the demo county and its demo accounts (once)"

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=5000, help="households to draw (default 5000)")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="the same seed gives the same people"
        )
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")

    def handle(self, *args, households: int, seed: int, **options):
        if households < 1:
            raise CommandError("--households 应为正整数")
        started = time.perf_counter()
        try:
            with transaction.atomic():
                result = load_demo(households=households, seed=seed)
                activity = load_activity(seed=seed)
        except RuleError as exc:
            raise CommandError(str(exc)) from None
        seconds = round(time.perf_counter() - started, 2)
        created = result.created or any(activity.values())
        result.accounts = result.accounts + schools_demo.accounts(
            registry_demo.demo_context(create_staff=False).county
        )
        if options["json"]:
            payload = {
                "created": created,
                "seconds": seconds,
                **result.counts,
                "activity": activity,
                "accounts": result.accounts,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, default=str))
            return
        c = result.counts
        if result.created:
            self.stdout.write(
                f"演示县已载入（{seconds} 秒）：网格 {c['grids']} 个，单位 {c['units']} 个，"
                f"户 {c['households']} 户，人员 {c['persons']} 人。"
            )
        elif created:
            self.stdout.write(
                f"演示县此前已载入（户 {c['households']} 户，人员 {c['persons']} 人），本次补充演示业务数据（{seconds} 秒）："
            )
        else:
            self.stdout.write(
                f"演示县此前已载入，本次未做任何改动（户 {c['households']} 户，人员 {c['persons']} 人）。"
            )
        for line in _activity_lines(activity):
            self.stdout.write(line)
        self.stdout.write("演示账号（仅供演示，切勿在正式服务器上载入演示数据）：")
        self.stdout.write(_table(result.accounts))


def _activity_lines(activity: dict) -> list[str]:
    lines = []
    m = activity.get("measures")
    if m:
        active = m["active"]
        kinds = "、".join(f"{Kind(k).label}{n}" for k, n in active.items() if n)
        lines.append(
            f"  重点人员：近{measures_demo.DAYS}天排查 {m['screened']} 人，在管 {sum(active.values())} 人"
            f"（{kinds}），已解除 {m['released']} 人；随访 {m['follow_ups']} 次，"
            f"预警 {m['alerts']} 条（未处置 {m['alerts_open']} 条），核酸 {m['tests']} 次，集中隔离点 {m['sites']} 个。"
        )
    k = {
        **(activity.get("healthcodes") or {}),
        **(activity.get("venues") or {}),
        **(activity.get("checkpoints") or {}),
    }
    if k:
        lines.append(
            f"  场所码：场所 {k.get('venues', 0)} 个，近{venues_demo.CHECKIN_DAYS}天扫码 {k.get('checkins', 0)} 人次，"
            f"风险区 {k.get('risk_areas', 0)} 个；卡口 {k.get('checkpoints', 0)} 个，班次 {k.get('shifts', 0)} 个，"
            f"通行 {k.get('passages', 0)} 次（劝返 {k.get('turned_back', 0)}，引导至发热门诊 {k.get('fever_clinic', 0)}）。"
        )
    t = activity.get("tracing")
    if t:
        lines.append(
            f"  病例流调：病例 {t['cases']} 例，时空交集等待判定人员 {t['candidates']} 人，"
            f"判定密切接触者 {t['decided']} 人（采取措施 {t['measures']} 人，协查移交 {t['handed_over']} 人）。"
        )
    v = activity.get("vaccination")
    if v:
        lines.append(
            f"  疫苗接种：接种点 {v['sites']} 个，接种 {v['doses']} 剂次，完成全程 {v['full']} 人，"
            f"暂缓或禁忌 {v['deferrals']} 人。"
        )
    n = activity.get("testing")
    if n:
        lines.append(
            f"  核酸检测：采样点 {n['points']} 个；全员核酸应检 {n['target']} 人，已采样 {n['sampled']} 人"
            f"（{n['tubes']} 管，已出结果 {n['results']} 管），重点人群 {n['key_group']} 人。"
        )
    o = activity.get("supplies")
    if o:
        lines.append(
            f"  防疫物资：库点 {o['stores']} 个，入库 {o['receipts']} 笔（捐赠 {o['donations']}），调拨 {o['transfers']} 笔，"
            f"领用 {o['issues']} 笔。"
        )
    d = activity.get("disinfection")
    if d:
        lines.append(f"  消杀：场所 {d['places']} 个，近7天消杀记录 {d['entries']} 条。")
    i, c = activity.get("inspections"), activity.get("command")
    if i or c:
        i, c = i or {}, c or {}
        lines.append(
            f"  督查与指挥：检查 {i.get('inspections', 0)} 家次，复查 {i.get('reinspections', 0)} 次，整改单 "
            f"{i.get('orders', 0)} 项（逾期上报 {i.get('escalated', 0)}），停业整顿 {i.get('closures', 0)} 家；"
            f"工作组 {c.get('groups', 0)} 个，任务 {c.get('tasks', 0)} 项，值班 {c.get('shifts', 0)} 班。"
        )
    s = activity.get("schools")
    if s:
        lines.append(
            f"  学校：{s['schools']} 所，{s['classes']} 个班，学生 {s['pupils']} 人（与实有人口关联 {s['linked']} 人），"
            f"晨午检 {s['checks']} 班次，班级症状预警 {s['alerts']} 条；账号 demo_education / demo_teacher。"
        )
    m = activity.get("markets")
    if m:
        lines.append(
            f"  市场监管：药店 {m['pharmacies']} 家，实名购药 {m['purchases']} 人次（推送社区核查 {m['followups']}），"
            f"周报 {m['weekly']} 份，聚餐上报 {m['gatherings']} 条，检查经营户 {m['inspections']} 家次。"
        )
    r = activity.get("reporting")
    if r:
        lines.append(
            f"  日报告：报告单位 {r['reporting_units']} 个；演示镇街各村近{reporting_demo.REPORT_DAYS}天日报告 "
            f"{r['reports']} 份（零报告 {r['zero']}，迟报 {r['late']}，缺报 {r['missing']}），"
            f"情况报告文字 {(activity.get('situation') or {}).get('situation_notes', 0)} 份。"
        )
    return lines


def _width(text: str) -> int:
    """Display width: a Chinese character takes two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _table(accounts: list[dict]) -> str:
    header = {"role": "角色", "node": "辖区", "username": "用户名", "password": "密码"}
    rows = [header, *accounts]
    keys = list(header)
    widths = {k: max(_width(r[k]) for r in rows) for k in keys}
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join(row[k] + " " * (widths[k] - _width(row[k])) for k in keys).rstrip())
        if i == 0:
            lines.append("  ".join("-" * widths[k] for k in keys))
    return "\n".join(lines)
