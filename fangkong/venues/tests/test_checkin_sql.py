"""The kiosk check-in's one statement (venues/sql.py): it takes a scan as plainly green only when
colours.colour_of would find nothing to judge, whatever kind of record the resident has; it writes only the
common case of a batch of scans; it knows the duplicate window as checkin_actions does; and while a rule
input is registered (code_rules.PROVIDERS) it leaves every colour to colour_of.

Each kind of record is built through its action, one kind at a time, for a resident identified through
identity.identify; the statement's verdict is compared with colour_of and with colours.gather at the same
moment, then the same resident checks in through the API and the stored colour is compared with colour_of
at the check-in's time."""

import dataclasses
import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from fangkong.checkpoints.actions import create_checkpoint, record_passage
from fangkong.grid import scoping
from fangkong.grid.models import hash_token
from fangkong.healthcodes import actions as healthcode_actions
from fangkong.healthcodes import rules as code_rules
from fangkong.healthcodes.colours import colour_of, gather
from fangkong.healthcodes.identity import identify
from fangkong.healthcodes.models import Colour
from fangkong.healthcodes.rules import CaseFact
from fangkong.lib.idcard import make
from fangkong.measures import actions as measure_actions
from fangkong.measures.actions import add_rooms, create_site
from fangkong.measures.rules import SHANGHAI, local_midnight
from fangkong.policy.models import Kind, Reason
from fangkong.venues import actions as checkin_actions
from fangkong.venues import sql as checkin_sql
from fangkong.venues.models import CheckIn

RED, YELLOW, GREEN = Colour.RED, Colour.YELLOW, Colour.GREEN
WINDOW_DAYS = code_rules.MAX_DAYS + 1  # gather reads arrivals and tests this many days back
WINDOW_HOURS = code_rules.MAX_HOURS  # and readings this many hours back


@pytest.fixture
def room(world):
    site = create_site(actor=world.county_admin, node=world.village, name="梁水宾馆", address="镇上")
    add_rooms(actor=world.county_admin, site=site, first=201, last=203, capacity=1)
    return site.rooms.first()


def scan_of(identity, venue, raw: str, client_id: str = "probe", **changes) -> checkin_sql.Scan:
    fields = {
        "client_id": client_id,
        "token_digest": hash_token(raw),
        "venue_code": venue.code,
        "id_number": identity.id_number,
        "name": identity.name,
        "phone": identity.phone,
    }
    return checkin_sql.Scan(**(fields | changes))


def insert(scans: list[checkin_sql.Scan], at: dt.datetime) -> dict[str, checkin_sql.Written]:
    return checkin_sql.insert_scans(
        scans,
        at=at,
        source=checkin_actions.Source.KIOSK,
        window=checkin_actions.DUPLICATE_WINDOW,
        write_roles=scoping.roles_with(scoping.WRITE),
    )


def verdict(identity, venue, raw: str, at: dt.datetime) -> checkin_sql.Written | None:
    """The statement's row for one scan at `at`, rolled back: nothing stays written."""
    with transaction.atomic():
        written = insert([scan_of(identity, venue, raw)], at).get("probe")
        transaction.set_rollback(True)
    return written


def nothing_in(inputs: code_rules.Inputs) -> bool:
    # Registered providers leave an empty list each in `extra`: nothing found there either.
    return not any(dataclasses.astuple(dataclasses.replace(inputs, extra={}))) and not any(
        inputs.extra.values()
    )


def body_of(identity, venue, client_id: str) -> dict:
    return {
        "client_id": client_id,
        "venue_code": venue.code,
        "id_number": identity.id_number,
        "name": identity.name,
        "phone": identity.phone,
    }


def post_scan(raw: str, body: dict):
    kiosk = Client(headers={"Authorization": f"Bearer {raw}"})
    return kiosk.post("/api/v1/checkins", body, content_type="application/json")


# ── one kind of colour input at a time ───────────────────────────────────────────────────────────────
# Each builder makes the records at or before c.t0 (the moment the statement is asked about) and returns
# the identity that scans. Zhang (grid 07) is identified first, so his identity is linked to his person.


def zhang(c):
    p = c.people["zhang"]
    return identify(id_number=p.id_number, name=p.name, phone=p.phone)


def today(c) -> dt.date:
    return c.t0.astimezone(SHANGHAI).date()


