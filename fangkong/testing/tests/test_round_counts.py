"""The round's kept counts (RoundCount, kept by the actions) against a plain recount of the members, after
random sequences of tubes opened, people added and removed (some in two tubes of the round), and
results recorded one by one or many at once; and the progress page's figures against the recount the page
made before the counts were kept."""

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.grid.models import Jurisdiction
from fangkong.lib.errors import RuleError
from fangkong.registry.models import Person
from fangkong.testing import actions, queries
from fangkong.testing.models import Result, RoundCount, Sample, SampleMember


def recount(round_) -> dict[str, tuple[int, int]]:
    rows = (
        SampleMember.objects.filter(round=round_)
        .values_list("path")
        .annotate(
            people=Count("person", distinct=True),
            back=Count("person", distinct=True, filter=~Q(sample__result=Result.PENDING)),
        )
    )
    return {path: (people, back) for path, people, back in rows}


def progress_recount(round_, node):
    """The figures as the page counted them before: target, sampled, back and positive tubes, by child."""
    children = list(Jurisdiction.objects.filter(parent=node).order_by("code"))

    def figures(under: str):
        members = SampleMember.objects.filter(round=round_, path__startswith=under)
        by_path = recount(round_)
        return (
            Person.objects.filter(node__path__startswith=under).count(),
            sum(n for path, (n, _) in by_path.items() if path.startswith(under)),
            sum(b for path, (_, b) in by_path.items() if path.startswith(under)),
            members.filter(sample__result=Result.POSITIVE).values("sample").distinct().count(),
        )

    return figures(node.path), [(c.pk, figures(c.path)) for c in children]


step = st.tuples(
    st.sampled_from(["open", "add", "add", "add", "remove", "result", "results"]),
    st.integers(0, 3),  # tube
    st.integers(0, 11),  # person
    st.sampled_from(["negative", "positive", "invalid"]),
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=30))
def test_kept_counts_match_a_recount(world, ten, people, point, steps):
    admin = world.county_admin
    round_ = actions.create_round(actor=admin, node=world.county, name="轮次", starts_on=timezone.localdate())
    persons = [*ten, people["wang"], people["li"]]
    tubes: dict[int, object] = {}
    serial = Sample.objects.count()
    for kind, t, p, result in steps:
        tube = tubes.get(t)
        if kind == "open" or tube is None:
            serial += 1
            tubes[t] = actions.open_sample(
                actor=admin,
                tube_code=f"H{serial}",
                kind="pool",
                capacity=10,
                node=world.village,
                point=point,
                round=round_,
                sampled_at=timezone.now() - dt.timedelta(hours=1),
            )
            continue
        tube.refresh_from_db()
        try:
            if kind == "add":
                actions.add_member(actor=admin, sample=tube, person=persons[p])
            elif kind == "remove":
                member = SampleMember.objects.filter(sample=tube).order_by("pk").first()
                if member is not None:
                    actions.remove_member(actor=admin, member=member)
            elif kind == "result":
                actions.record_result(actor=admin, sample=tube, result=result)
            else:  # the pending tubes at once, as a lab file
                pending = list(Sample.objects.filter(round=round_, result=Result.PENDING))
                actions.record_results(
                    actor=admin, outcomes=[actions.Outcome(s, result) for s in pending], lab="实验室"
                )
        except RuleError:
            pass
    kept = {
        r.path: (r.sampled, r.back)
        for r in RoundCount.objects.filter(round=round_)
        if (r.sampled, r.back) != (0, 0)
    }
    assert kept == recount(round_)
    for node in (world.county, world.township, world.village):
        total, children = queries.round_progress(round_, node)
        (expected_total, expected_children) = progress_recount(round_, node)
        assert (total.target, total.sampled, total.back, total.positive_tubes) == expected_total
        assert [
            (c.node.pk, (c.target, c.sampled, c.back, c.positive_tubes)) for c in children
        ] == expected_children


def test_recount_round_repairs_the_kept_counts(world, ten, sample_tube):
    round_ = actions.create_round(
        actor=world.county_admin, node=world.county, name="轮次", starts_on=timezone.localdate()
    )
    tube = sample_tube("K1", ten[:4], capacity=5, round=round_)
    actions.record_result(actor=world.county_admin, sample=tube, result="negative")
    RoundCount.objects.filter(round=round_).update(sampled=99, back=0)
    actions.recount_round(round_)
    assert {r.path: (r.sampled, r.back) for r in RoundCount.objects.filter(round=round_)} == recount(round_)
    assert recount(round_) == {world.grid07.path: (4, 4)}
