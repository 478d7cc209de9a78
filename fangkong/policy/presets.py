"""Policy presets of DOMAIN.md §4: the national protocols as data. An administrator starts from one and
edits the values for their jurisdiction; nothing here is read by the rules except through a Policy row.

`regimes` maps a screening reason to the steps a person goes through, in order: (measure kind, days).
Days count from the reference date (last exposure, or arrival): day 1 is the day after it. `tests` maps a
measure kind to the days on which a nucleic-acid test is due; `release_tests` is how many negative results
are required in the period before release. Entries marked unverified could not be checked against an
official text: the UI says so.
"""

import copy

CENTRAL = "central_quarantine"
HOME_Q = "home_quarantine"
HOME_M = "home_monitoring"
SELF_M = "self_monitoring"

# Venue codes (DOMAIN.md §5, §10): a check-in without a check-out lasts the dwell time of its venue's kind
# (30 minutes unless the policy says otherwise), and check-ins are purged after the retention period.
VENUE_DWELL_MINUTES = {
    kind: 30
    for kind in (
        "shop",
        "market",
        "restaurant",
        "school",
        "enterprise",
        "office",
        "clinic",
        "station",
        "compound",
        "other",
    )
}
CHECKIN_RETENTION_DAYS = 28


# Cases and tracing (DOMAIN.md §5, §12): the look-back window, the §12 clocks in hours, whether secondary
# contacts are determined (not after 2022-11-11), and the days within which cases in one small unit make a
# cluster. Before 2021 the clocks could not be checked against an official text: marked unverified there.
def _tracing(*, secondary_determined: bool = True) -> dict:
    return {
        "lookback_days": 2,
        "report_hours": 2,
        "core_hours": 4,
        "investigation_hours": 24,
        "contacts_hours": 24,
        "secondary_determined": secondary_determined,
        "cluster_days": 14,
    }


TRACING = _tracing()


# Vaccination (DOMAIN.md §13): the products a site may record, each with its kind (灭活 / 腺病毒载体 /
# 重组蛋白), the doses of its primary series (全程), the shortest interval between two of them and the days
# after completing the series from which a booster (加强针) counts. The series lengths are those of §13
# (2 inactivated, 1 Ad5, 3 recombinant protein); the intervals follow the 2021 technical guidance and
# are *unverified*: keep them per product and say so on the policy page.
def _vaccine(
    name: str, manufacturer: str, kind: str, doses: int, interval: int, aliases: list, booster: int = 180
) -> dict:
    return {
        "aliases": aliases,  # how ledgers write the product (a 疫苗名称 or 生产企业 cell)
        "name": name,
        "manufacturer": manufacturer,
        "kind": kind,
        "primary_doses": doses,
        "min_interval_days": interval,
        "booster_after_days": booster,
    }


VACCINATION = {
    "products": {
        "bibp": _vaccine(
            "新冠病毒灭活疫苗（Vero细胞）",
            "北京生物",
            "inactivated",
            2,
            21,
            ["国药北京", "北京生物", "BBIBP"],
        ),
        "wibp": _vaccine(
            "新冠病毒灭活疫苗（Vero细胞）", "武汉生物", "inactivated", 2, 21, ["国药武汉", "武汉生物"]
        ),
        "coronavac": _vaccine(
            "新冠病毒灭活疫苗（Vero细胞）克尔来福",
            "北京科兴中维",
            "inactivated",
            2,
            21,
            ["科兴", "克尔来福", "CoronaVac"],
        ),
        "ad5": _vaccine(
            "重组新冠病毒疫苗（5型腺病毒载体）",
            "康希诺",
            "adenovirus",
            1,
            0,
            ["康希诺", "康希诺生物", "克威莎", "腺病毒"],
        ),
        "zf2001": _vaccine(
            "重组新冠病毒蛋白疫苗（CHO细胞）",
            "安徽智飞龙科马",
            "recombinant",
            3,
            30,
            ["智飞", "智飞龙科马", "智克威得", "重组蛋白"],
        ),
    },
    "unverified": True,
}


# Regular testing of key groups (DOMAIN.md §13): days between two tests per group (default weekly, unverified).
TESTING = {
    "key_group_days": {"cold_chain": 7, "port": 7, "medical": 7, "delivery": 7, "market": 7},
}


