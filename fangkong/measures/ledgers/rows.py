"""The 返乡人员登记表's columns (DOMAIN.md §11) and its row rules, without the database: a row without a
name, a valid ID number (cleaned by the registry's own `clean_person_fields`) or with a return date in
the future is rejected; a bad phone or a sex that disagrees with the ID is a warning; the same ID twice
is one person and the later row wins."""

import datetime as dt
import re
from dataclasses import dataclass, field

from fangkong.imports.places import Place, locate
from fangkong.imports.reading import Column, Table
from fangkong.imports.results import ImportResult
from fangkong.imports.values import NumberLostDigits, code_text, compact, format_date, parse_date, text
from fangkong.lib.errors import RuleError
from fangkong.lib.phones import InvalidPhone, normalize_phone
from fangkong.measures.models import CaretakerRole
from fangkong.policy.models import Kind
from fangkong.registry.actions import clean_person_fields
from fangkong.registry.models import DocumentType, Sex

LEDGER = "返乡人员登记表"
RETURNEE_COLUMNS = (
    Column("seq", "序号", ("编号", "序", "No", "No."), content=False),
    Column("name", "姓名", ("名字", "人员姓名", "返乡人员姓名", "返乡人姓名", "返乡人员")),
    Column("sex", "性别"),
    Column(
        "id_number",
        "身份证号",
        ("身份证号码", "公民身份号码", "证件号码", "身份证", "证件号", "身份证件号码", "居民身份证号码"),
    ),
    Column(
        "phone", "联系电话", ("手机号码", "电话", "手机号", "手机", "联系方式", "电话号码", "联系电话号码")
    ),
    Column(
        "address",
        "现住址",
        (
            "住址",
            "现居住地址",
            "居住地址",
            "家庭住址",
            "现居住地",
            "详细住址",
            "现住地址",
            "现居住地址（详细）",
        ),
    ),
    Column(
        "origin",
        "从何地返回",
        ("从何地返乡", "从何地来", "来自何地", "返回地", "来源地", "返乡前所在地", "出发地", "从何处返回"),
    ),
    Column(
        "arrived_on",
        "返回时间",
        (
            "返乡日期",
            "抵达时间",
            "返回日期",
            "返乡时间",
            "到达时间",
            "抵达日期",
            "到达日期",
            "来返时间",
            "返（来）时间",
        ),
    ),
    Column(
        "transport",
        "交通方式及车次",
        (
            "交通方式",
            "交通工具",
            "乘坐交通工具",
            "交通方式及车次航班号",
            "交通工具及车次",
            "交通方式（车次）",
        ),
    ),
    Column("trip_number", "车次", ("航班号", "车次航班号", "车次/航班号", "车牌号", "车次或航班号")),
    Column(
        "symptoms",
        "有无发热咳嗽症状",
        (
            "有无发热、咳嗽症状",
            "有无发热、咳嗽等症状",
            "有无症状",
            "是否有发热咳嗽症状",
            "健康状况",
            "症状",
            "身体状况",
        ),
    ),
    Column("measure", "管控措施", ("管控方式", "防控措施", "采取措施", "隔离方式", "管理措施", "措施")),
    Column("caretakers", "包保责任人", ("包保人", "包保人员", "包保干部", "责任人")),
    Column("notes", "备注", ("说明",)),
    Column("departed_on", "出发时间", ("出发日期", "离开时间", "离开日期")),
    Column("route", "途经地", ("途经地区", "途径地", "途经城市", "途经")),
    Column("health_code", "健康码", ("健康码颜色",)),
    Column("nat", "核酸", ("核酸检测", "核酸检测结果", "核酸检测情况", "核酸结果")),
)
REQUIRED = ("name", "id_number")
EXPORT_COLUMNS = (
    "seq",
    "name",
    "sex",
    "id_number",
    "phone",
    "address",
    "origin",
    "arrived_on",
    "transport",
    "symptoms",
    "measure",
    "caretakers",
    "notes",
    "departed_on",
    "route",
)
LABELS = {c.key: c.label for c in RETURNEE_COLUMNS}

