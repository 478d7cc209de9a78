"""The indicators of DOMAIN.md §9 against counts made in the test: literal numbers worked out by hand for
the boundary cases, and a plain-Python recount over every object the test created, for every node and
day. Records are built through the actions with explicit times (March 2022, Asia/Shanghai); registry
actions that stamp the current time run under a patched clock."""

import datetime as dt
import io
import json
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.models import Count

from fangkong.lib.idcard import make
from fangkong.measures import actions, rules
from fangkong.measures.models import ARRIVAL_REASONS, FollowUp, Measure, Screening
from fangkong.policy.models import Kind, Reason
from fangkong.registry import actions as registry_actions
from fangkong.registry.models import Person, Residence, Verification
from fangkong.reporting import indicators
from fangkong.reporting import queries as daily_queries

SH = rules.SHANGHAI
D = dt.date(2022, 3, 10)
AFTER = dt.datetime(2022, 4, 1, tzinfo=SH)  # "now" for the recount: every slot of March has ended


def at(day: dt.date, hhmm: str) -> dt.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SH)


def midnight_after(day: dt.date) -> dt.datetime:
    return rules.local_midnight(day + dt.timedelta(days=1))


@contextmanager
def clock(moment: dt.datetime):
    """Registry actions (registration, moves, verification) stamp timezone.now(): set it."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def register(world, node, name: str, seq: int, moment: dt.datetime) -> Person:
    with clock(moment):
        return registry_actions.register_person(
            actor=world.township_admin,
            node=node,
            name=name,
            id_number=make("371502", dt.date(1980, 1, 1) + dt.timedelta(days=seq), seq),
        )


@pytest.fixture
def town(world):
    """Six people and their screenings, measures and follow-ups around D = 2022-03-10 (see each line)."""
    admin = world.township_admin
    feb = at(dt.date(2022, 2, 20), "10:00")
    p = {
        "zhang": register(world, world.grid07, "张伟", 11, feb),
        "li": register(world, world.grid07, "李秀英", 12, feb),
        "wang": register(world, world.grid08, "王芳", 13, feb),
        "zhao": register(world, world.grid07, "赵强", 14, feb),  # moves to 后屯 on D at 15:00
        "liu": register(world, world.other_village, "刘洋", 15, feb),
        "chen": register(world, world.grid07, "陈静", 16, at(D, "09:00")),  # registered on D
    }
    with clock(at(dt.date(2022, 3, 5), "16:00")):
        registry_actions.verify_person(actor=admin, person=p["zhang"], method=Verification.IN_PERSON)
    with clock(at(dt.date(2022, 3, 11), "10:00")):  # after D: not yet verified at the end of D
        registry_actions.verify_person(actor=admin, person=p["wang"], method=Verification.BY_PHONE)

    def screen(person, reason, day, **fields):
        return actions.record_screening(actor=admin, person=person, reason=reason, screened_on=day, **fields)

    wuhan = {"origin_province": "42", "origin_city": "4201"}
    s_zhang = screen(p["zhang"], Reason.ARRIVAL, dt.date(2022, 3, 8), arrived_on=dt.date(2022, 3, 7), **wuhan)
    screen(p["zhang"], Reason.CLOSE_CONTACT, D, reference_date=dt.date(2022, 3, 9))  # second screening
    s_li = screen(p["li"], Reason.CLOSE_CONTACT, D, reference_date=dt.date(2022, 3, 9))
    s_wang = screen(p["wang"], Reason.ARRIVAL, D, origin_province="11", origin_city="1101")
    s_zhao = screen(p["zhao"], Reason.ARRIVAL_MEDIUM, dt.date(2022, 3, 9), **wuhan)
    s_liu = screen(p["liu"], Reason.ARRIVAL, dt.date(2022, 3, 9), **wuhan)
    s_chen = screen(p["chen"], Reason.CLOSE_CONTACT, D)

    def start(person, kind, screening, started_at, **kw):
        return actions.start_measure(
            actor=admin, person=person, kind=kind, screening=screening, started_at=started_at, **kw
        )

    def release(measure, released_at):
        return actions.release_measure(
            actor=admin,
            measure=measure,
            version=measure.version,
            released_at=released_at,
            override=True,
            reason="专家组评估提前解除",
        )

    def check(measure, taken_at, temperature="36.5", symptoms=None):
        return actions.record_follow_up(
            actor=admin, measure=measure, temperature=temperature, symptoms=symptoms, taken_at=taken_at
        )

    # 张伟: home quarantine, released exactly at 24:00 of D.
    m_zhang = start(p["zhang"], Kind.HOME_QUARANTINE, s_zhang, at(dt.date(2022, 3, 8), "10:00"))
    check(m_zhang, at(D, "07:30"))
    check(m_zhang, at(D, "21:00"))  # evening of D is not due (not active at 24:00): not counted as done
    m_zhang = release(m_zhang, midnight_after(D))
    # 李秀英: started after the morning slot ended; fever of exactly 37.3 in the evening.
    m_li = start(p["li"], Kind.HOME_MONITORING, s_li, at(D, "13:00"))
    check(m_li, at(D, "20:00"), "37.3")
    # 王芳 in grid 08: morning done, evening missed.
    m_wang = start(p["wang"], Kind.HOME_QUARANTINE, s_wang, at(dt.date(2022, 3, 9), "08:00"))
    check(m_wang, at(D, "09:15"))
    # 赵强: cough at 08:00, transferred to hospital at 10:00, then moves to 后屯 at 15:00.
    m_zhao = start(p["zhao"], Kind.HOME_QUARANTINE, s_zhao, at(dt.date(2022, 3, 9), "09:00"))
    check(m_zhao, at(dt.date(2022, 3, 9), "19:00"))
    check(m_zhao, at(D, "08:00"), "36.8", ["干咳"])
    m_zhao_hospital = actions.transfer_measure(
        actor=admin, measure=m_zhao, version=m_zhao.version, kind=Kind.HOSPITAL, at=at(D, "10:00")
    )
    with clock(at(D, "15:00")):
        registry_actions.move_person(
            actor=admin, person=p["zhao"], to_node=world.other_village, reason="投亲"
        )
    # 刘洋 in 后屯: self-monitoring released during D.
    m_liu = start(p["liu"], Kind.SELF_MONITORING, s_liu, at(dt.date(2022, 3, 9), "09:00"))
    m_liu = release(m_liu, at(D, "09:00"))
    # 陈静: central quarantine from exactly 12:00 of D (owes only the evening), checked at exactly 12:00.
    site = actions.create_site(actor=admin, node=world.township, name="梁水宾馆")
    actions.add_rooms(actor=admin, site=site, first=101, last=102, capacity=1)
    m_chen = start(p["chen"], Kind.CENTRAL_QUARANTINE, s_chen, at(D, "12:00"), room=site.rooms.first())
    check(m_chen, at(D, "12:00"))
    return {
        "people": p,
        "measures": {
            "zhang": m_zhang,
            "li": m_li,
            "wang": m_wang,
            "zhao": m_zhao,
            "zhao_hospital": m_zhao_hospital,
            "liu": m_liu,
            "chen": m_chen,
        },
    }


def values(node, day=D, now=AFTER, **kw):
    return indicators.compute(node, day, now=now, **kw)


# ── hand-worked numbers for the boundary cases ───────────────────────────────────────────────────


def test_it_counts_a_measure_released_exactly_at_midnight_as_not_active_at_the_end_of_the_day(world, town):
    grid07 = values(world.grid07)
    assert grid07["active_home_quarantine"] == 0  # 张伟 released at 24:00 of D, 赵强 transferred at 10:00
    assert grid07["released_new"] == 0  # the release at 24:00 of D happened during D+1
    assert grid07["released_total"] == 0
    next_day = values(world.grid07, D + dt.timedelta(days=1))
    assert next_day["released_new"] == 1
    assert next_day["released_total"] == 1
    before = values(world.grid07, D - dt.timedelta(days=1))
    assert before["active_home_quarantine"] == 2  # 张伟 and 赵强 on D-1


def test_it_does_not_count_a_transfer_as_a_release_but_counts_the_hospital_stay(world, town):
    grid07 = values(world.grid07)
    assert grid07["hospital_total"] == 1
    assert grid07["active_hospital"] == 1
    assert grid07["released_total"] == 0
    assert values(world.grid07, D - dt.timedelta(days=1))["hospital_total"] == 0


def test_it_counts_releases_during_the_day_where_the_measure_was(world, town):
    assert values(world.other_village)["released_new"] == 1  # 刘洋 at 09:00 of D
    assert values(world.other_village)["active_self_monitoring"] == 0
    assert values(world.village)["released_new"] == 0
    assert values(world.township)["released_new"] == 1


def test_it_owes_only_the_evening_slot_for_a_measure_started_after_the_morning_slot_ended(world, town):
    m_li, m_chen = town["measures"]["li"], town["measures"]["chen"]
    assert rules.due_slots(m_li.started_at, m_li.released_at, D) == [rules.EVENING]
    assert rules.due_slots(m_chen.started_at, m_chen.released_at, D) == [rules.EVENING]  # from 12:00 sharp
    grid07 = values(world.grid07)
    # Morning: 张伟; evening: 李秀英, 陈静. 赵强 owes nothing: from 10:00 he is in hospital, where the
    # hospital watches him, and his home quarantine ended before the morning slot did.
    assert grid07["followups_due"] == 3
    # Morning: 张伟 07:30; evening: 李秀英, 陈静.
    assert grid07["followups_done"] == 3
    assert grid07["followups_missed"] == 0


def test_it_counts_grid_08_for_its_village_but_not_for_grid_07(world, town):
    grid07, grid08, village = values(world.grid07), values(world.grid08), values(world.village)
    assert grid08["active_home_quarantine"] == 1
    assert (grid08["followups_due"], grid08["followups_done"], grid08["followups_missed"]) == (2, 1, 1)
    assert grid07["active_home_quarantine"] == 0
    for code in ("followups_due", "followups_done", "followups_missed", "screened_total", "symptomatic_new"):
        assert village[code] == grid07[code] + grid08[code], code


def test_it_counts_a_person_with_two_screenings_once(world, town):
    grid07 = values(world.grid07)
    assert grid07["screened_total"] == 4  # 张伟 (screened twice), 李秀英, 赵强, 陈静
    assert values(world.grid07, codes=["screened_total"]) == {"screened_total": 4}
    assert grid07["close_contacts_total"] == 3  # 张伟 (his second screening), 李秀英, 陈静
    assert values(world.grid07, D - dt.timedelta(days=1))["close_contacts_total"] == 0


def test_it_counts_new_screenings_by_the_first_screening_of_each_person(world, town):
    # On D: 李秀英 and 陈静 screened for the first time; 张伟's first screening was on 03-08.
    assert values(world.grid07)["screened_new"] == 2
    assert values(world.grid07, dt.date(2022, 3, 8))["screened_new"] == 1
    assert values(world.township)["screened_new"] == 3  # and 王芳 in grid 08


def test_it_groups_arrivals_by_origin_with_division_names(world, town):
    assert values(world.grid07)["screened_by_origin"] == [
        {"province_code": "42", "province": "湖北省", "city_code": "4201", "city": "武汉市", "count": 2}
    ]
    township = values(world.township)["screened_by_origin"]
    assert [(r["province"], r["city"], r["count"]) for r in township] == [
        ("湖北省", "武汉市", 3),  # 张伟, 赵强, 刘洋
        ("北京市", "北京市", 1),  # 王芳; the 市辖区 of a municipality is the municipality
    ]
    earlier = values(world.township, dt.date(2022, 3, 8))["screened_by_origin"]
    assert [(r["city"], r["count"]) for r in earlier] == [("武汉市", 1)]


def test_it_names_a_municipality_once_where_reports_show_origins(world, town):
    origins = values(world.township)["screened_by_origin"]
    assert daily_queries.display(origins) == "湖北省武汉市3人；北京市1人"


def test_it_counts_a_moved_person_in_the_village_where_they_lived_on_each_day(world, town):
    before, on_d = D - dt.timedelta(days=1), D
    assert values(world.grid07, before)["registered_people"] == 3  # 张伟 李秀英 赵强
    assert values(world.grid07, on_d)["registered_people"] == 3  # 张伟 李秀英 陈静 (赵强 left at 15:00)
    assert values(world.other_village, before)["registered_people"] == 1  # 刘洋
    assert values(world.other_village, on_d)["registered_people"] == 2  # 刘洋 赵强
    assert values(world.township, on_d)["registered_people"] == 6
    assert values(world.township, dt.date(2022, 2, 19))["registered_people"] == 0


def test_it_rates_verification_at_the_end_of_the_day(world, town):
    assert values(world.village)["verified_people_pct"] == 25.0  # 张伟 of 张伟 李秀英 王芳 陈静
    assert values(world.village, dt.date(2022, 3, 11))["verified_people_pct"] == 50.0  # and 王芳
    assert values(world.village, dt.date(2022, 2, 1))["verified_people_pct"] is None  # nobody registered


def test_it_counts_symptomatic_people_including_a_fever_of_exactly_37_3(world, town):
    assert values(world.grid07)["symptomatic_new"] == 2  # 赵强 (干咳) and 李秀英 (37.3)
    assert values(world.grid07, D - dt.timedelta(days=1))["symptomatic_new"] == 0


def test_it_counts_no_missed_slot_before_the_slot_has_ended(world, town):
    morning = values(world.grid07, now=at(D, "11:00"))
    assert morning["followups_missed"] == 0
    assert morning["followups_due"] == 3
    evening = values(world.grid07, now=at(D, "18:00"))
    assert evening["followups_missed"] == 0  # both due morning slots were done


# ── every indicator, every node, several days: a plain-Python recount ───────────────────────────────


def recount(node, day: dt.date, now: dt.datetime) -> dict:
    """DOMAIN.md §9 in plain Python over the objects the test made (the database only hands them over)."""
    start, end = rules.local_midnight(day), midnight_after(day)
    noon = at(day, "12:00")
    inside = node.path

    def active(m, t):
        return m.started_at <= t and (m.released_at is None or m.released_at > t)

    def owes(m, t):
        return m.kind != Kind.HOSPITAL and m.started_at < t and active(m, t)

    residences = [
        r for r in Residence.objects.select_related("node", "person") if r.node.path.startswith(inside)
    ]
    registered = {
        r.person_id for r in residences if r.started_at <= end and (r.ended_at is None or r.ended_at > end)
    }
    verified = {
        r.person_id
        for r in residences
        if r.person_id in registered
        and r.person.verification != Verification.NONE
        and r.person.verified_at <= end
    }
    screenings = [
        s
        for s in Screening.objects.select_related("node")
        if s.node.path.startswith(inside) and s.screened_on <= day
    ]
    first: dict[int, dt.date] = {}
    for s in screenings:
        first[s.person_id] = min(first.get(s.person_id, s.screened_on), s.screened_on)
    origins: dict[tuple, set] = {}
    for s in screenings:
        if s.reason in ARRIVAL_REASONS:
            origins.setdefault((s.origin_province, s.origin_city), set()).add(s.person_id)
    measures = [m for m in Measure.objects.select_related("node") if m.node.path.startswith(inside)]
    follow_ups = [
        f for f in FollowUp.objects.select_related("measure__node") if f.measure.node.path.startswith(inside)
    ]
    had = {(f.person_id, f.slot_date, f.slot) for f in FollowUp.objects.all()}
    due = done = missed = 0
    for slot, slot_end in ((rules.MORNING, noon), (rules.EVENING, end)):
        owing = {m.person_id for m in measures if owes(m, slot_end)}
        due += len(owing)
        done += len({pid for pid in owing if (pid, day, slot) in had})
        if slot_end <= now:
            missed += len({pid for pid in owing if (pid, day, slot) not in had})
    released = [m for m in measures if m.released_at is not None and m.transferred_to_id is None]
    result = {
        "registered_people": len(registered),
        "verified_people_pct": round(100 * len(verified) / len(registered), 1) if registered else None,
        "screened_total": len({s.person_id for s in screenings}),
        "screened_new": sum(1 for d in first.values() if d == day),
        "screened_by_origin": sorted(((p, c), len(ids)) for (p, c), ids in origins.items()),
        "close_contacts_total": len({s.person_id for s in screenings if s.reason == Reason.CLOSE_CONTACT}),
        "released_new": sum(1 for m in released if start <= m.released_at < end),
        "released_total": sum(1 for m in released if m.released_at < end),
        "hospital_total": sum(1 for m in measures if m.kind == Kind.HOSPITAL and m.started_at < end),
        "symptomatic_new": len({f.person_id for f in follow_ups if f.slot_date == day and f.is_abnormal}),
        "followups_due": due,
        "followups_done": done,
        "followups_missed": missed,
    }
    for kind in Kind.values:
        result[f"active_{kind}"] = len({m.person_id for m in measures if m.kind == kind and active(m, end)})
    return result


@pytest.mark.parametrize("now", [AFTER, at(D, "13:00")], ids=["after", "on-D-13h"])
def test_it_agrees_with_a_plain_python_recount_for_every_node_and_day(world, town, now):
    nodes = [world.county, world.township, world.village, world.other_village, world.grid07, world.grid08]
    for node in nodes:
        for offset in range(-3, 3):
            day = D + dt.timedelta(days=offset)
            expected = recount(node, day, now)
            got = values(node, day, now=now, codes=list(expected))  # other apps register more
            got["screened_by_origin"] = sorted(
                ((r["province_code"], r["city_code"]), r["count"]) for r in got["screened_by_origin"]
            )
            assert got == expected, (node.name, day)


def test_it_computes_every_indicator_in_a_fixed_number_of_queries(world, town, django_assert_max_num_queries):
    mine = list(recount(world.county, D, AFTER))
    with django_assert_max_num_queries(6):  # one per source, plus screened_new and screened_by_origin
        result = values(world.county, codes=mine)
    assert list(result) == [code for code in indicators.REGISTRY if code in mine]  # in registry order
    assert set(result) == set(mine)


def test_it_refuses_an_indicator_defined_twice(world):
    with pytest.raises(ValueError, match="defined twice"):
        indicators.register("screened_total", "重复", "人", lambda scope: 0)


def test_it_prints_the_indicators_as_json_from_the_command(world, town):
    out = io.StringIO()
    call_command("indicators", "--node", world.grid07.code, "--date", "2022年3月10日", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["node"] == world.grid07.code
    assert payload["date"] == "2022-03-10"
    assert payload["indicators"]["active_home_monitoring"] == 1
    assert payload["indicators"]["screened_by_origin"][0]["city"] == "武汉市"
    assert payload["indicators"] == json.loads(json.dumps(indicators.compute(world.grid07, D)))


def test_it_reports_an_unknown_node_or_date_in_chinese(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不存在"):
        call_command("indicators", "--node", "999", "--date", "2022-03-10")
    with pytest.raises(CommandError, match="日期"):
        call_command("indicators", "--node", world.grid07.code, "--date", "2022-02-30")


def test_it_prints_labels_values_and_units_for_people_to_read(world, town):
    out = io.StringIO()
    call_command("indicators", "--node", world.grid07.code, "--date", "2022-03-10", stdout=out)
    text = out.getvalue()
    assert text.startswith("第七网格（371502103201-07） 2022年03月10日")
    assert "在管人数（居家健康监测）：1人" in text
    assert "当日应随访人次：3人次" in text
    assert "  湖北省武汉市 2人" in text


def test_its_counts_in_one_statement_equal_each_querysets_count(world, town, django_assert_num_queries):
    """indicators.count_rows: plain rows, distinct values, a grouping with HAVING, and no rows at all."""
    querysets = {
        "screenings": Screening.objects.all(),
        "people_screened": Screening.objects.values("person").distinct(),
        "screened_twice": Screening.objects.values("person").annotate(n=Count("pk")).filter(n__gt=1),
        "nobody": Measure.objects.filter(pk__lt=0),
        "quarantine_sites": Measure.objects.filter(kind=Kind.CENTRAL_QUARANTINE),  # a field's name, too
    }
    expected = {name: queryset.count() for name, queryset in querysets.items()}
    assert expected["screenings"] > expected["people_screened"] >= expected["screened_twice"] > 0
    with django_assert_num_queries(1):
        assert indicators.count_rows(world.county, querysets) == expected
