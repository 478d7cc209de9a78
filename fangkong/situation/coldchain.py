"""冷链监管: the situation report's cold-chain paragraph (reporting/coldchain.py), in the register of the
market-supervision bureau's report ("……检查冷链食品'两证明一报告一信息'是否齐全……做核酸检测一共431份，其中
……环境……216份"): the day's imported lots received, the samples of goods, packaging, environment and sewage
tested and how many were positive, and, when one was, that the lots were sealed, their goods traced and the
workers who handled them put on the test list. Left out when the day has neither lots nor results."""

CODES = ["coldchain_lots_in", "coldchain_samples_tested", "coldchain_samples_positive"]


def coldchain_section(values: dict, *, figure) -> list[list]:
    if not all(code in values for code in CODES) or not any(values[code] for code in CODES):
        return []
    lines: list = []
    if values["coldchain_lots_in"]:
        lines += [
            "当日进口冷链食品入库",
            figure(values, "coldchain_lots_in"),
            "，均查验“两证明一报告一信息”，未齐全的不予销售",
        ]
    if values["coldchain_samples_tested"]:
        if lines:
            lines.append("；")
        lines += [
            "当日冷链食品、外包装及环境、污水样本出具核酸检测结果",
            figure(values, "coldchain_samples_tested"),
        ]
        if values["coldchain_samples_positive"]:
            lines += [
                "，其中阳性",
                figure(values, "coldchain_samples_positive"),
                "，已封存相关批次，追溯其流向和接触人员并全部纳入核酸检测",
            ]
        else:
            lines.append("，结果均为阴性")
    return [[*lines, "。"]]