# 管控措施 as ledgers write it; the first match wins, so the longer phrases come first.
_MEASURE_WORDS = (
    ("集中隔离", Kind.CENTRAL_QUARANTINE),
    ("居家隔离", Kind.HOME_QUARANTINE),
    ("居家健康监测", Kind.HOME_MONITORING),
    ("居家监测", Kind.HOME_MONITORING),
    ("自我健康监测", Kind.SELF_MONITORING),
    ("自我监测", Kind.SELF_MONITORING),
    ("健康监测", Kind.HOME_MONITORING),
    ("送医", Kind.HOSPITAL),
    ("住院", Kind.HOSPITAL),
)
_NONE_WORDS = {"无", "否", "没有", "不需要", "无需", "暂无", "未采取", "/", "-", "—", "／", "无措施"}
_NO_SYMPTOMS = {
    "无",
    "否",
    "没有",
    "正常",
    "无症状",
    "无发热咳嗽",
    "无发热咳嗽症状",
    "体温正常",
    "健康",
    "/",
    "-",
    "良好",
}
_SEX_WORDS = {"男": Sex.MALE, "男性": Sex.MALE, "女": Sex.FEMALE, "女性": Sex.FEMALE}
# A train or flight number (G1234, CA1234, K123次) or a number plate (鲁P12345).
_TRIP = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][·•]?[A-Z0-9]{5,6}"
    r"|[A-Z]{1,2}\d{1,5}(?=\D|$)|\d{1,5}次"
)
_TRIP_WORDS = re.compile(r"车次|航班号|航班|车牌号|车牌|次$")
_NAME_SPLIT = re.compile(r"[、,，;；/\s]+")
_ROLE_HINTS = (
    ("村医", CaretakerRole.DOCTOR),
    ("医生", CaretakerRole.DOCTOR),
    ("医务", CaretakerRole.DOCTOR),
    ("民警", CaretakerRole.POLICE),
    ("警", CaretakerRole.POLICE),
    ("网格员", CaretakerRole.GRID_WORKER),
    ("干部", CaretakerRole.CADRE),
)
MAX_CARETAKERS = 4
# The 有无发热咳嗽症状 of a ledger row is kept at the head of the screening's notes, behind this label.
SYMPTOMS_NOTE = "返乡时症状："


# Reading rows ------------------------------------------------------------------------------------


@dataclass
class Returnee:
    row: int
    person: dict  # clean_person_fields(): name, id_number, sex, birth_date, phone, pinyin …
    address: str = ""
    origin_text: str = ""
    place: Place = field(default_factory=Place)
    departed_on: dt.date | None = None
    arrived_on: dt.date | None = None
    transport: str = ""
    trip_number: str = ""
    route: str = ""
    notes: str = ""
    kind: str | None = None
    measure_text: str = ""
    caretakers: list[tuple[str, str | None]] = field(default_factory=list)


def measure_kind(raw: str) -> tuple[str | None, bool]:
    """(kind, understood) for a 管控措施 cell: ("home_quarantine", True) for 居家隔离14天; (None, True)
    for 无 or an empty cell; (None, False) for text that names no measure."""
    value = compact(raw)
    if not value or value in _NONE_WORDS:
        return None, True
    for word, kind in _MEASURE_WORDS:
        if word in value:
            return kind, True
    return None, False


def split_transport(raw: str) -> tuple[str, str]:
    """交通方式及车次 in one cell → (火车, G1234); 自驾 鲁P12345 → (自驾, 鲁P12345)."""
    value = text(raw)
    upper = re.sub(r"[a-z]", lambda m: m[0].upper(), value)
    match = _TRIP.search(upper)
    if not match:
        return value, ""
    trip = match[0].removesuffix("次")
    rest = (upper[: match.start()] + " " + upper[match.end() :]).strip()
    rest = _TRIP_WORDS.sub("", rest).strip(" ，,、:：;；/（）()-")
    return rest, trip


def _clip(result: ImportResult, row: int, column: str, value: str, limit: int) -> str:
    if len(value) > limit:
        result.warn(row, column, f"超过{limit}个字，已截断")
        return value[:limit]
    return value