def screen(c, reason, **fields):
    return measure_actions.record_screening(
        actor=c.world.county_admin,
        person=c.people["zhang"],
        reason=reason,
        screened_on=fields.pop("screened_on", None) or fields.get("arrived_on"),
        **fields,
    )


def start(c, kind, started_at, *, person="zhang", room=None):
    return measure_actions.start_measure(
        actor=c.world.county_admin, person=c.people[person], kind=kind, started_at=started_at, room=room
    )


def release(c, measure, released_at, override=False):
    return measure_actions.release_measure(
        actor=c.world.county_admin,
        measure=measure,
        version=measure.version,
        released_at=released_at,
        override=override,
        reason="经专家组评估提前解除" if override else "期满解除",
    )


def follow_up(c, taken_at, temperature, symptoms=()):
    """A follow-up during a hospital stay released a minute later: the follow-up alone is an input."""
    measure = start(c, Kind.HOSPITAL, taken_at - dt.timedelta(days=1))
    measure_actions.record_follow_up(
        actor=c.world.county_admin,
        measure=measure,
        temperature=temperature,
        symptoms=list(symptoms),
        taken_at=taken_at,
    )
    release(c, measure, taken_at + dt.timedelta(minutes=1))


def sample(c, sampled_at, outcome):
    measure_actions.record_test_result(
        actor=c.world.county_admin, person=c.people["zhang"], sampled_at=sampled_at, outcome=outcome
    )


def passage(c, identity, at, temperature):
    checkpoint = create_checkpoint(
        actor=c.world.county_admin, node=c.world.village, name="前屯村口", kind="road"
    )
    fever = temperature is not None and float(temperature) >= 37.3
    record_passage(
        actor=c.world.county_admin,
        checkpoint=checkpoint,
        direction="in",
        identity=identity,
        temperature=temperature,
        outcome="fever_clinic" if fever else "pass",
        at=at,
    )


def manual(c, colour, starts_at, expires_at):
    return healthcode_actions.set_manual_colour(
        actor=c.world.county_admin,
        person=c.people["zhang"],
        colour=colour,
        reason="测试",
        starts_at=starts_at,
        expires_at=expires_at,
    )


def visitor():
    return identify(id_number=make("420102", dt.date(1980, 1, 1), 11), name="赵强", phone="13700001111")


def _none(c):
    return zhang(c)


def _someone_elses_quarantine(c):
    start(c, Kind.HOME_QUARANTINE, c.t0 - dt.timedelta(days=2), person="li")
    return zhang(c)


def _arrival(c):
    me = zhang(c)
    screen(c, Reason.ARRIVAL, arrived_on=today(c) - dt.timedelta(days=3))
    return me


def _arrival_high(c):
    me = zhang(c)
    screen(c, Reason.ARRIVAL_HIGH, arrived_on=today(c) - dt.timedelta(days=3))
    return me


def _arrival_on_the_windows_first_day(c):
    me = zhang(c)
    screen(c, Reason.ARRIVAL, arrived_on=today(c) - dt.timedelta(days=WINDOW_DAYS))
    return me


def _arrival_before_the_window(c):
    me = zhang(c)
    screen(c, Reason.ARRIVAL_HIGH, arrived_on=today(c) - dt.timedelta(days=WINDOW_DAYS + 1))
    return me


def _close_contact_screened_without_measure(c):
    me = zhang(c)
    screen(
        c,
        Reason.CLOSE_CONTACT,
        screened_on=today(c) - dt.timedelta(days=1),
        reference_date=today(c) - dt.timedelta(days=2),
        contact_of_text="某病例",
    )
    return me


def _home_quarantine(c):
    me = zhang(c)
    start(c, Kind.HOME_QUARANTINE, c.t0 - dt.timedelta(days=2))
    return me


def _central_quarantine(c):
    me = zhang(c)
    start(c, Kind.CENTRAL_QUARANTINE, c.t0 - dt.timedelta(days=2), room=c.room)
    return me


def _home_monitoring(c):
    me = zhang(c)
    start(c, Kind.HOME_MONITORING, c.t0 - dt.timedelta(days=2))
    return me


def _released_early_with_the_period_running(c):
    me = zhang(c)
    measure = start(c, Kind.HOME_QUARANTINE, c.t0 - dt.timedelta(days=3))
    release(c, measure, c.t0 - dt.timedelta(hours=1), override=True)
    return me


