"""The situation report's paragraph on nucleic-acid testing (reporting/testing.py), in its measures section:
written only on a day with tests, its figures those of the indicators, recounted from the records."""

import datetime as dt

from django.utils import timezone

from fangkong.lib.idcard import make
from fangkong.registry import actions as registry_actions
from fangkong.registry.models import Person
from fangkong.situation import compose
from fangkong.testing import actions
from fangkong.testing.models import SampleMember


def test_a_day_with_tests_has_its_paragraph(world, people):
    admin = world.county_admin
    zhang, li = people["zhang"], people["li"]
    extra = registry_actions.register_person(
        actor=admin,
        node=world.grid07,
        name="检测甲",
        relation="other",
        id_number=make("371502", dt.date(1980, 1, 2), 301),
    )
    today = timezone.localdate()
    round_ = actions.create_round(actor=admin, node=world.village, name="第一轮", starts_on=today)
    at = max(
        timezone.now() - dt.timedelta(hours=1), timezone.make_aware(dt.datetime.combine(today, dt.time(0, 5)))
    )
    pool = actions.open_sample(
        actor=admin, tube_code="P1", kind="pool", capacity=5, node=world.village, round=round_, sampled_at=at
    )
    for person in (zhang, li, extra):
        actions.add_member(actor=admin, sample=pool, person=person)
    actions.record_result(actor=admin, sample=pool, result="positive")
    situation = compose.compose(node=world.village, as_of=timezone.now())
    [paragraph] = [p for p in situation.paragraphs if "核酸采样" in p.text]
    sampled = SampleMember.objects.values("person").distinct().count()
    registered = Person.objects.filter(node__path__startswith=world.village.path).count()
    assert paragraph.text == (
        f"当日全村核酸采样{sampled}人，检测阳性0人，阳性混管1管；全员核酸覆盖率{sampled * 100 / registered:.1f}%。"
    )


def test_a_day_without_tests_has_none(world, people):
    situation = compose.compose(node=world.village, as_of=timezone.now())
    assert not [p for p in situation.paragraphs if "核酸采样" in p.text]
