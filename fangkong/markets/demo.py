"""The demo county's market supervision: two pharmacies per township with two weeks of real-name
purchases (registered residents, passed to their communities when they bought fever medicine, and a few
strangers for the townships to find), the weekly reports of the last two weeks (one pharmacy late), two
weeks of the townships' gatherings, and market inspections with the market checklist. Loaded by home's
load_demo, relative to `now`, once."""

import datetime as dt
import random

from django.utils import timezone

from fangkong.inspections import actions as inspection_actions
from fangkong.inspections.models import ChecklistTemplate, Rectification
from fangkong.lib.idcard import make
from fangkong.registry.models import Person, Unit
from fangkong.venues.models import Venue

from . import actions, rules
from .models import FeverFollowUp, Gathering, Pharmacy, Purchase

DAYS = 14
DRUGS = {
    "fever": ["布洛芬缓释胶囊", "对乙酰氨基酚片", "复方氨酚烷胺片"],
    "cough": ["复方甘草片", "止咳糖浆", "右美沙芬片"],
    "antiviral": ["奥司他韦胶囊", "利巴韦林颗粒"],
    "antibiotic": ["阿莫西林胶囊", "头孢克肟片", "罗红霉素片"],
}
NAMES = ["老百姓大药房", "益丰大药房", "漱玉平民大药房", "同仁堂药店", "惠民药店", "康宁药房"]
STRANGERS = ["赵立新", "钱海燕", "孙国强", "周丽", "吴建华"]


