"""Benchmark: one case's contact search and the bulk decision of its 200 contacts, end to end through the
actions (the investigator's two clicks).

    .venv/bin/python bench/tracing_decisions.py [--contacts 200] [--people 20000] [--repeat 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_bench .venv/bin/python bench/tracing_decisions.py

Builds, in a throw-away test database (a temporary SQLite file, or test_<name> on PostgreSQL), a county
with one township of 10 villages of 2 grids (a grid worker each, a township cadre), `--people` residents
with their code identities, 20 venues with 14 days of background check-ins (`--people` × 3 stays), a
quarantine site with enough rooms, the 2021 preset (close contacts: central quarantine), and a case whose
two-hour stay at a restaurant `--contacts` people overlapped (a tenth of them visitors registered nowhere
here: hand-overs). Then times, each run rolled back: `search_contacts` (co-presence search + household +
upserts), `decide` of every candidate as close contact in one call (screenings, measures with rooms,
caretakers, audit rows), and the same decision again (nothing to do). Prints the median, the queries of
each step and the process's peak memory.
"""

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from fangkong.grid.models import Jurisdiction, Level, Membership, Role  # noqa: E402
from fangkong.healthcodes.models import Identity  # noqa: E402
from fangkong.lib.idcard import make  # noqa: E402
from fangkong.measures import actions as measure_actions  # noqa: E402
from fangkong.policy.actions import set_policy  # noqa: E402
from fangkong.registry.models import Person, Sex, Verification  # noqa: E402
from fangkong.tracing import actions  # noqa: E402
from fangkong.tracing.models import Candidate  # noqa: E402
from fangkong.tracing.rules import SHANGHAI  # noqa: E402
from fangkong.venues.models import CheckIn, Venue, VenueKind  # noqa: E402

BATCH = 2000


class Rollback(Exception):
    pass


def node(code, name, level, parent):
    return Jurisdiction.objects.create(
        code=code, name=name, level=level, parent=parent, path=f"{parent.path if parent else ''}{code}/"
    )


