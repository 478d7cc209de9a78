"""市场监管: the situation report's paragraphs of market supervision (reporting/markets.py), in the
register of the 市场监管局 report: "共检查农贸市场、商场超市、冻品店、食品经营店、餐饮店、酒店、药店等经营户
425家次，对未进行消毒、体温检测和未正确佩戴口罩的经营户责令其整改" — here with the figures the records give:
establishments checked with the market checklist (the day's and the total), those ordered to rectify,
the pharmacies' real-name sales of the four classes and the fever-medicine buyers passed to their
communities, the gatherings the townships reported and cancelled. Only figures that are not zero; left out
where there is nothing (the cold-chain paragraph is another module's)."""

INSPECTION_CODES = ["market_inspections", "market_inspections_total", "market_rectification_places_total"]
PHARMACY_CODES = ["pharmacy_purchases", "pharmacy_fever_buyers", "pharmacy_fever_followups_open"]
GATHERING_CODES = ["gatherings_reported", "gatherings_cancelled", "gatherings_cancelled_total"]
CODES = [*INSPECTION_CODES, *PHARMACY_CODES, *GATHERING_CODES]


def markets_section(values: dict, *, figure) -> list[list]:
    if not all(code in values for code in CODES):
        return []
    paragraphs = []
    if values["market_inspections_total"]:
        lines: list = []
        if values["market_inspections"]:
            lines += [
                "当日检查农贸市场、商场超市、餐饮店、药店等经营户",
                figure(values, "market_inspections"),
                "，",
            ]
        lines += ["累计检查经营户", figure(values, "market_inspections_total")]
        if values["market_rectification_places_total"]:
            lines += [
                "，对未进行消毒、体温检测和未正确佩戴口罩等问题的经营户责令整改",
                figure(values, "market_rectification_places_total"),
                "并要求规范进货台账",
            ]
        paragraphs.append([*lines, "。"])
    if values["pharmacy_purchases"] or values["pharmacy_fever_followups_open"]:
        lines = []
        if values["pharmacy_purchases"]:
            lines += [
                "当日药店实名登记销售退热、止咳、抗病毒、抗生素四类药品",
                figure(values, "pharmacy_purchases"),
            ]
            if values["pharmacy_fever_buyers"]:
                lines += [
                    "，其中购买退热药",
                    figure(values, "pharmacy_fever_buyers"),
                    "，已推送至其所在社区核查",
                ]
        if values["pharmacy_fever_followups_open"]:
            lines += [
                "；" if lines else "",
                "尚有",
                figure(values, "pharmacy_fever_followups_open"),
                "待社区核查",
            ]
        paragraphs.append([*lines, "。"])
    if values["gatherings_reported"] or values["gatherings_cancelled_total"]:
        lines = []
        if values["gatherings_reported"] or values["gatherings_cancelled"]:
            lines += [
                "当日各乡镇上报群体性聚餐",
                figure(values, "gatherings_reported"),
                "，取消",
                figure(values, "gatherings_cancelled"),
                "；",
            ]
        lines += ["累计取消群体性聚餐", figure(values, "gatherings_cancelled_total"), "。"]
        paragraphs.append(lines)
    return paragraphs
