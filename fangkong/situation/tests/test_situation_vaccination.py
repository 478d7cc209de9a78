"""The vaccination paragraph of the situation report, as the reports write it, with its numbers equal
to the indicators and to a plain count of the records."""

from django.utils import timezone

from fangkong.lib.idcard import make
from fangkong.registry import actions as registry_actions
from fangkong.situation import compose
from fangkong.vaccination import actions


def test_it_writes_how_many_were_vaccinated(world, people):
    site = actions.create_site(actor=world.county_admin, node=world.township, name="梁水镇卫生院接种点")
    today = timezone.localdate()
    old = registry_actions.register_person(
        actor=world.county_admin,
        node=world.grid08,
        name="赵大爷",
        id_number=make("371502", today.replace(year=today.year - 70), 11),
    )
    dose = dict(actor=world.county_admin, site=site)
    actions.record_dose(**dose, person=people["zhang"], product="ad5", given_on=today)
    actions.record_dose(**dose, person=people["li"], product="bibp", given_on=today)
    actions.record_dose(**dose, person=old, product="bibp", given_on=today - timezone.timedelta(days=40))
    actions.record_dose(**dose, person=old, product="bibp", given_on=today - timezone.timedelta(days=10))
    situation = compose.compose(node=world.township, as_of=timezone.localtime())
    paragraph = next(p for p in situation.paragraphs if p.section == compose.VACCINATION and p.kind == "body")
    assert paragraph.text == (
        "全镇实有人口中累计接种新冠病毒疫苗3人，其中完成全程接种2人、加强免疫接种0人；全程接种率50.0%，"
        "其中60岁以上人群全程接种率100.0%。当日接种2剂次。"
    )
    for f in paragraph.figures:
        assert situation.indicators[f.code] == f.value


def test_it_leaves_the_paragraph_out_where_nobody_is_vaccinated(world, people):
    situation = compose.compose(node=world.township, as_of=timezone.localtime())
    assert not any(p.section == compose.VACCINATION for p in situation.paragraphs)
