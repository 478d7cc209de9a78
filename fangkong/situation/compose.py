"""The situation report (情况报告) as data: title, paragraphs and the indicator values behind them.

Every figure in the text is a `Figure` that knows its indicator code and value: the preview highlights and
links it, the JSON lists it, and the tests compare it with `indicators.compute` for the same node and
moment. Nothing here adds, subtracts or rates numbers: a figure the indicators do not define (a total of
all measures, a follow-up rate) is not written.

What "截至2020年1月28日12时" means. The indicators are defined per day D (DOMAIN.md §9). A report as of
moment T uses `compute(node, D, now=T, as_of=T)`, where D is the day T falls on, and T = 00:00 stands for
24:00 of the day before ("截至1月28日24时": the whole of 28 January):
- cumulative figures (累计排查, 累计解除, 累计送医…) and the people under each measure are those at T;
  day figures (当日新增, 当日解除, 当日应随访…) count day D from 00:00 to T;
- only what had been recorded by T counts: a screening, measure, release, reading or passage entered
  after T, even dated before it, is not in the report of T (indicators.py, "As of a moment", says how,
  and what can still change a past report: edits in place with no history);
- a follow-up slot counts as missed only when it has ended by T (the morning at 12:00, the evening at
  24:00): at 12时 the evening slot is due but neither done nor missed, and the text says so.
So the report of T is the same whenever it is made; made later, the `basis` note says that what was
entered after T is not in it. A moment in the future is refused.
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone, translation

from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib.errors import RuleError
from fangkong.measures import rules
from fangkong.policy.models import Kind
from fangkong.reporting import indicators
from fangkong.situation.coldchain import coldchain_section
from fangkong.situation.early_warning import early_warning_section
from fangkong.situation.markets import markets_section
from fangkong.situation.models import SituationNotes
from fangkong.situation.operations import operations_section
from fangkong.situation.schools import schools_section

SHANGHAI = rules.SHANGHAI
DIGITS = "一二三四五六七八九"

ORIGINS_SHOWN = 10  # origins named in the text; the rest are "等地", the JSON has them all
NOTES_LIMIT = 5000  # characters of 存在问题 / 下一步工作 each
ISSUER_LIMIT = 100


def chinese_numeral(n: int) -> str:
    """The heading numbers of a report, 1 … 99 as written: 一 … 十, 十一, 二十, 二十一."""
    tens, ones = divmod(n, 10)
    if not 1 <= n <= 99:
        raise ValueError(n)
    head = "" if tens == 0 else ("十" if tens == 1 else f"{DIGITS[tens - 1]}十")
    return head + (DIGITS[ones - 1] if ones else "")


# Sections in the order of the document; a section with nothing to say is left out and the rest renumbered.
(
    CASES,
    SCREENING,
    MEASURES,
    FOLLOW_UPS,
    CHECKPOINTS,
    OPERATIONS,
    INSPECTIONS,
    PROBLEMS,
    NEXT_STEPS,
) = (
    "cases",
    "screening",
    "measures",
    "follow_ups",
    "checkpoints",
    "operations",
    "inspections",
    "problems",
    "next_steps",
)
VACCINATION = "vaccination"
SCHOOLS = "schools"
MARKETS = "markets"
COLDCHAIN = "coldchain"
EARLY_WARNING = "early_warning"
SECTION_TITLES = {
    CASES: "疫情基本情况",
    SCREENING: "排查情况",
    MEASURES: "管控情况",
    FOLLOW_UPS: "随访监测",
    CHECKPOINTS: "卡口与场所",
    VACCINATION: "疫苗接种",
    SCHOOLS: "学校防控",
    EARLY_WARNING: "早期预警",
    OPERATIONS: "物资保障与消杀",
    INSPECTIONS: "督查整改",
    MARKETS: "市场监管",
    COLDCHAIN: "冷链监管",
    PROBLEMS: "存在问题",
    NEXT_STEPS: "下一步工作",
}
OPENING, CLOSING = "opening", "closing"
BODY, HEADING, SIGNATURE, DATE = "body", "heading", "signature", "date"

# The measures in the order the reports name them; hospital stays are written separately.
MEASURE_ORDER = [Kind.CENTRAL_QUARANTINE, Kind.HOME_QUARANTINE, Kind.HOME_MONITORING, Kind.SELF_MONITORING]
SITE_CODES = ("quarantine_sites", "quarantine_beds", "quarantine_beds_free")


# ── the moment ─────────────────────────────────────────────────────────────────────────────────────

_AS_OF_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::\d{2})?)?\s*$")
_AS_OF_CHINESE = re.compile(
    r"^\s*(?:截至|截止)?\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*"
    r"(?:(\d{1,2})\s*[时点:：]\s*(?:(\d{1,2})\s*分?)?)?\s*$"
)


def parse_as_of(text: str) -> dt.datetime:
    """A moment as people write it: "2020-01-28 12:00", "2020-01-28T12:00", "2020年1月28日12时",
    "2020年1月28日12时30分", "2020年1月28日24时"; a date alone means 24:00 of that day. Asia/Shanghai."""
    match = _AS_OF_ISO.match(text or "") or _AS_OF_CHINESE.match(text or "")
    if not match:
        raise RuleError({"as_of": f"截至时间格式不对：{text}（应为 2020-01-28 12:00 或 2020年1月28日12时）"})
    year, month, day, hour, minute = (int(part) if part else None for part in match.groups())
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise RuleError({"as_of": f"日期不存在：{text}"}) from None
    if hour is None or hour == 24 and not minute:
        return rules.local_midnight(date + dt.timedelta(days=1))
    if hour > 23 or (minute or 0) > 59:
        raise RuleError({"as_of": f"时间不存在：{text}"})
    return dt.datetime.combine(date, dt.time(hour, minute or 0), tzinfo=SHANGHAI)


def default_as_of(now: dt.datetime | None = None) -> dt.datetime:
    """The current hour: "截至今日15时" at 15:40."""
    local = (now or timezone.now()).astimezone(SHANGHAI)
    return local.replace(minute=0, second=0, microsecond=0)


def report_day(as_of: dt.datetime) -> dt.date:
    """The day whose indicators the report uses: 00:00 closes the day before."""
    local = as_of.astimezone(SHANGHAI)
    if local.time() == dt.time(0):
        return local.date() - dt.timedelta(days=1)
    return local.date()


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def as_of_text(as_of: dt.datetime) -> str:
    """截至2020年1月28日12时 / 12时30分 / 24时."""
    local = as_of.astimezone(SHANGHAI)
    if local.time() == dt.time(0):
        return f"截至{chinese_date(report_day(local))}24时"
    minutes = f"{local.minute}分" if local.minute else ""
    return f"截至{chinese_date(local.date())}{local.hour}时{minutes}"


def check_as_of(as_of: dt.datetime, now: dt.datetime) -> None:
    if as_of > now + dt.timedelta(minutes=1):
        raise RuleError({"as_of": "截至时间不能晚于现在"})


# ── the document as data ───────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Figure:
    """A number in the text: the indicator it comes from, its value, and how it is written. `item`
    names the entry of a list indicator (湖北省武汉市 of screened_by_origin)."""

    code: str
    value: Any
    text: str
    item: str = ""

    @property
    def label(self) -> str:
        return str(indicators.REGISTRY[self.code].label)

    def as_dict(self) -> dict:
        out = {"code": self.code, "value": self.value, "text": self.text}
        if self.item:
            out["item"] = self.item
        return out


@dataclass
class Paragraph:
    section: str
    kind: str  # BODY, HEADING, SIGNATURE or DATE
    segments: list  # str and Figure, in reading order

    @property
    def text(self) -> str:
        return "".join(s.text if isinstance(s, Figure) else s for s in self.segments)

    @property
    def figures(self) -> list[Figure]:
        return [s for s in self.segments if isinstance(s, Figure)]

    def as_dict(self) -> dict:
        return {
            "section": self.section,
            "kind": self.kind,
            "text": self.text,
            "numbers": [f.as_dict() for f in self.figures],
        }


@dataclass
class Situation:
    node: Jurisdiction
    as_of: dt.datetime
    day: dt.date
    title: str
    issuer: str
    paragraphs: list[Paragraph]
    indicators: dict[str, Any]
    basis: str = ""  # a note on what the figures cover, when it is not simply "at the moment"
    notes: SituationNotes | None = None

    @property
    def as_of_text(self) -> str:
        return as_of_text(self.as_of)

    @property
    def date_text(self) -> str:
        """成文日期: the day the report is dated, the day of the moment (24时 is dated the next morning)."""
        return chinese_date(self.as_of.astimezone(SHANGHAI).date())

    @property
    def figures(self) -> list[Figure]:
        return [f for p in self.paragraphs for f in p.figures]

    def as_dict(self) -> dict:
        return {
            "node": self.node.code,
            "node_name": self.node.name,
            "as_of": self.as_of.astimezone(SHANGHAI).isoformat(),
            "as_of_text": self.as_of_text,
            "day": self.day.isoformat(),
            "title": self.title,
            "issuer": self.issuer,
            "date": self.date_text,
            "basis": self.basis,
            "paragraphs": [p.as_dict() for p in self.paragraphs],
            "indicators": self.indicators,
        }


# ── writing numbers and places ─────────────────────────────────────────────────────────────────────


def number_text(code: str, value) -> str:
    """As the reports write them: Arabic numerals and the indicator's unit (人, 人次, 辆…), a rate with
    one decimal (96.5%)."""
    unit = str(indicators.REGISTRY[code].unit)
    if unit == indicators.PERCENT:
        return f"{float(value):.1f}%"
    return f"{value}{unit}"


def figure(values: dict, code: str) -> Figure:
    return Figure(code=code, value=values[code], text=number_text(code, values[code]))


def whole_of(node: Jurisdiction) -> str:
    """全县 / 全区 / 全镇 / 全乡 / 全街道 / 全村 / 全社区 / 本网格: how a report names its own area."""
    name = node.name
    if node.level == Level.GRID:
        return "本网格"
    if node.level == Level.VILLAGE:
        return "全社区" if "社区" in name else "全村"
    if node.level == Level.TOWNSHIP:
        for suffix in ("街道", "乡", "镇"):
            if name.endswith(suffix):
                return f"全{suffix}"
        return "全镇"
    if node.level == Level.COUNTY:
        return "全区" if name.endswith("区") else "全市" if name.endswith("市") else "全县"
    return {Level.CITY: "全市", Level.PROVINCE: "全省"}.get(node.level, "全辖区")


def default_issuer(node: Jurisdiction) -> str:
    return f"{node.name}新冠肺炎疫情防控指挥部"


def title_of(node: Jurisdiction) -> str:
    return f"{node.name}关于新冠肺炎疫情防控工作开展情况的报告"


# ── the sections ───────────────────────────────────────────────────────────────────────────────────


def _has(values: dict, *codes: str) -> bool:
    return all(code in values for code in codes)


def _listing(values: dict, codes: list[str], names: dict[str, str]) -> list:
    """ "集中隔离医学观察3人、居家隔离医学观察5人" as segments."""
    out: list = []
    for code in codes:
        if out:
            out.append("、")
        out += [names[code], figure(values, code)]
    return out


def opening(node: Jurisdiction, values: dict, as_of: dt.datetime) -> list:
    whole = whole_of(node)
    return [
        f"按照上级疫情防控工作部署，{node.name}坚持“日报告、零报告”制度，扎实做好重点人员排查、"
        f"管控和随访监测工作。{as_of_text(as_of)}，{whole}累计排查重点人员",
        figure(values, "screened_total"),
        "。现将有关情况报告如下：",
    ]


def screening_section(node: Jurisdiction, values: dict) -> list[list]:
    whole = whole_of(node)
    paragraphs = []
    if values.get("registered_people"):
        first = [f"{whole}已登记实有人口", figure(values, "registered_people")]
        if values.get("verified_people_pct") is not None:
            first += ["，实有人口核查率", figure(values, "verified_people_pct")]
        paragraphs.append([*first, "。"])
    lines = [
        f"{whole}累计排查重点人员",
        figure(values, "screened_total"),
        "，其中当日新增",
        figure(values, "screened_new"),
    ]
    if _has(values, "close_contacts_total"):
        lines += ["；累计排查密切接触者", figure(values, "close_contacts_total")]
    lines.append("。")
    origins = values.get("screened_by_origin") or []
    if origins:
        lines.append("外地来返人员按来源地分：")
        for i, row in enumerate(origins[:ORIGINS_SHOWN]):
            name = indicators.origin_label(row)
            count = Figure(
                code="screened_by_origin",
                value=row["count"],
                text=number_text("screened_by_origin", row["count"]),
                item=name,
            )
            lines += ["、" if i else "", name, count]
        lines.append("等地。" if len(origins) > ORIGINS_SHOWN else "。")
    paragraphs.append(lines)
    return paragraphs


# The sources as the reports name them inside "（其中本土3例、境外输入1例）".
SOURCE_WORDS = [("local", "本土"), ("abroad", "境外输入"), ("other_province", "外省输入")]
CASE_TOTALS = ["cases_confirmed_total", "cases_asymptomatic_total", "cases_suspected_total"]
CASE_NEWS = ["cases_confirmed_new", "cases_asymptomatic_new", "cases_suspected_new"]
CONTACT_TOTALS = ["contacts_close_total", "contacts_secondary_total"]


def _among(values: dict, parts: list[tuple[str, str]], more: list | None = None) -> list:
    """ "（其中本土3例、境外输入1例）" for the parts that are not zero, and `more` after a semicolon; nothing
    when every part is zero."""
    listed = [(words, code) for words, code in parts if values.get(code)]
    if not listed and not more:
        return []
    out: list = ["（其中"]
    for i, (words, code) in enumerate(listed):
        out += ["、" if i else "", words, figure(values, code)]
    if more:
        out += ["；" if listed else "", *more]
    return [*out, "）"]


def _by_source(kind: str, count: str) -> list[tuple[str, str]]:
    return [(words, f"cases_{kind}_{count}_{source}") for source, words in SOURCE_WORDS]


def cases_section(node: Jurisdiction, values: dict) -> list[list]:
    """一、疫情基本情况, as the reports write it (新增确诊病例X例（其中本土X例、境外输入X例），新增无症状感染者…
    累计…现有…): the day's new cases, the totals and those under treatment or observation, then the
    contacts. Left out where there has never been a case or a contact (and before the cases module)."""
    if not _has(values, *CASE_TOTALS, *CASE_NEWS, *CONTACT_TOTALS):
        return []
    if not any(values[code] for code in [*CASE_TOTALS, *CASE_NEWS, *CONTACT_TOTALS]):
        return []
    whole = whole_of(node)
    converted = []
    if values.get("cases_asymptomatic_to_confirmed_new"):
        converted = ["无症状感染者转为确诊病例", figure(values, "cases_asymptomatic_to_confirmed_new")]
    news = [
        "当日新增确诊病例",
        figure(values, "cases_confirmed_new"),
        *_among(values, _by_source("confirmed", "new"), converted),
        "，新增无症状感染者",
        figure(values, "cases_asymptomatic_new"),
        *_among(values, _by_source("asymptomatic", "new")),
        "，新增疑似病例",
        figure(values, "cases_suspected_new"),
        "。",
    ]
    totals = [
        f"{whole}累计报告确诊病例",
        figure(values, "cases_confirmed_total"),
        *_among(values, _by_source("confirmed", "total")),
        "、无症状感染者",
        figure(values, "cases_asymptomatic_total"),
        "（不含已转为确诊病例的",
        figure(values, "cases_asymptomatic_to_confirmed_total"),
        "）、疑似病例",
        figure(values, "cases_suspected_total"),
        "；累计出院（解除隔离）",
        figure(values, "cases_discharged_total"),
        "，死亡",
        figure(values, "cases_died_total"),
        "。现有确诊病例",
        figure(values, "cases_confirmed_active"),
        "，尚在医学观察无症状感染者",
        figure(values, "cases_asymptomatic_active"),
        "，现有疑似病例",
        figure(values, "cases_suspected_active"),
        "。",
    ]
    contacts = [
        f"{whole}累计判定密切接触者",
        figure(values, "contacts_close_total"),
        "、密接的密接",
        figure(values, "contacts_secondary_total"),
        "，其中当日新增密切接触者",
        figure(values, "contacts_close_new"),
        "、密接的密接",
        figure(values, "contacts_secondary_new"),
        "；目前在管",
        figure(values, "contacts_under_control"),
    ]
    if values.get("contacts_controlled_24h_pct") is not None:
        contacts += [
            "；当日判定的密接、次密接24小时内落实管控率",
            figure(values, "contacts_controlled_24h_pct"),
        ]
    if values.get("investigations_on_time_pct") is not None:
        contacts += ["；当日报告病例流调及时率", figure(values, "investigations_on_time_pct")]
    return [news, totals, [*contacts, "。"]]


def measures_section(node: Jurisdiction, values: dict) -> list[list]:
    whole = whole_of(node)
    kinds = [f"active_{k.value}" for k in MEASURE_ORDER if values.get(f"active_{k.value}")]
    names = {f"active_{k.value}": str(k.label) for k in MEASURE_ORDER}
    if kinds:
        first = [f"{whole}现有", *_listing(values, kinds, names)]
    else:
        first = [f"{whole}目前无正在实施隔离观察或健康监测的人员"]
    if values.get("hospital_total"):
        first += [
            "；送医治疗",
            figure(values, "active_hospital"),
            "，累计送医",
            figure(values, "hospital_total"),
        ]
    paragraphs = [[*first, "。"]]
    if _has(values, *SITE_CODES) and values["quarantine_sites"]:
        paragraphs.append(
            [
                f"{whole}设集中隔离点",
                figure(values, "quarantine_sites"),
                "，共有床位",
                figure(values, "quarantine_beds"),
                "，空余床位",
                figure(values, "quarantine_beds_free"),
                "。",
            ]
        )
    if values.get("tests_sampled") or values.get("tests_positive") or values.get("pools_positive"):
        paragraphs.append(tests_paragraph(whole, values))
    paragraphs.append(
        [
            "当日解除隔离观察或健康监测",
            figure(values, "released_new"),
            "，累计解除",
            figure(values, "released_total"),
            "。",
        ]
    )
    return paragraphs


def tests_paragraph(whole: str, values: dict) -> list:
    """Nucleic-acid testing of the day (reporting/testing.py): people sampled, positives, positive pools,
    and the coverage of the mass-testing round in force."""
    lines = [
        f"当日{whole}核酸采样",
        figure(values, "tests_sampled"),
        "，检测阳性",
        figure(values, "tests_positive"),
        "，阳性混管",
        figure(values, "pools_positive"),
    ]
    if values.get("mass_testing_coverage_pct") is not None:
        lines += ["；全员核酸覆盖率", figure(values, "mass_testing_coverage_pct")]
    return [*lines, "。"]


def follow_ups_section(values: dict, day: dt.date, as_of: dt.datetime) -> list[list]:
    if not values["followups_due"]:
        lines = ["当日无应随访人员"]
    else:
        lines = [
            "当日应随访",
            figure(values, "followups_due"),
            "，已随访",
            figure(values, "followups_done"),
            "，漏访",
            figure(values, "followups_missed"),
        ]
        if rules.slot_bounds(day, rules.EVENING)[1] > as_of:
            lines.append("（下午时段尚未结束，未计入漏访）")
    lines += ["；随访发现发热、咳嗽等症状", figure(values, "symptomatic_new"), "。"]
    return [lines]


CHECKPOINT_CLAUSES = [
    ("checkpoint_people", "各卡口测温登记"),
    ("checkpoint_vehicles", "登记车辆"),
    ("checkpoint_turned_back", "劝返"),
    ("checkins", "场所扫码登记"),
]


def checkpoints_section(values: dict) -> list[list]:
    """Only the figures that exist and are not zero: a township without checkpoints says nothing."""
    present = [(code, words) for code, words in CHECKPOINT_CLAUSES if values.get(code)]
    if not present:
        return []
    lines: list = ["当日"]
    for i, (code, words) in enumerate(present):
        # Checkpoints, then venues: a new clause after a semicolon.
        separator = "" if not i else "；" if code == "checkins" else "，"
        lines += [separator, words, figure(values, code)]
    lines.append("。")
    return [lines]


def vaccination_section(node: Jurisdiction, values: dict) -> list[list]:
    """ "累计接种新冠病毒疫苗94人，其中完成全程接种80人…", as the reports write it (接种人数 94 人): people of
    the subtree, by the milestones of reporting/vaccination.py. Left out where nobody has a dose."""
    codes = ("vaccinated_first", "vaccinated_full", "vaccinated_booster", "vaccinated_full_pct")
    if not _has(values, *codes, "vaccination_doses_new") or not values["vaccinated_first"]:
        return []
    lines = [
        f"{whole_of(node)}实有人口中累计接种新冠病毒疫苗",
        figure(values, "vaccinated_first"),
        "，其中完成全程接种",
        figure(values, "vaccinated_full"),
        "、加强免疫接种",
        figure(values, "vaccinated_booster"),
        "；全程接种率",
        figure(values, "vaccinated_full_pct"),
    ]
    if values.get("vaccinated_full_pct_60_plus") is not None:
        lines += ["，其中60岁以上人群全程接种率", figure(values, "vaccinated_full_pct_60_plus")]
    lines += ["。当日接种", figure(values, "vaccination_doses_new"), "。"]
    return [lines]


def inspections_section(values: dict) -> list[list]:
    """In the register of the reports (检查经营户425家次，……责令其整改): the day's inspections, the orders
    made and closed, what is still open and overdue, the closures; only the figures that are not zero."""
    if not values.get("inspections_done") and not values.get("rectifications_open"):
        return []
    lines: list = []
    if values.get("inspections_done"):
        lines += ["当日共检查单位和经营场所", figure(values, "inspections_done")]
        if values.get("inspections_failed"):
            lines += ["，其中发现问题", figure(values, "inspections_failed")]
        if values.get("rectifications_places_new"):
            lines += [
                "，对存在问题的",
                figure(values, "rectifications_places_new"),
                "责令限期整改，下达整改问题",
                figure(values, "rectifications_new"),
            ]
        lines.append("；")
    if values.get("rectifications_closed_new"):
        lines += ["复查整改到位、销号", figure(values, "rectifications_closed_new"), "；"]
    if values.get("rectifications_open"):
        lines += ["尚有", figure(values, "rectifications_open"), "问题正在整改"]
        if values.get("rectifications_overdue"):
            lines += ["，其中逾期未整改", figure(values, "rectifications_overdue"), "，已逐级上报督办"]
        lines.append("；")
    if values.get("closures_active"):
        lines += ["责令停业整顿", figure(values, "closures_active"), "；"]
    lines[-1] = (
        lines[-1][:-1] + "。" if isinstance(lines[-1], str) and lines[-1].endswith("；") else lines[-1]
    )
    return [lines]


def written(text: str) -> list[list]:
    """存在问题 / 下一步工作 as people wrote them: one paragraph per line."""
    return [[line.strip()] for line in (text or "").splitlines() if line.strip()]


# ── composing ──────────────────────────────────────────────────────────────────────────────────────


def notes_for(node: Jurisdiction) -> SituationNotes | None:
    return SituationNotes.objects.filter(node=node).first()


def compose(*, node: Jurisdiction, as_of: dt.datetime, now: dt.datetime | None = None) -> Situation:
    """The report of a node's subtree as of a moment. The caller has checked the user may see the node."""
    # The report is a Chinese document whatever the interface language: the labels and units it writes
    # (measures, 人, 人次…) in Chinese.
    with translation.override("zh-hans"):
        return _compose(node=node, as_of=as_of, now=now)


