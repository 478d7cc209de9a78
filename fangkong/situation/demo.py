"""The text of the demo county's situation reports (存在问题, 下一步工作, the issuing unit) for the county and
for 梁水镇, through save_notes, as officials would have written it. After the daily reports
(reporting/demo.py)."""

import datetime as dt

from fangkong.situation import actions
from fangkong.situation.models import SituationNotes

COUNTY_NOTES = {
    "issuer": "东昌府区新冠肺炎疫情防控工作领导小组办公室",
    "problems": (
        "一是个别返乡人员居家隔离期间存在擅自外出现象，少数村包保责任落实不够到位，"
        "上门测温随访存在漏访情况。\n"
        "二是部分村（社区）日报告报送不及时，存在迟报、漏报现象，数据核对不够细致。\n"
        "三是防护物资储备不足，口罩、消毒液等消耗较快，基层一线防控人员防护装备缺口较大。\n"
        "四是农村群众防控意识仍有待提高，聚集性活动未完全杜绝。"
    ),
    "next_steps": (
        "一是继续加强返乡人员排查，做到村不漏户、户不漏人，对来自重点地区人员严格落实居家隔离"
        "医学观察措施。\n"
        "二是压实包保责任，网格员、村医每日两次上门测温随访，发现发热等异常情况及时报告、及时转运。\n"
        "三是严格卡口值守，落实测温、登记、扫码等措施，劝返非必要外来人员和车辆。\n"
        "四是加强日报告调度，对迟报、漏报的镇街和村（社区）进行通报。\n"
        "五是广泛开展宣传引导，利用大喇叭、微信群等方式宣传防控知识，引导群众不聚集、不串门、戴口罩。"
    ),
}
TOWNSHIP_NOTES = {
    "issuer": "{t}新冠肺炎疫情防控工作领导小组办公室",
    "problems": (
        "一是返乡人员集中，部分村在管人员较多，包保干部、网格员工作量大，个别时段随访不及时。\n"
        "二是镇区东入口卡口夜间值守力量薄弱，车辆登记不够规范。\n"
        "三是个别村日报告存在迟报现象。"
    ),
    "next_steps": (
        "一是从镇直部门抽调干部充实包保力量，确保在管人员每日两次随访全覆盖。\n"
        "二是卡口实行24小时轮班值守，由派出所民警带班，严格落实测温、登记、扫码。\n"
        "三是每日上午10时前完成日报告报送，由镇疫情防控办逐村调度。\n"
        "四是对居家隔离期满人员按程序及时解除，做好解除后健康监测提醒。"
    ),
}


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    """Write the notes (once: None when there). Call in a transaction."""
    county, township = context.county, context.townships[0]
    if SituationNotes.objects.filter(node=county).exists():
        return None
    actions.save_notes(actor=context.users["county"], node=county, **COUNTY_NOTES)
    actions.save_notes(
        actor=context.users["township"],
        node=township,
        **{key: text.format(t=township.name) for key, text in TOWNSHIP_NOTES.items()},
    )
    return {"situation_notes": 2}
