"""The retention purge: each county's check-ins older than its policy's retention period are deleted,
exactly those (counted independently of the purge's own query), with an audit row per county and run."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from fangkong.audit.models import AuditEvent
from fangkong.conftest import make_node, make_user
from fangkong.grid.models import Level, Role
from fangkong.healthcodes.identity import identify
from fangkong.lib.idcard import make
from fangkong.measures.rules import SHANGHAI
from fangkong.policy import actions as policy_actions
from fangkong.venues import actions as checkin_actions
from fangkong.venues import actions as venue_actions
from fangkong.venues import retention
from fangkong.venues.models import CheckIn, VenueKind

TODAY = dt.date(2022, 3, 29)


def moment(day: dt.date, hhmm: str = "12:00") -> dt.datetime:
    hour, minute = (int(p) for p in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def days_before(n: int, hhmm: str = "12:00") -> dt.datetime:
    return moment(TODAY - dt.timedelta(days=n), hhmm)


@pytest.fixture
def two_counties(world):
    """东昌府区 on the default policy (28 days); 茌平区 has set 7 days from 1 March."""
    other = make_node("371503", "茌平区", Level.COUNTY, world.city)
    admin = make_user("chiping_admin", other, Role.ADMIN)
    policy_actions.set_policy(
        actor=admin,
        node=other,
        effective_from=dt.date(2022, 3, 1),
        preset="2022-06",
        overrides={"checkin_retention_days": 7},
    )
    create = venue_actions.create_venue
    return {
        "here": create(actor=world.county_admin, node=world.grid07, name="前屯便民超市", kind=VenueKind.SHOP),
        "here_too": create(
            actor=world.county_admin, node=world.township, name="梁水集市", kind=VenueKind.MARKET
        ),
        "there": create(actor=admin, node=other, name="茌平汽车站", kind=VenueKind.STATION),
    }


def visit(venue, at) -> int:
    """A check-in by someone new each time (one person's scans minutes apart would be one check-in)."""
    visit.count = getattr(visit, "count", 0) + 1
    number = make("110105", dt.date(1970, 1, 1) + dt.timedelta(days=visit.count), 100 + visit.count)
    person = identify(id_number=number, name="赵敏", phone="13700001111")
    [recorded] = checkin_actions.check_in(actor=None, venue=venue, people=[person], at=at, with_colour=False)
    return recorded.checkin.pk


def test_it_deletes_exactly_the_check_ins_past_each_countys_retention(two_counties):
    here, here_too, there = two_counties["here"], two_counties["here_too"], two_counties["there"]
    kept = [
        visit(here, moment(TODAY, "08:00")),
        visit(here, days_before(27)),
        visit(here_too, days_before(28, "00:00")),  # the first moment kept: 1 March 00:00
        visit(there, days_before(7, "00:00")),
        visit(there, days_before(6)),
    ]
    purged = [
        visit(here, days_before(29, "23:59")),  # one minute before the cut
        visit(here_too, days_before(40)),
        visit(there, days_before(8, "23:59")),
        visit(there, days_before(27)),  # kept in 东昌府区, but 茌平区 keeps 7 days
    ]
    results = retention.purge_checkins(today=TODAY)

    assert sorted(CheckIn.objects.values_list("pk", flat=True)) == sorted(kept)
    assert not CheckIn.objects.filter(pk__in=purged).exists()
    by_county = {r.county.code: r for r in results}
    assert (by_county["371502"].days, by_county["371502"].count) == (28, 2)
    assert (by_county["371503"].days, by_county["371503"].count) == (7, 2)
    assert by_county["371502"].before == moment(dt.date(2022, 3, 1), "00:00")


def test_it_writes_an_audit_row_per_county_and_run_even_when_nothing_was_due(world, two_counties):
    visit(two_counties["here"], days_before(30))
    retention.purge_checkins(today=TODAY)
    retention.purge_checkins(today=TODAY)
    rows = AuditEvent.objects.filter(action=retention.PURGE).order_by("id")
    assert [(r.node_path, r.detail["count"]) for r in rows] == [
        (world.county.path, 1),
        ("37/3715/371503/", 0),
        (world.county.path, 0),
        ("37/3715/371503/", 0),
    ]
    assert rows[0].actor is None and rows[0].detail["retention_days"] == 28


def test_it_counts_without_deleting_on_a_dry_run_and_reports_as_json(two_counties):
    visit(two_counties["here"], days_before(400))
    out = StringIO()
    call_command("purge_checkins", "--dry-run", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["dry_run"] is True
    assert {row["county"]: row["count"] for row in report["counties"]} == {"371502": 1, "371503": 0}
    assert CheckIn.objects.count() == 1 and not AuditEvent.objects.filter(action=retention.PURGE).exists()

    out = StringIO()
    call_command("purge_checkins", stdout=out)
    assert "东昌府区（371502）：保存28天，已删除" in out.getvalue()
    assert not CheckIn.objects.exists()
