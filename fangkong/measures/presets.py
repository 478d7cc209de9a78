"""Policy presets of DOMAIN.md §4: the national protocols as data. An administrator starts from one and
edits the values for their jurisdiction; nothing here is read by the rules except through a Policy row.

`regimes` maps a screening reason to the steps a person goes through, in order: (measure kind, days).
Days count from the reference date (last exposure, or arrival): day 1 is the day after it. `tests` maps a
measure kind to the days on which a nucleic-acid test is due; `release_tests` is how many negative results
are required in the period before release. Entries marked unverified could not be checked against an
official text: the UI says so.
"""

CENTRAL = "central_quarantine"
HOME_Q = "home_quarantine"
HOME_M = "home_monitoring"
SELF_M = "self_monitoring"

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
        "unverified": ["tests"],
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
        "unverified": ["arrival", "fever", "tip_off", "self_declared"],
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
        "unverified": ["fever", "tip_off", "self_declared"],
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
        "unverified": ["fever", "self_declared"],
    },
}

DEFAULT_PRESET = "2020"