def _clean_row(table: Table, row, result: ImportResult, *, today: dt.date) -> Returnee | None:
    """One row as a Returnee, or None when it is rejected; problems go into `result`."""
    label, value, number = table.label, (lambda key: table.value(row, key)), row.number
    errors: list[tuple[str, str]] = []
    warnings: list[tuple[str, str]] = []
    try:
        id_number = code_text(value("id_number"), label=label("id_number"))
        lost_digits = ""
    except NumberLostDigits as exc:
        id_number, lost_digits = "", str(exc)
    phone = ""
    raw_phone = text(value("phone"))
    if raw_phone:
        try:
            phone = normalize_phone(raw_phone)
        except InvalidPhone as exc:
            warnings.append((label("phone"), f"{exc}（{raw_phone}），未登记电话"))
    person = None
    try:
        person = clean_person_fields(
            name=compact(value("name")),
            document_type=DocumentType.RESIDENT_ID,
            id_number=id_number,
            phone=phone,
        )
    except RuleError as exc:
        for key, reason in exc.errors.items():
            if key == "id_number" and lost_digits:
                reason = lost_digits
            errors.append((label(key) if key in LABELS else key, reason))
    returnee = Returnee(row=number, person=person or {})
    for key in ("arrived_on", "departed_on"):
        try:
            day, note = parse_date(value(key), today=today)
        except ValueError as exc:
            errors.append((label(key), str(exc)))
            continue
        if note:
            warnings.append((label(key), note))
        if day and day > today:
            errors.append((label(key), f"{format_date(day)}晚于今天，请核对"))
        setattr(returnee, key, day)
    if returnee.arrived_on and returnee.departed_on and returnee.departed_on > returnee.arrived_on:
        errors.append((label("departed_on"), "出发时间不能晚于返回时间"))
    if errors:
        for column, reason in errors:
            result.reject(number, column, reason)
        return None
    for column, reason in warnings:
        result.warn(number, column, reason)
    _read_details(table, row, returnee, result)
    return returnee


def _read_details(table: Table, row, returnee: Returnee, result: ImportResult) -> None:
    label, number = table.label, row.number

    def value(key):
        return text(table.value(row, key))

    ledger_sex = compact(table.value(row, "sex"))
    if ledger_sex:
        sex = _SEX_WORDS.get(ledger_sex)
        by_id = Sex(returnee.person["sex"]).label
        if sex is None:
            result.warn(number, label("sex"), f"无法识别的性别“{ledger_sex}”，已按身份证号登记为{by_id}")
        elif sex != returnee.person["sex"]:
            result.warn(
                number, label("sex"), f"填写为“{ledger_sex}”，与身份证号（{by_id}）不符，已按身份证号登记"
            )
    returnee.address = _clip(result, number, label("address"), value("address"), 200)
    returnee.origin_text = _clip(result, number, label("origin"), value("origin"), 100)
    returnee.place = locate(returnee.origin_text)
    transport, trip = split_transport(value("transport"))
    if value("trip_number"):
        trip = compact(value("trip_number")).upper()
    returnee.transport = _clip(result, number, label("transport"), transport, 50)
    returnee.trip_number = _clip(result, number, label("trip_number"), trip, 50)
    returnee.route = _clip(result, number, label("route"), value("route"), 200)
    notes = []
    symptoms = value("symptoms")
    if symptoms and compact(symptoms) not in _NO_SYMPTOMS:
        notes.append(f"{SYMPTOMS_NOTE}{symptoms}")
        result.warn(number, label("symptoms"), f"登记有症状（{symptoms}），请及时核实处置")
    notes.append(value("notes"))
    for key in ("health_code", "nat"):
        if value(key):
            notes.append(f"{LABELS[key]}：{value(key)}")
    returnee.notes = _clip(result, number, label("notes"), "；".join(n for n in notes if n), 300)
    returnee.measure_text = value("measure")
    returnee.kind, understood = measure_kind(returnee.measure_text)
    if not understood:
        result.warn(
            number,
            label("measure"),
            f"无法识别的管控措施“{returnee.measure_text}”，未建立措施"
            "（可写居家隔离、集中隔离、居家健康监测、自我健康监测）",
        )
    for part in _NAME_SPLIT.split(value("caretakers")):
        name, _, hint = part.partition("（") if "（" in part else part.partition("(")
        name = name.strip()
        if name:
            role = next((r for word, r in _ROLE_HINTS if word in hint), None)
            returnee.caretakers.append((name, role))


def read_returnees(table: Table, result: ImportResult, *, today: dt.date) -> list[Returnee]:
    """The valid rows, one per person: a later row with the same ID number replaces an earlier one."""
    for header in table.unknown:
        result.warn(table.header_rows[1], header, "无法识别的列，已忽略")
    for header in table.duplicates:
        result.warn(table.header_rows[1], header, "与前面的列重复，已忽略")
    by_id: dict[str, Returnee] = {}
    replaced: list[tuple[Returnee, str]] = []
    for row in table.rows:
        returnee = _clean_row(table, row, result, today=today)
        if returnee is None:
            continue
        key = returnee.person["id_number"]
        if key in by_id:
            replaced.append((by_id[key], key))
        by_id[key] = returnee
    for earlier, key in replaced:
        later = by_id[key].row
        result.warn(
            earlier.row, table.label("id_number"), f"与第{later}行是同一人（身份证号相同），以第{later}行为准"
        )
    return sorted(by_id.values(), key=lambda r: r.row)
