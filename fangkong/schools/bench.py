"""`fangkong bench schools`: the education bureau's completeness page of a county's schools.

A county (the demo county's divisions) with `schools` schools spread over its villages, `classes` classes in
all (20 a school by default), a few pupils a class, and a term of checks: every class's morning and noon
check on each school day of `days` (weekdays), a pupil marked at one check in MARKED_EVERY. The data is
written in bulk (it is not what is timed); the page is asked for as the bureau's browser would, the last
school day, through the test client. Target (issue 14): 300 schools, 6,000 classes, a term → < 300 ms."""

import datetime as dt
import secrets
import statistics
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from fangkong.grid.divisions import load_county
from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib.errors import RuleError
from fangkong.registry.population import DEMO_COUNTY, bootstrap_admin

from . import actions
from .models import Check, CheckEntry, Member, School, SchoolClass, Status

TARGET_MS = 300.0
PUPILS = 5  # per class: the page does not read rosters, the entries need someone to mark
MARKED_EVERY = 20
BATCH = 20_000
BUREAU_USER = "bench_education"


def _school_days(last: dt.date, days: int) -> list[dt.date]:
    out, day = [], last
    while len(out) < days:
        if day.weekday() < 5:
            out.append(day)
        day -= dt.timedelta(days=1)
    return sorted(out)


def _build(*, schools: int, classes: int, days: int, progress) -> dict:
    if School.objects.exists():
        raise RuleError(
            {"database": "数据库中已有学校：基准测试需要空数据库（默认使用 var/bench/ 下的独立文件）"}
        )
    load_county(DEMO_COUNTY)
    county = Jurisdiction.objects.get(code=DEMO_COUNTY)
    admin = bootstrap_admin(
        username="bench_schools_admin",
        password=secrets.token_urlsafe(16),
        full_name="基准县管理员",
        node=county,
    )
    bureau = actions.create_bureau(actor=admin, county=county, name="基准县教育局")
    officer = get_user_model().objects.create_user(username=BUREAU_USER, password=secrets.token_urlsafe(16))
    actions.add_bureau_member(actor=admin, bureau=bureau, user=officer)
    villages = list(
        Jurisdiction.objects.filter(path__startswith=county.path, level=Level.VILLAGE).order_by("path")
    )
    per_school = max(1, classes // schools)
    with transaction.atomic():
        School.objects.bulk_create(
            [
                School(node=villages[n % len(villages)], name=f"基准学校{n + 1:03d}", stage="primary")
                for n in range(schools)
            ]
        )
        made = list(School.objects.order_by("pk"))
        SchoolClass.objects.bulk_create(
            [
                SchoolClass(
                    school=s, grade=f"{g // 4 + 1}年级", grade_order=g // 4 + 1, name=f"{g % 4 + 1}班"
                )
                for s in made
                for g in range(per_school)
            ],
            batch_size=5000,
        )
        klasses = list(SchoolClass.objects.order_by("pk").values_list("pk", "school_id"))
        Member.objects.bulk_create(
            [
                Member(school_id=school_id, school_class_id=pk, name=f"学生{pk}-{i}")
                for pk, school_id in klasses
                for i in range(PUPILS)
            ],
            batch_size=5000,
        )
    first_member = {}
    for class_id, member_id in Member.objects.order_by("-pk").values_list("school_class_id", "pk"):
        first_member[class_id] = member_id
    school_days = _school_days(timezone.localdate(), days)
    at = timezone.now()
    written = 0
    n = 0
    for day in school_days:
        with transaction.atomic():
            checks = [
                Check(
                    school_class_id=pk,
                    school_id=school_id,
                    day=day,
                    slot=slot,
                    enrolled=PUPILS,
                    present=PUPILS,
                    absent_illness=0,
                    absent_other=0,
                    symptomatic=0,
                    submitted_by=officer,
                    submitted_at=at,
                )
                for pk, school_id in klasses
                for slot in ("morning", "noon")
            ]
            marked = []
            for c in checks:
                n += 1
                if n % MARKED_EVERY == 0:
                    c.absent_illness, c.present = 1, PUPILS - 1
                    marked.append(c)
            Check.objects.bulk_create(checks, batch_size=5000)
            if marked and marked[0].pk is None:
                ids = {
                    (r[0], r[1]): r[2]
                    for r in Check.objects.filter(day=day).values_list("school_class_id", "slot", "pk")
                }
                for c in marked:
                    c.pk = ids[(c.school_class_id, c.slot)]
            CheckEntry.objects.bulk_create(
                [
                    CheckEntry(
                        school_check_id=c.pk,
                        day=day,
                        member_id=first_member[c.school_class_id],
                        status=Status.ABSENT_ILLNESS,
                    )
                    for c in marked
                ],
                batch_size=5000,
            )
        written += len(checks)
        progress(f"晨午检：{day:%Y-%m-%d}，累计 {written} 次……")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, as after a term of daily use
    return {"county": county, "officer": officer, "days": school_days, "checks": written}


def _reuse(*, schools: int, classes: int) -> dict | None:
    """The bench county of an earlier run, when the database holds one of the same size."""
    officer = get_user_model().objects.filter(username=BUREAU_USER).first()
    if officer is None:
        return None
    if School.objects.count() != schools or SchoolClass.objects.count() != classes:
        raise RuleError({"database": "该数据库中的基准学校规模不同，请换一个数据库"})
    days = sorted(Check.objects.order_by().values_list("day", flat=True).distinct())
    return {"officer": officer, "days": days, "checks": Check.objects.count()}


def run_schools_bench(
    *, schools: int = 300, classes: int = 6000, days: int = 90, repeat: int = 10, progress=print
):
    started = time.perf_counter()
    built = _reuse(schools=schools, classes=classes) or _build(
        schools=schools, classes=classes, days=days, progress=progress
    )
    setup_s = round(time.perf_counter() - started, 1)
    client = Client()
    client.force_login(built["officer"])
    last = built["days"][-1]
    url = reverse("schools_home") + f"?day={last.isoformat()}"
    times = []
    with override_settings(DEBUG=False):
        for _ in range(repeat + 1):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.status_code
    times = times[1:]  # the first warms the caches
    text = response.content.decode()
    return {
        "database": connection.vendor,
        "loadavg": Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else None,
        "schools": School.objects.count(),
        "classes": SchoolClass.objects.count(),
        "checks": Check.objects.count(),
        "entries": CheckEntry.objects.count(),
        "school_days": len(built["days"]),
        "setup_s": setup_s,
        "page": {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)},
        "page_shows_all_schools": text.count("基准学校") >= schools,
        "target_ms": TARGET_MS,
    }