def _compose(*, node: Jurisdiction, as_of: dt.datetime, now: dt.datetime | None) -> Situation:
    now = now or timezone.now()
    check_as_of(as_of, now)
    day = report_day(as_of)
    values = indicators.compute(node, day, now=as_of, as_of=as_of)
    notes = notes_for(node)
    sections = [
        (CASES, cases_section(node, values)),
        (SCREENING, screening_section(node, values)),
        (MEASURES, measures_section(node, values)),
        (FOLLOW_UPS, follow_ups_section(values, day, as_of)),
        (CHECKPOINTS, checkpoints_section(values)),
        (VACCINATION, vaccination_section(node, values)),
        (SCHOOLS, schools_section(values, figure=figure, whole=whole_of(node))),
        (OPERATIONS, operations_section(node, values, figure=figure, whole=whole_of(node))),
        (INSPECTIONS, inspections_section(values)),
        (MARKETS, markets_section(values, figure=figure)),
        (COLDCHAIN, coldchain_section(values, figure=figure)),
        (EARLY_WARNING, early_warning_section(node, values, day, as_of, figure=figure)),
        (PROBLEMS, written(notes.problems if notes else "")),
        (NEXT_STEPS, written(notes.next_steps if notes else "")),
    ]
    paragraphs = [Paragraph(OPENING, BODY, opening(node, values, as_of))]
    number = 0
    for key, bodies in sections:
        if not bodies:
            continue
        paragraphs.append(Paragraph(key, HEADING, [f"{chinese_numeral(number + 1)}、{SECTION_TITLES[key]}"]))
        paragraphs += [Paragraph(key, BODY, segments) for segments in bodies]
        number += 1
    issuer = (notes.issuer if notes else "") or default_issuer(node)
    situation = Situation(
        node=node,
        as_of=as_of,
        day=day,
        title=title_of(node),
        issuer=issuer,
        paragraphs=paragraphs,
        indicators=values,
        basis=basis(as_of, now),
        notes=notes,
    )
    situation.paragraphs += [
        Paragraph(CLOSING, SIGNATURE, [issuer]),
        Paragraph(CLOSING, DATE, [situation.date_text]),
    ]
    return situation


def basis(as_of: dt.datetime, now: dt.datetime) -> str:
    """Said when the report is made well after its moment: see the module docstring."""
    if now > as_of + dt.timedelta(hours=1):
        return f"本报告数字以{as_of_text(as_of)}已登记的记录为准，此后补录的记录不计入。"
    return ""


def to_json(situation: Situation) -> dict:
    return situation.as_dict()