def is_loaded(context) -> bool:
    return Pharmacy.objects.filter(node__path__startswith=context.county.path).exists()


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    if is_loaded(context):
        return None
    now = now or timezone.now()
    today = timezone.localdate(now)
    rng = random.Random(f"{seed}-markets")
    admin = context.users["county"]
    pharmacies = []
    for t, township in enumerate(context.townships):
        grids = [g for village in context.gridded[t] for g in village.children.order_by("code")]
        for i in range(2):
            node = grids[i % len(grids)] if grids else township
            pharmacies.append(
                actions.create_pharmacy(
                    actor=admin,
                    node=node,
                    name=f"{township.name}{NAMES[(2 * t + i) % len(NAMES)]}",
                    licence_no=f"鲁CA{6350000 + 10 * t + i}",
                    address=f"{township.name}商业街{10 + i}号",
                    contact_name="店长",
                )
            )
    people = list(
        Person.objects.filter(node__path__startswith=context.county.path)
        .order_by("id")
        .values_list("name", "id_number", "phone")[:2000]
    )
    purchases = 0
    for day_back in range(DAYS, -1, -1):
        day = today - dt.timedelta(days=day_back)
        for pharmacy in pharmacies:
            for _ in range(rng.randint(1, 4)):
                at = dt.datetime.combine(
                    day, dt.time(rng.randint(8, 20), rng.randint(0, 59)), tzinfo=rules.SHANGHAI
                )
                if at > now:
                    continue
                drug_class = rng.choices(list(DRUGS), weights=[4, 3, 1, 2])[0]
                if people and rng.random() < 0.9:
                    name, id_number, phone = rng.choice(people)
                else:
                    name = rng.choice(STRANGERS)
                    id_number = make(
                        "371502",
                        dt.date(1970 + rng.randint(0, 30), rng.randint(1, 12), 15),
                        rng.randint(1, 900),
                    )
                    phone = ""
                if len(id_number) != 18:
                    continue
                actions.record_purchase(
                    actor=admin,
                    pharmacy=pharmacy,
                    buyer_name=name,
                    id_number=id_number,
                    phone=phone,
                    drug=rng.choice(DRUGS[drug_class]),
                    drug_class=drug_class,
                    quantity=rng.randint(1, 2),
                    purchased_at=at,
                    now=now,
                )
                purchases += 1
    # Entered when they happened, so a report as of a past moment counts them.
    for purchase in Purchase.objects.filter(pharmacy__in=pharmacies):
        Purchase.objects.filter(pk=purchase.pk).update(created_at=purchase.purchased_at)
        FeverFollowUp.objects.filter(purchase=purchase).update(created_at=purchase.purchased_at)
    # Most follow-ups older than a day are done.
    for task in FeverFollowUp.objects.filter(purchase__pharmacy__in=pharmacies, due_at__lt=now):
        if rng.random() < 0.85:
            actions.complete_followup(
                actor=admin, followup=task, outcome="已电话联系，体温正常，嘱其出现症状及时就医"
            )
            FeverFollowUp.objects.filter(pk=task.pk).update(done_at=task.due_at - dt.timedelta(hours=2))
    # The weekly reports of the last two full weeks, from the week's registrations; one pharmacy late.
    from .queries import purchase_counts_by_class

    weekly = 0
    this_monday = rules.week_start(today)
    for monday in (this_monday - dt.timedelta(days=14), this_monday - dt.timedelta(days=7)):
        for n, pharmacy in enumerate(pharmacies):
            if monday == this_monday - dt.timedelta(days=7) and n == len(pharmacies) - 1:
                continue
            counts = purchase_counts_by_class(pharmacy, monday)
            actions.submit_weekly(actor=admin, pharmacy=pharmacy, week_start=monday, now=now, **counts)
            weekly += 1
    # The townships' gatherings, every day of the two weeks.
    gatherings = 0
    for township in context.townships:
        for day_back in range(DAYS, 0, -1):
            reported = rng.randint(0, 4)
            actions.record_gatherings(
                actor=admin,
                node=township,
                day=today - dt.timedelta(days=day_back),
                reported=reported,
                cancelled=rng.randint(0, reported),
                tables_cancelled=rng.randint(0, 10) * (reported > 0),
            )
            gatherings += 1
    for g in Gathering.objects.filter(node__in=context.townships):
        created = dt.datetime.combine(g.day, dt.time(20, 0), tzinfo=rules.SHANGHAI)
        Gathering.objects.filter(pk=g.pk).update(created_at=created)
    inspections = _inspections(context, rng, now, pharmacies)
    return {
        "pharmacies": len(pharmacies),
        "purchases": purchases,
        "followups": FeverFollowUp.objects.filter(purchase__pharmacy__in=pharmacies).count(),
        "weekly": weekly,
        "gatherings": gatherings,
        "inspections": inspections,
    }


def _inspections(context, rng, now, pharmacies) -> int:
    template = ChecklistTemplate.objects.get(node__isnull=True, name=rules.CHECKLIST_NAME)
    items = list(template.items.filter(active=True).order_by("position"))
    venues = list(
        Venue.objects.filter(
            node__path__startswith=context.county.path, kind__in=("market", "shop", "restaurant")
        )
        .select_related("node")
        .order_by("-id")[:30]
    )
    units = list(Unit.objects.filter(pk__in=[p.unit_id for p in pharmacies]).select_related("node"))
    done = 0
    for target in venues + units:
        at = (now - dt.timedelta(days=rng.uniform(0.2, DAYS))).replace(second=0, microsecond=0)
        failed = {i for i in range(len(items)) if rng.random() < 0.07}
        inspection = inspection_actions.record_inspection(
            actor=context.users["county"],
            target=target,
            template=template,
            inspected_at=at,
            inspectors="市场监管所 王强、李静",
            results=[
                {
                    "item": it,
                    "text": it.text,
                    "passed": i not in failed,
                    "note": "" if i not in failed else "不符合要求",
                }
                for i, it in enumerate(items)
            ],
            owner="负责人",
            requirement="立即整改，整改完成后报市场监管所复查",
        )
        type(inspection).objects.filter(pk=inspection.pk).update(created_at=at)
        Rectification.objects.filter(finding__inspection=inspection).update(created_at=at)
        done += 1
    return done
