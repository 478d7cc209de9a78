"""早期预警: the situation report's paragraph of early warning (reporting/surveillance.py), as a report
would write it: "当日监测序列超过预警上限2条：前屯村委会发热门诊就诊人次：12-05为25，超过预警上限9.8（EARS C1/C2）。"
The count is the indicator (a linked figure); the alerts behind it are named, at most ALERTS_SHOWN, as they
had been raised by the report's moment. Left out when nothing is above its bound."""

import datetime as dt

from fangkong.grid.models import Jurisdiction
from fangkong.surveillance.models import SignalAlert

ALERTS_SHOWN = 5


def early_warning_section(
    node: Jurisdiction, values: dict, day: dt.date, as_of: dt.datetime, *, figure
) -> list[list]:
    if not values.get("signals_alarming"):
        return []
    alerts = list(
        SignalAlert.objects.filter(node__path__startswith=node.path, day=day, raised_at__lt=as_of)
        .select_related("node")
        .order_by("node__path", "series")[: ALERTS_SHOWN + 1]
    )
    lines: list = ["当日监测序列超过预警上限", figure(values, "signals_alarming")]
    if alerts:
        named = "；".join(alert.summary for alert in alerts[:ALERTS_SHOWN])
        lines += ["：", named, "等" if len(alerts) > ALERTS_SHOWN else ""]
    lines.append("，已向所在辖区及上一级发出预警，请组织核实。")
    return [lines]