# Inspections (DOMAIN.md §14, §16): days given to fix a failed item, and every how many days an overdue
# order climbs one more level up the tree (the first step is taken the day after its deadline).
INSPECTIONS = {"rectification_days": 3, "escalate_every_days": 3}
# Market supervision (DOMAIN.md §14): a buyer of fever medicine registered in the grid is passed to their
# community, to be contacted within this many hours of the purchase (*unverified*: no official text
# checked; the sources say only that the buyers are passed on).
MARKETS = {"fever_followup_hours": 24}
# Command (DOMAIN.md §16): the 24-hour duty shift starts at this time and lasts this many hours.
COMMAND = {"duty_starts": "08:30", "duty_hours": 24}
# Schools (DOMAIN.md §15): a class where `cluster_pupils` pupils showed the same symptom at the morning or
# noon checks within `cluster_days` days (the day itself included) is reported up at once; the 14 days of
# monitoring before opening are `pre_opening_days`. Defaults from the usual school rule (同一班级3天内5例
# 相似症状), *unverified*: the policy page says so.
SCHOOLS = {"cluster_pupils": 5, "cluster_days": 3, "pre_opening_days": 14, "unverified": True}

# Early warning (DOMAIN.md §17): the serial interval of R_t, a discretised gamma of this mean and sd in days
# (default: Nishiura et al. 2020, mean 4.7, sd 2.9 — unverified for later variants), or a discrete
# distribution `si_distr` (probabilities of 0, 1, 2 … days; the first is 0) when it is not empty; and α of
# each EARS method (surveillance::earsC's defaults).
SURVEILLANCE = {
    "si_mean": 4.7,
    "si_sd": 2.9,
    "si_distr": [],
    "alpha": {"C1": 0.001, "C2": 0.001, "C3": 0.025},
    "five_colour": {},  # thresholds of the five-colour map over surveillance/rules.FIVE_COLOUR_DEFAULTS
}
# Daily reports for day D are due by this time on D+1 (DOMAIN.md §8).
REPORT_DEADLINE = "10:00"

# Supplies (DOMAIN.md §16): days of supply divide the balance by the mean daily use of the last `use_days`
# days; a batch expiring within `expiry_warning_days` of the day is near expiry.
SUPPLIES = {"use_days": 7, "expiry_warning_days": 30}

# Disinfection (DOMAIN.md §16): the required frequency per place type, `times` disinfections every
# `every_days` days (1: every day). From the guidance on preventive disinfection of public places (2020):
# toilets, markets and lifts several times a day, buses after each trip (at least twice a day), classrooms
# and offices daily, quarantine sites' common areas twice a day. Not checked against one official table.
DISINFECTION = {
    "public_toilet": {"times": 2, "every_days": 1},
    "market": {"times": 2, "every_days": 1},
    "lift": {"times": 2, "every_days": 1},
    "bus": {"times": 2, "every_days": 1},
    "classroom": {"times": 1, "every_days": 1},
    "quarantine_site": {"times": 2, "every_days": 1},
    "waste_station": {"times": 1, "every_days": 1},
    "office": {"times": 1, "every_days": 1},
    "square": {"times": 1, "every_days": 7},
    "other": {"times": 1, "every_days": 1},
}


# Health codes (DOMAIN.md §6): the rule table read by healthcodes/rules.py, one entry per rule. Every rule can
# be switched off ("on") and its colour, days or hours changed; "test_clears": a negative test sampled
# after the event turns that yellow green before its period ends. The default tables are Zhejiang's of
# 2020 and Sichuan's of 2021, simplified; they differ in how long a case stays red after release.
def _health_code(label: str, *, days_after_release: int, arrival_days: int, medium: bool = True) -> dict:
    return {
        "label": label,
        "rules": {
            "case": {"on": True, "colour": "red", "days_after_release": days_after_release},
            "contact": {"on": True, "colour": "red"},
            "quarantine": {"on": True, "colour": "red"},
            "arrival_high": {"on": arrival_days > 0, "colour": "red", "days": arrival_days or 14},
            "manual": {"on": True},
            "symptoms": {"on": True, "colour": "yellow", "hours": 24, "test_clears": True},
            "home_monitoring": {"on": True, "colour": "yellow"},
            "arrival_medium": {
                "on": medium and arrival_days > 0,
                "colour": "yellow",
                "days": arrival_days or 14,
                "test_clears": True,
            },
            "co_presence": {"on": True, "colour": "yellow", "test_clears": True},
            "positive_test": {"on": True, "colour": "red", "days": 14},
        },
    }


