"""物资保障与消杀: the situation report's paragraph of supplies and disinfection (reporting/operations.py),
as the reports write it: "当日接收防疫物资入库3笔（其中社会捐赠1笔），发放2笔；目前低于警戒库存的物资1项、
临期物资2批。当日应消杀公共场所12次，已完成10次，完成率83.3%。" Left out where there are neither stores
with movements nor places to disinfect."""

from fangkong.grid.models import Jurisdiction

SUPPLY_CODES = [
    "supplies_receipts_new",
    "supplies_donations_new",
    "supplies_issues_new",
    "supplies_low_stock",
    "supplies_near_expiry",
]
DISINFECTION_CODES = [
    "disinfection_required",
    "disinfection_done",
    "disinfection_compliance_pct",
    "disinfection_missed",
]


def operations_section(node: Jurisdiction, values: dict, *, figure, whole: str) -> list[list]:
    if not all(code in values for code in [*SUPPLY_CODES, *DISINFECTION_CODES]):
        return []
    paragraphs = []
    if any(values[code] for code in SUPPLY_CODES):
        lines: list = ["当日防疫物资入库", figure(values, "supplies_receipts_new")]
        if values["supplies_donations_new"]:
            lines += ["（其中接收社会捐赠", figure(values, "supplies_donations_new"), "）"]
        lines += ["，发放领用", figure(values, "supplies_issues_new")]
        if values["supplies_low_stock"] or values["supplies_near_expiry"]:
            lines += [
                "；目前低于警戒库存的物资",
                figure(values, "supplies_low_stock"),
                "、临期物资",
                figure(values, "supplies_near_expiry"),
                "，正在协调补充、调剂",
            ]
        else:
            lines.append("；各库点物资储备均在警戒库存以上")
        paragraphs.append([*lines, "。"])
    if values["disinfection_required"]:
        lines = [
            f"{whole}当日应对公共场所消杀",
            figure(values, "disinfection_required"),
            "，已完成",
            figure(values, "disinfection_done"),
            "，完成率",
            figure(values, "disinfection_compliance_pct"),
        ]
        if values["disinfection_missed"]:
            lines += ["；漏消杀", figure(values, "disinfection_missed"), "，已督促补做"]
        paragraphs.append([*lines, "。"])
    return paragraphs