def build(n_people: int, n_contacts: int, seed: int = 11) -> dict:
    rnd = random.Random(seed)
    users = get_user_model()
    province = node("37", "山东省", Level.PROVINCE, None)
    city = node("3715", "聊城市", Level.CITY, province)
    county = node("371502", "东昌府区", Level.COUNTY, city)
    township = node("371502103", "梁水镇", Level.TOWNSHIP, county)
    admin = users.objects.create_user(username="county", password=None, first_name="县疾控")
    Membership.objects.create(user=admin, node=county, role=Role.ADMIN)
    cadre = users.objects.create_user(username="cadre", password=None)
    Membership.objects.create(user=cadre, node=township, role=Role.TOWNSHIP_STAFF)
    grids = []
    for v in range(10):
        village = node(f"371502103{201 + v}", f"第{v + 1}村委会", Level.VILLAGE, township)
        for g in range(2):
            grid = node(f"{village.code}-0{g + 1}", f"第{g + 1}网格", Level.GRID, village)
            worker = users.objects.create_user(username=f"worker{v}_{g}", password=None)
            Membership.objects.create(user=worker, node=grid, role=Role.GRID_WORKER)
            grids.append(grid)
    set_policy(actor=admin, node=county, effective_from=dt.date(2021, 1, 1), preset="2021")
    people = []
    for i in range(n_people):
        id_number = make("371502", dt.date(1950, 1, 1) + dt.timedelta(days=i // 500), i % 500 + 1)
        people.append(
            Person(
                node=grids[i % len(grids)],
                name=f"测试{i:05d}",
                name_pinyin=f"ceshi{i:05d}",
                name_initials="cs",
                sex=Sex.MALE if i % 2 else Sex.FEMALE,
                id_number=id_number,
                id_last4=id_number[-4:],
                phone=f"138{i:08d}",
                phone_last4=f"{i:04d}"[-4:],
                verification=Verification.NONE,
            )
        )
    Person.objects.bulk_create(people, batch_size=BATCH)
    people = list(Person.objects.order_by("id"))
    Identity.objects.bulk_create(
        [Identity(id_number=p.id_number, name=p.name, phone=p.phone, person=p) for p in people],
        batch_size=BATCH,
    )
    visitors = max(1, n_contacts // 10)
    Identity.objects.bulk_create(
        [
            Identity(
                id_number=make("110105", dt.date(1980, 1, 1) + dt.timedelta(days=i), 11), name=f"访客{i}"
            )
            for i in range(visitors)
        ]
    )
    identities = list(Identity.objects.order_by("id").values_list("id", flat=True))
    venues = [
        Venue(node=grids[i % len(grids)], name=f"场所{i:02d}", kind=VenueKind.RESTAURANT, code=f"V{i:08d}")
        for i in range(20)
    ]
    Venue.objects.bulk_create(venues)
    venues = list(Venue.objects.order_by("id"))
    now = timezone.now()
    day = timezone.localdate() - dt.timedelta(days=1)
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=SHANGHAI)
    rows = []
    for _ in range(n_people * 3):  # background: 14 days, every venue, never the case's lunch at venue 0
        start = now - dt.timedelta(days=14) + dt.timedelta(seconds=rnd.randrange(14 * 86400 - 7200))
        venue = venues[rnd.randrange(1, len(venues))]
        rows.append(CheckIn(venue=venue, identity_id=rnd.choice(identities), at=start, source="batch"))
    case_person = people[0]
    case_identity = Identity.objects.get(person=case_person)
    rows.append(
        CheckIn(venue=venues[0], identity=case_identity, at=noon, checked_out_at=noon + dt.timedelta(hours=2))
    )
    registered = identities[1 : n_contacts - visitors + 1]
    contacts = registered + identities[-visitors:]
    for k, identity_id in enumerate(contacts):
        start = noon + dt.timedelta(minutes=(k * 7) % 110)
        rows.append(
            CheckIn(
                venue=venues[0],
                identity_id=identity_id,
                at=start,
                checked_out_at=start + dt.timedelta(minutes=30),
            )
        )
    CheckIn.objects.bulk_create(rows, batch_size=BATCH)
    site = measure_actions.create_site(actor=admin, node=county, name="县隔离酒店")
    for block in range(0, n_contacts + 50, 500):
        measure_actions.add_rooms(actor=admin, site=site, first=block + 1, last=block + 500, capacity=1)
    case = actions.report_case(
        actor=admin,
        node=case_person.node,
        kind="confirmed",
        person=case_person,
        diagnosed_at=noon + dt.timedelta(hours=8),
        onset_on=day,
        isolated_at=noon + dt.timedelta(hours=9),
    )
    return {
        "admin": admin,
        "case": case,
        "counts": {
            "people": len(people),
            "checkins": len(rows),
            "contacts": len(contacts),
            "visitors": visitors,
        },
    }


def timed(fn):
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        result = fn()
        ms = (time.perf_counter() - started) * 1000
    return ms, len(ctx.captured_queries), result


def one_run(world) -> dict:
    admin, case = world["admin"], world["case"]
    out = {}
    try:
        with transaction.atomic():
            out["search"] = timed(lambda: actions.search_contacts(actor=admin, case=case))
            everyone = Candidate.objects.filter(case=case)
            out["decide"] = timed(lambda: actions.decide(actor=admin, candidates=everyone, decision="close"))
            out["again"] = timed(lambda: actions.decide(actor=admin, candidates=everyone, decision="close"))
            raise Rollback
    except Rollback:
        pass
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    tmp = None
    if connection.vendor == "sqlite":  # a file, as in production, not the in-memory test default
        tmp = tempfile.mkdtemp(prefix="fangkong-bench-")
        connection.settings_dict["TEST"]["NAME"] = os.path.join(tmp, "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        world = build(args.people, args.contacts)
        with connection.cursor() as cursor:  # as after any bulk load (see bench/README.md)
            cursor.execute("ANALYZE")
        print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
        print(
            f"Built in {time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in world["counts"].items())
        )
        runs = [one_run(world) for _ in range(args.repeat)]
        print(f"\n{'step':<44} {'median ms':>10} {'queries':>8}  result")
        labels = {
            "search": "search_contacts (window, co-presence, household)",
            "decide": f"decide {args.contacts} close contacts in one call",
            "again": "decide the same again (nothing to do)",
        }
        for key, label in labels.items():
            median = statistics.median(r[key][0] for r in runs)
            _ms, queries, result = runs[-1][key]
            summary = {k: v for k, v in result.__dict__.items() if v}
            print(f"{label:<44} {median:>10.1f} {queries:>8}  {summary}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\n{args.repeat} runs, each rolled back; process peak RSS {peak:.0f} MB")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