HEALTH_CODE_ZHEJIANG_2020 = _health_code(
    "浙江健康码规则（2020年，简化）", days_after_release=0, arrival_days=14
)
HEALTH_CODE_SICHUAN_2021 = _health_code(
    "四川天府健康通规则（2021年，简化）", days_after_release=28, arrival_days=14
)

PRESETS: dict[str, dict] = {
    "2020": {
        "label": "2020年（新冠肺炎防控方案第二至七版）",
        "fever_threshold": "37.3",
        "regimes": {
            "close_contact": [[CENTRAL, 14]],
            "secondary_contact": [],
            "arrival": [[HOME_Q, 14]],
            "arrival_high": [[HOME_Q, 14]],
            "arrival_medium": [[HOME_Q, 14]],
            "inbound": [[CENTRAL, 14]],
            "fever": [[HOME_M, 14]],
            "tip_off": [[HOME_M, 14]],
            "self_declared": [[HOME_M, 14]],
        },
        "default_days": {CENTRAL: 14, HOME_Q: 14, HOME_M: 14, SELF_M: 14},
        "tests": {CENTRAL: [1, 14], HOME_Q: [1, 14]},
        "release_tests": 0,
        "venue_dwell_minutes": dict(VENUE_DWELL_MINUTES),
        "checkin_retention_days": CHECKIN_RETENTION_DAYS,
        "report_deadline": REPORT_DEADLINE,
        "report_activities": [],  # empty: the standard list of reporting.daily.DEFAULT_ACTIVITIES
        "health_code": dict(HEALTH_CODE_ZHEJIANG_2020),
        "tracing": _tracing(secondary_determined=True),
        "unverified": ["tests", "tracing"],
    },
    "2021": {
        "label": "2021年（防控方案第八版）",
        "fever_threshold": "37.3",
        "regimes": {
            "close_contact": [[CENTRAL, 14], [HOME_M, 7]],
            "secondary_contact": [[CENTRAL, 7]],
            "arrival": [[HOME_M, 14]],
            "arrival_high": [[CENTRAL, 14]],
            "arrival_medium": [[HOME_Q, 14]],
            "inbound": [[CENTRAL, 14], [HOME_M, 7]],
            "fever": [[HOME_M, 14]],
            "tip_off": [[HOME_M, 14]],
            "self_declared": [[HOME_M, 14]],
        },
        "default_days": {CENTRAL: 14, HOME_Q: 14, HOME_M: 7, SELF_M: 14},
        "tests": {CENTRAL: [1, 4, 7, 13, 14], HOME_M: [7]},
        "release_tests": 2,
        "venue_dwell_minutes": dict(VENUE_DWELL_MINUTES),
        "checkin_retention_days": CHECKIN_RETENTION_DAYS,
        "report_deadline": REPORT_DEADLINE,
        "report_activities": [],  # empty: the standard list of reporting.daily.DEFAULT_ACTIVITIES
        "health_code": dict(HEALTH_CODE_SICHUAN_2021),
        "tracing": _tracing(secondary_determined=True),
        "unverified": ["arrival", "arrival_high", "arrival_medium"],
    },
    "2022-06": {
        "label": "2022年6月（防控方案第九版）",
        "fever_threshold": "37.3",
        "regimes": {
            "close_contact": [[CENTRAL, 7], [HOME_M, 3]],
            "secondary_contact": [[HOME_Q, 7]],
            "arrival": [[SELF_M, 7]],
            "arrival_high": [[CENTRAL, 7]],
            "arrival_medium": [[HOME_Q, 7]],
            "inbound": [[CENTRAL, 7], [HOME_M, 3]],
            "fever": [[HOME_M, 7]],
            "tip_off": [[HOME_M, 7]],
            "self_declared": [[SELF_M, 7]],
        },
        "default_days": {CENTRAL: 7, HOME_Q: 7, HOME_M: 3, SELF_M: 7},
        "tests": {CENTRAL: [1, 2, 3, 5, 7], HOME_M: [3], HOME_Q: [1, 4, 7]},
        "release_tests": 1,
        "venue_dwell_minutes": dict(VENUE_DWELL_MINUTES),
        "checkin_retention_days": CHECKIN_RETENTION_DAYS,
        "report_deadline": REPORT_DEADLINE,
        "report_activities": [],  # empty: the standard list of reporting.daily.DEFAULT_ACTIVITIES
        "health_code": _health_code(
            "第九版：四川规则，来返天数按第九版（简化）", days_after_release=28, arrival_days=7
        ),
        "tracing": _tracing(secondary_determined=True),
        "unverified": ["arrival", "fever", "tip_off", "self_declared", "health_code"],
    },
    "2022-11": {
        "label": "2022年11月（优化防控工作二十条措施）",
        "fever_threshold": "37.3",
        "regimes": {
            "close_contact": [[CENTRAL, 5], [HOME_Q, 3]],
            "secondary_contact": [],
            "arrival": [],
            "arrival_high": [[HOME_Q, 7]],
            "arrival_medium": [],
            "inbound": [[CENTRAL, 5], [HOME_Q, 3]],
            "fever": [[HOME_M, 5]],
            "tip_off": [[HOME_M, 5]],
            "self_declared": [[SELF_M, 5]],
        },
        "default_days": {CENTRAL: 5, HOME_Q: 3, HOME_M: 5, SELF_M: 5},
        "tests": {CENTRAL: [1, 2, 3, 5], HOME_Q: [1, 3]},
        "release_tests": 1,
        "venue_dwell_minutes": dict(VENUE_DWELL_MINUTES),
        "checkin_retention_days": CHECKIN_RETENTION_DAYS,
        "report_deadline": REPORT_DEADLINE,
        "report_activities": [],  # empty: the standard list of reporting.daily.DEFAULT_ACTIVITIES
        "health_code": _health_code(
            "二十条：仅高风险区来返赋码（简化）", days_after_release=28, arrival_days=7, medium=False
        ),
        "tracing": _tracing(secondary_determined=False),
        "unverified": ["fever", "tip_off", "self_declared", "health_code"],
    },
    "2022-12": {
        "label": "2022年12月（进一步优化落实新冠肺炎疫情防控措施十条）",
        "fever_threshold": "37.3",
        "regimes": {
            "close_contact": [[HOME_Q, 5]],
            "secondary_contact": [],
            "arrival": [],
            "arrival_high": [],
            "arrival_medium": [],
            "inbound": [[HOME_Q, 5]],
            "fever": [[SELF_M, 5]],
            "tip_off": [],
            "self_declared": [[SELF_M, 5]],
        },
        "default_days": {CENTRAL: 5, HOME_Q: 5, HOME_M: 5, SELF_M: 5},
        "tests": {HOME_Q: [5]},
        "release_tests": 1,
        "venue_dwell_minutes": dict(VENUE_DWELL_MINUTES),
        "checkin_retention_days": CHECKIN_RETENTION_DAYS,
        "report_deadline": REPORT_DEADLINE,
        "report_activities": [],  # empty: the standard list of reporting.daily.DEFAULT_ACTIVITIES
        "health_code": _health_code("新十条：不再按来返赋码（简化）", days_after_release=28, arrival_days=0),
        "tracing": _tracing(secondary_determined=False),
        "unverified": ["fever", "self_declared", "health_code"],
    },
}

DEFAULT_PRESET = "2020"

# Every preset carries the vaccination product table, the key groups' testing frequencies, the supplies
# windows and the disinfection frequencies (settable per jurisdiction like the rest, from the policy form).
for _preset in PRESETS.values():
    _preset.setdefault("vaccination", copy.deepcopy(VACCINATION))
    _preset.setdefault("surveillance", copy.deepcopy(SURVEILLANCE))  # the serial interval, EARS α
    _preset.setdefault("testing", copy.deepcopy(TESTING))
    _preset.setdefault("supplies", copy.deepcopy(SUPPLIES))
    _preset.setdefault("disinfection", copy.deepcopy(DISINFECTION))
del _preset
