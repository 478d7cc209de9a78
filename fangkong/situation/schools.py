"""学校防控: the situation report's paragraph of schools (reporting/schools.py), in the register of the
education bureau's and the schools' reports: "全县各级各类学校落实晨午检和“日报告、零报告”制度，当日晨午检
上报X班次，其中零报告X班次；发现有症状学生X人，因病缺勤学生X人，均已登记并跟踪就诊和返校情况。" Left out
where no school sent a check that day."""

CODES = ["school_checks", "school_zero_reports", "school_symptomatic", "school_absent_illness"]


def schools_section(values: dict, *, figure, whole: str) -> list[list]:
    if not all(code in values for code in CODES) or not values["school_checks"]:
        return []
    lines: list = [
        f"{whole}各级各类学校落实晨午检和“日报告、零报告”制度，当日晨午检上报",
        figure(values, "school_checks"),
        "，其中零报告",
        figure(values, "school_zero_reports"),
    ]
    if values["school_symptomatic"] or values["school_absent_illness"]:
        lines += [
            "；发现有发热等症状学生",
            figure(values, "school_symptomatic"),
            "，因病缺勤学生",
            figure(values, "school_absent_illness"),
            "，均已登记并跟踪就诊和返校情况",
        ]
    else:
        lines.append("；未发现有症状学生和因病缺勤学生")
    return [[*lines, "。"]]