def _released_hospital_stay(c):
    me = zhang(c)
    measure = start(c, Kind.HOSPITAL, c.t0 - dt.timedelta(days=10))
    release(c, measure, c.t0 - dt.timedelta(days=5))
    return me


def _follow_up_with_fever(c):
    me = zhang(c)
    follow_up(c, c.t0 - dt.timedelta(hours=3), "38.2")
    return me


def _follow_up_with_a_symptom(c):
    me = zhang(c)
    follow_up(c, c.t0 - dt.timedelta(hours=3), "36.6", ["干咳"])
    return me


def _normal_follow_up(c):
    me = zhang(c)
    follow_up(c, c.t0 - dt.timedelta(hours=3), "36.5")
    return me


def _fever_follow_up_before_the_window(c):
    me = zhang(c)
    follow_up(c, c.t0 - dt.timedelta(hours=WINDOW_HOURS + 1), "38.2")
    return me


def _negative_test(c):
    me = zhang(c)
    sample(c, c.t0 - dt.timedelta(days=1), "negative")
    return me


def _positive_test(c):
    me = zhang(c)
    sample(c, c.t0 - dt.timedelta(days=1), "positive")
    return me


def _test_before_the_window(c):
    me = zhang(c)
    first_day = local_midnight(today(c) - dt.timedelta(days=WINDOW_DAYS))
    sample(c, first_day - dt.timedelta(seconds=1), "negative")
    return me


def _passage_with_a_normal_temperature(c):
    me = zhang(c)
    passage(c, me, c.t0 - dt.timedelta(hours=1), "36.5")
    return me


def _passage_with_a_fever(c):
    me = zhang(c)
    passage(c, me, c.t0 - dt.timedelta(hours=1), "37.9")
    return me


def _passage_without_a_temperature(c):
    me = zhang(c)
    passage(c, me, c.t0 - dt.timedelta(hours=1), None)
    return me


def _passage_with_a_fever_before_the_window(c):
    me = zhang(c)
    passage(c, me, c.t0 - dt.timedelta(hours=WINDOW_HOURS + 1), "37.9")
    return me


def _manual_red(c):
    me = zhang(c)
    manual(c, RED, c.t0 - dt.timedelta(hours=1), c.t0 + dt.timedelta(days=3))
    return me


def _manual_yellow(c):
    me = zhang(c)
    manual(c, YELLOW, c.t0 - dt.timedelta(hours=1), c.t0 + dt.timedelta(days=3))
    return me


def _manual_green(c):
    me = zhang(c)
    manual(c, GREEN, c.t0 - dt.timedelta(hours=1), c.t0 + dt.timedelta(days=3))
    return me


def _manual_red_from_tomorrow(c):
    me = zhang(c)
    manual(c, RED, c.t0 + dt.timedelta(days=1), c.t0 + dt.timedelta(days=3))
    return me


def _manual_red_revoked(c):
    me = zhang(c)
    given = manual(c, RED, c.t0 - dt.timedelta(hours=1), c.t0 + dt.timedelta(days=3))
    healthcode_actions.revoke_manual_colour(actor=c.world.county_admin, manual=given)
    return me


def _visitor_without_records(c):
    return visitor()


def _visitor_with_a_checkpoint_fever(c):
    me = visitor()
    passage(c, me, c.t0 - dt.timedelta(hours=1), "38.5")
    return me


# name: (builder, the statement takes it as plainly green, colour_of at t0)
KINDS = {
    "no records": (_none, True, GREEN),
    "someone else's quarantine": (_someone_elses_quarantine, True, GREEN),
    "an arrival screening": (_arrival, False, GREEN),
    "an arrival from a high-risk area": (_arrival_high, False, RED),
    "an arrival on the window's first day": (_arrival_on_the_windows_first_day, False, GREEN),
    "a high-risk arrival before the window": (_arrival_before_the_window, True, GREEN),
    "a close contact screened, no measure": (_close_contact_screened_without_measure, True, GREEN),
    "home quarantine": (_home_quarantine, False, RED),
    "central quarantine": (_central_quarantine, False, RED),
    "home health monitoring": (_home_monitoring, False, YELLOW),
    "released early, period running": (_released_early_with_the_period_running, False, RED),
    "a released hospital stay": (_released_hospital_stay, True, GREEN),
    "a follow-up with fever": (_follow_up_with_fever, False, YELLOW),
    "a follow-up with a symptom": (_follow_up_with_a_symptom, False, YELLOW),
    "a normal follow-up": (_normal_follow_up, False, GREEN),
    "a fever follow-up before the window": (_fever_follow_up_before_the_window, True, GREEN),
    "a negative test": (_negative_test, False, GREEN),
    "a positive test": (_positive_test, False, RED),  # the positive_test rule of the testing app
    "a test before the window": (_test_before_the_window, True, GREEN),
    "a passage with a normal temperature": (_passage_with_a_normal_temperature, False, GREEN),
    "a passage with a fever": (_passage_with_a_fever, False, YELLOW),
    "a passage without a temperature": (_passage_without_a_temperature, True, GREEN),
    "a fever passage before the window": (_passage_with_a_fever_before_the_window, True, GREEN),
    "a manual red": (_manual_red, False, RED),
    "a manual yellow": (_manual_yellow, False, YELLOW),
    "a manual green": (_manual_green, False, GREEN),
    "a manual red from tomorrow": (_manual_red_from_tomorrow, True, GREEN),
    "a revoked manual red": (_manual_red_revoked, False, RED),  # revoked after t0: red at t0
    "a visitor without records": (_visitor_without_records, True, GREEN),
    "a visitor with a checkpoint fever": (_visitor_with_a_checkpoint_fever, False, YELLOW),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_it_takes_a_scan_as_plainly_green_only_when_colour_of_finds_nothing(
    kind, world, people, venues, token, room, statement
):
    build, plain, colour = KINDS[kind]
    t0 = timezone.now()
    identity = build(SimpleNamespace(world=world, people=people, room=room, t0=t0))

    written = verdict(identity, venues["shop"], token, t0)
    assert written is not None  # a known resident, an active venue of the kiosk: the common case
    result = colour_of(identity, at=t0)
    inputs = gather(identity, since=t0, until=t0)
    assert result.colour == colour
    assert written.colour_shown == ("green" if plain else "")
    if written.colour_shown == "green":
        assert result.colour == GREEN and result.reasons == [] and nothing_in(inputs)
    if plain:
        assert nothing_in(inputs)

    # The same resident at the kiosk: written by the statement, the colour stored is colour_of's.
    answer = post_scan(token, body_of(identity, venues["shop"], "kiosk-1"))
    assert answer.status_code == 201, answer.content
    assert statement["kiosk-1"].colour_shown == ("green" if plain else "")
    checkin = CheckIn.objects.get(client_id="kiosk-1")
    assert checkin.identity_id == identity.pk
    assert checkin.colour_shown == colour_of(identity, at=checkin.at).colour
    assert answer.json()["colour"] == checkin.colour_shown


# ── the edges of the windows, to the second ────────────────────────────────────────────────────────────
# At each edge the statement must agree with gather exactly: plainly green if and only if gather finds
# nothing at that moment (on one side of the edge the record counts, on the other it does not).


def _passage_fever_hours_before(c, hours, seconds):
    me = zhang(c)
    passage(c, me, c.t0 - dt.timedelta(hours=hours, seconds=seconds), "37.9")
    return me, c.t0


def _follow_up_hours_before(c, hours, seconds):
    me = zhang(c)
    follow_up(c, c.t0 - dt.timedelta(hours=hours, seconds=seconds), "38.2")
    return me, c.t0


def _manual_expiring(c, seconds_after_expiry):
    me = zhang(c)
    expires = c.t0 + dt.timedelta(hours=1)
    manual(c, RED, c.t0 - dt.timedelta(hours=1), expires)
    return me, expires + dt.timedelta(seconds=seconds_after_expiry)


def _manual_starting(c, seconds_after_start):
    me = zhang(c)
    starts = c.t0 + dt.timedelta(hours=1)
    manual(c, RED, starts, starts + dt.timedelta(days=1))
    return me, starts + dt.timedelta(seconds=seconds_after_start)


def _measure_released(c, seconds_after_release):
    me = zhang(c)
    measure = start(c, Kind.HOSPITAL, c.t0 - dt.timedelta(days=2))
    released = c.t0 - dt.timedelta(hours=1)
    release(c, measure, released)
    return me, released + dt.timedelta(seconds=seconds_after_release)


def _measure_started(c, seconds_after_start):
    me = zhang(c)
    started = c.t0 - dt.timedelta(hours=1)
    start(c, Kind.HOME_QUARANTINE, started)
    return me, started + dt.timedelta(seconds=seconds_after_start)


def _test_sampled_at_the_windows_start(c, seconds):
    me = zhang(c)
    sample(
        c,
        local_midnight(today(c) - dt.timedelta(days=WINDOW_DAYS)) + dt.timedelta(seconds=seconds),
        "negative",
    )
    return me, c.t0


def _arrival_today_scanned_after_midnight_in_shanghai(c, _):
    """00:30 in Shanghai is still yesterday in UTC: the arrival of today must count."""
    me = zhang(c)
    screen(c, Reason.ARRIVAL_HIGH, arrived_on=today(c))
    return me, local_midnight(today(c)) + dt.timedelta(minutes=30)


def _arrival_today_scanned_the_evening_before(c, _):
    me = zhang(c)
    screen(c, Reason.ARRIVAL_HIGH, arrived_on=today(c))
    return me, local_midnight(today(c)) - dt.timedelta(minutes=30)


EDGES = {
    "fever passage exactly 72 h before": (_passage_fever_hours_before, (WINDOW_HOURS, 0)),
    "fever passage 72 h minus 1 s before": (_passage_fever_hours_before, (WINDOW_HOURS, -1)),
    "fever follow-up exactly 72 h before": (_follow_up_hours_before, (WINDOW_HOURS, 0)),
    "fever follow-up 72 h minus 1 s before": (_follow_up_hours_before, (WINDOW_HOURS, -1)),
    "manual colour at its expiry": (_manual_expiring, (0,)),
    "manual colour 1 s before its expiry": (_manual_expiring, (-1,)),
    "manual colour at its start": (_manual_starting, (0,)),
    "manual colour 1 s before its start": (_manual_starting, (-1,)),
    "measure at its release": (_measure_released, (0,)),
    "measure 1 s before its release": (_measure_released, (-1,)),
    "measure at its start": (_measure_started, (0,)),
    "measure 1 s before its start": (_measure_started, (-1,)),
    "test sampled at the window's start": (_test_sampled_at_the_windows_start, (0,)),
    "test sampled 1 s before the window": (_test_sampled_at_the_windows_start, (-1,)),
    "arrival today, 00:30 in Shanghai": (_arrival_today_scanned_after_midnight_in_shanghai, (None,)),
    "arrival today, scanned at 23:30 the day before": (_arrival_today_scanned_the_evening_before, (None,)),
}


@pytest.mark.parametrize("edge", list(EDGES))
def test_it_agrees_with_gather_at_the_edges_of_the_windows(edge, world, people, venues, token):
    build, args = EDGES[edge]
    c = SimpleNamespace(world=world, people=people, t0=timezone.now().replace(microsecond=0))
    identity, at = build(c, *args)
    written = verdict(identity, venues["shop"], token, at)
    assert written is not None
    inputs = gather(identity, since=at, until=at)
    assert written.colour_shown == ("green" if nothing_in(inputs) else "")
    if nothing_in(inputs):
        assert colour_of(identity, at=at).colour == GREEN


def test_the_edge_cases_do_fall_on_both_sides_of_each_edge(world, people, venues, token):
    """The edge pairs above would pass vacuously if both sides gave the same answer: they must not."""
    outcomes = {}
    for name, (build, args) in EDGES.items():
        with transaction.atomic():
            c = SimpleNamespace(world=world, people=people, t0=timezone.now().replace(microsecond=0))
            identity, at = build(c, *args)
            outcomes[name] = nothing_in(gather(identity, since=at, until=at))
            transaction.set_rollback(True)
    assert [name for name, empty in outcomes.items() if empty] == [
        "fever passage exactly 72 h before",
        "fever follow-up exactly 72 h before",
        "manual colour at its expiry",
        "manual colour 1 s before its start",
        "measure at its release",
        "measure 1 s before its start",
        "test sampled 1 s before the window",
        "arrival today, scanned at 23:30 the day before",
    ]


# ── several scans in one statement, the duplicate window ───────────────────────────────────────────────


def test_it_writes_only_the_common_scans_of_a_batch_each_with_its_own_verdict(world, people, venues, token):
    t0 = timezone.now()
    zhang_ = identify(id_number=people["zhang"].id_number, name="张伟", phone=people["zhang"].phone)
    li = identify(id_number=people["li"].id_number, name="李秀英", phone=people["li"].phone)
    start(
        SimpleNamespace(world=world, people=people),
        Kind.HOME_QUARANTINE,
        t0 - dt.timedelta(days=1),
        person="li",
    )
    wang = identify(id_number=people["wang"].id_number, name="王芳", phone=people["wang"].phone)
    stranger = make("371502", dt.date(1970, 6, 1), 77)
    before = CheckIn.objects.count()

    written = insert(
        [
            scan_of(zhang_, venues["shop"], token, "a"),
            scan_of(li, venues["shop"], token, "b"),
            scan_of(wang, venues["shop"], token, "c", name="王小芳"),  # name differs
            scan_of(wang, venues["shop"], token, "d", id_number=stranger),  # unknown
            scan_of(wang, venues["other"], token, "e"),  # a venue outside the kiosk account's area
        ],
        t0,
    )

    assert set(written) == {"a", "b"}
    assert (written["a"].colour_shown, written["b"].colour_shown) == ("green", "")
    assert CheckIn.objects.count() == before + 2
    rows = {c.client_id: c for c in CheckIn.objects.filter(client_id__in=["a", "b"])}
    assert rows["a"].identity_id == zhang_.pk and rows["b"].identity_id == li.pk
    assert {(c.venue_id, c.source, c.at) for c in rows.values()} == {(venues["shop"].pk, "kiosk", t0)}
    assert written["a"].venue_name == "前屯便民超市" and written["a"].id == rows["a"].pk


def test_it_knows_the_duplicate_window_as_the_check_in_rules_do(world, people, venues, token):
    me = identify(id_number=people["zhang"].id_number, name="张伟", phone=people["zhang"].phone)
    shop = venues["shop"]
    first_at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    assert set(insert([scan_of(me, shop, token, "first")], first_at)) == {"first"}
    window = checkin_actions.DUPLICATE_WINDOW
    second = dt.timedelta(seconds=1)

    def writes(offset: dt.timedelta) -> bool:
        with transaction.atomic():
            written = insert([scan_of(me, shop, token, "again")], first_at + offset)
            transaction.set_rollback(True)
        return "again" in written

    assert not writes(window - second) and not writes(-(window - second)) and not writes(dt.timedelta(0))
    assert writes(window) and writes(-window)

    # Checked out: a scan after leaving is a new visit, within the window too.
    [first] = CheckIn.objects.filter(client_id="first")
    checkin_actions.check_out(checkins=[first], at=first_at + dt.timedelta(minutes=1))
    assert writes(dt.timedelta(minutes=2)) and not writes(dt.timedelta(seconds=30))


# ── registered rule inputs ─────────────────────────────────────────────────────────────────────────────


def test_it_leaves_every_colour_to_colour_of_while_a_rule_input_is_registered(
    world, people, venues, token, statement, monkeypatch
):
    me = identify(id_number=people["zhang"].id_number, name="张伟", phone=people["zhang"].phone)
    li = identify(id_number=people["li"].id_number, name="李秀英", phone=people["li"].phone)
    case = [CaseFact(kind="confirmed", since=timezone.now() - dt.timedelta(days=2), released_at=None)]
    monkeypatch.setitem(
        code_rules.PROVIDERS, "cases", lambda *, identity, **kw: case if identity.pk == me.pk else []
    )

    assert verdict(li, venues["shop"], token, timezone.now()).colour_shown == ""
    for identity, client_id in ((me, "k-zhang"), (li, "k-li")):
        answer = post_scan(token, body_of(identity, venues["shop"], client_id))
        assert answer.status_code == 201, answer.content
        assert statement[client_id].colour_shown == ""
    stored = {c.client_id: c.colour_shown for c in CheckIn.objects.all()}
    assert stored == {"k-zhang": RED, "k-li": GREEN}
    assert CheckIn.objects.get(client_id="k-zhang").colour_shown == colour_of(me).colour

    monkeypatch.delitem(code_rules.PROVIDERS, "cases")
    assert verdict(li, venues["shop"], token, timezone.now() + dt.timedelta(hours=1)).colour_shown == "green"
