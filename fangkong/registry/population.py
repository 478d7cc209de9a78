"""Synthetic populations for the demo county and the benchmarks.

`generate_population` is pure: one `random.Random(seed)` draws every household, name, ID number and
phone, so the same seed and the same places give the same people. Birth dates are drawn against a fixed
reference date, not today, so the ID numbers do not change with the day the demo is loaded.
`save_population` writes the drafts with bulk inserts, computing the derived fields (pinyin keys, last
four digits, sex and birth date from the ID) through `registry.actions.clean_person_fields`, the way
`register_person` does, and opens a `Residence` for everyone. `demo.load_demo` builds the demo county.
"""

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level, Membership, Role
from fangkong.lib import idcard
from fangkong.lib.sorting import natural_key

from .actions import clean_person_fields
from .models import DocumentType, DwellingType, Household, Person, Relation, Residence, Unit, UnitKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_COUNTY = "371502"
DEFAULT_SEED = 20200124  # 2020-01-24: Shandong's first-level response
REFERENCE_DATE = dt.date(2024, 12, 31)  # ages are drawn as of this day, so IDs do not depend on today

# Surnames by frequency (per mille, public-security household registration 2019, rounded; Shandong's
# 王 张 李 刘 孙 a little higher). The village's own two or three big surnames are added on top.
_SURNAME_FREQUENCIES = (
    "王:80 张:75 李:74 刘:58 陈:35 杨:30 赵:28 孙:26 徐:18 马:16 朱:15 吴:14 周:14 高:14 郭:13 "
    "于:13 胡:10 宋:10 黄:10 何:8 林:8 韩:9 郑:8 许:8 田:7 董:7 曹:7 冯:7 谢:6 石:6 崔:6 "
    "梁:6 魏:6 侯:6 姜:6 程:5 贾:5 孟:5 邢:4 薛:4 闫:4 任:4 唐:4 袁:4 苏:4 吕:4 丁:4 潘:3 "
    "彭:3 萧:3 鲁:3 常:3 庞:3 武:3 范:3 史:3 付:3 毛:3 秦:3 白:3 申:2 穆:2 葛:2 尹:2 蒋:2"
)
SURNAMES = {name: int(weight) for name, weight in (pair.split(":") for pair in _SURNAME_FREQUENCIES.split())}

# Given names by the decade people were born in (names follow fashions) and by sex.
GIVEN_NAMES = {
    ("old", "male"): "明 军 福 贵 山 林 华 强 建国 国庆 国华 国强 志刚 德明 福生 玉成 文明 振华 学文 "
    "金山 保国 洪亮 春生 庆祥 广田 树林 兴旺 德胜",
    ("old", "female"): "兰 英 芬 珍 梅 凤 霞 花 秀英 桂英 秀兰 玉兰 桂兰 秀珍 凤英 玉珍 玉英 兰英 淑珍 "
    "淑兰 秀云 桂芳 凤兰 翠兰 秀荣 玉梅 素芬 春花",
    ("mid", "male"): "伟 刚 勇 军 强 磊 涛 斌 峰 辉 波 明 平 杰 超 鹏 建军 建华 卫东 志强 海涛 振宇 "
    "永刚 立新 晓东 建平 国栋 新民 宏伟 小军 志勇 海波 俊峰 文斌",
    ("mid", "female"): "静 丽 敏 燕 娟 艳 霞 红 梅 芳 萍 玲 丽娟 红霞 秀梅 艳红 丽华 晓燕 美玲 春燕 "
    "海燕 玉霞 淑芳 慧敏 红梅 彩霞",
    ("young", "male"): "浩 鑫 宇 磊 帅 鹏 超 杰 旭 飞 晨 博 凯 亮 伟 明辉 俊杰 晓龙 文博 志鹏 鹏飞 "
    "家豪 天宇 浩然 宇航 子健 嘉伟 建伟",
    ("young", "female"): "婷 静 雪 琳 颖 莹 倩 楠 璐 佳 慧 晓雪 欣然 雨婷 梦瑶 佳琪 思雨 晓琳 文静 "
    "婷婷 雪梅 丹丹 亚楠",
    ("kid", "male"): "轩 宇 泽 辰 睿 航 子轩 浩宇 宇轩 梓豪 皓轩 俊熙 沐阳 铭泽 一鸣 博文 子墨 奕辰 "
    "梓睿 宇泽",
    ("kid", "female"): "萱 涵 彤 悦 妍 琪 梓涵 欣怡 子涵 诗涵 雨桐 一诺 可馨 语桐 梓萱 若汐 梦琪 紫涵 "
    "依诺 思彤",
}
GIVEN_NAMES = {key: value.split() for key, value in GIVEN_NAMES.items()}

# Where ID numbers were issued: mostly here, else the neighbouring counties of 聊城 (茌平's pre-2019
# code 371523 included: old codes stay valid) and across the provincial border (馆陶, 清丰).
HOME_REGIONS = [("371502", 88), ("371521", 2), ("371522", 2), ("371525", 2), ("371526", 2), ("371581", 2),
                ("371523", 1), ("371524", 1)]  # fmt: skip
SPOUSE_REGIONS = [("371502", 55), ("371521", 7), ("371522", 7), ("371525", 6), ("371526", 5),
                  ("371581", 6), ("371523", 4), ("371524", 4), ("130433", 3), ("410922", 3)]  # fmt: skip

MOBILE_PREFIXES = "134 135 136 137 138 139 147 150 151 152 157 158 159 178 182 183 187 188 198 130 131 132 155 156 166 185 186 133 153 177 180 189 199".split()

# Household shapes and their weights; the mean size comes out near 2.45 (rural Shandong, many elders
# living alone or as a couple while the young work away).
SHAPES = [("single_elder", 14), ("single_adult", 14), ("elder_couple", 20), ("couple", 9),
          ("nuclear", 25), ("three_gen", 10), ("with_parents", 5), ("single_parent", 3)]  # fmt: skip

HEAD_AGES = {"single_elder": (62, 94), "single_adult": (20, 58), "elder_couple": (58, 88), "couple": (24, 57),
             "nuclear": (27, 52), "three_gen": (50, 76), "with_parents": (30, 55), "single_parent": (28, 50)}  # fmt: skip

OCCUPATIONS = {
    "village": [("务农", 35), ("外出务工", 20), ("个体经营", 10), ("企业职工", 20), ("教师", 2),
                ("乡村医生", 1), ("无业", 7), ("其他", 5)],
    "community": [("企业职工", 35), ("个体经营", 15), ("机关事业单位", 10), ("教师", 5), ("自由职业", 10),
                  ("服务业", 15), ("无业", 5), ("其他", 5)],
}  # fmt: skip
# Which demo unit an occupation may point at, and how often.
OCCUPATION_UNITS = {"教师": (UnitKind.SCHOOL, 0.5), "企业职工": (UnitKind.ENTERPRISE, 0.3),
                    "个体经营": (UnitKind.MARKET, 0.3), "服务业": (UnitKind.HOTEL, 0.1),
                    "机关事业单位": (UnitKind.BANK, 0.1)}  # fmt: skip


@dataclass(frozen=True)
class Place:
    """Where households are drawn: a grid or a village, and how its addresses are written."""

    node: Jurisdiction
    township: str  # as written in an address: 梁水镇, 古楼街道
    village: str  # 梁浅新村, 古城社区
    community: bool  # a 社区 of buildings (号楼-单元-室) rather than a village (组-号)
    first_block: int = 1  # groups (villages) or buildings (communities) of this place: disjoint per grid
    blocks: int = 4
    weight: float = 1.0


@dataclass
class PersonDraft:
    name: str
    sex: str
    birth_date: dt.date
    id_number: str
    relation: str
    phone: str = ""
    occupation: str = ""
    unit_kind: str = ""
    notes: str = ""


@dataclass
class HouseholdDraft:
    place: Place
    address: str
    dwelling_type: str
    members: list[PersonDraft] = field(default_factory=list)
    verification: str = "none"
    verified_days_ago: int = 0
    verified_minute: int = 0  # minutes after midnight, Asia/Shanghai


def village_label(name: str) -> tuple[str, bool]:
    """梁浅新村村委会 → (梁浅新村, False); 古城社区居委会 → (古城社区, True)."""
    for suffix in ("村民委员会", "居民委员会", "村委会", "居委会"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    community = name.endswith("社区")
    if not community and not name.endswith("村"):
        name += "村"
    return name, community


def age_on(birth: dt.date, day: dt.date = REFERENCE_DATE) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class Weighted:
    """Draws a value with probability proportional to its weight: Weighted([(v, w), …]).pick(rng)."""

    def __init__(self, pairs):
        self.values = [value for value, _ in pairs]
        self.cum = list(itertools.accumulate(float(weight) for _, weight in pairs))

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


SURNAME_DRAW = Weighted(SURNAMES.items())
_HOME = Weighted(HOME_REGIONS)
_SPOUSE = Weighted(SPOUSE_REGIONS)
_SHAPES = Weighted(SHAPES)
_OCCUPATIONS = {kind: Weighted(pairs) for kind, pairs in OCCUPATIONS.items()}
_TOP_SURNAMES = list(SURNAMES)[:30]
_DWELLINGS = {
    True: Weighted([("owned", 72), ("rented", 22), ("shop", 3), ("dormitory", 3)]),
    False: Weighted([("owned", 92), ("rented", 6), ("shop", 2)]),
}


class Generator:
    def __init__(self, seed: int, taken: set[str]):
        self.rng = random.Random(seed)
        self.ids: set[str] = set(taken)
        self.phones: set[str] = set()
        self.clans: dict[str, list[str]] = {}  # a village's big surnames
        self.addresses: dict[str, dict] = {}

    # People ---------------------------------------------------------------------------------------

    def surname(self, place: Place) -> str:
        clans = self.clans.get(place.node.code)
        if clans is None:
            clans = [] if place.community else self.rng.sample(_TOP_SURNAMES, self.rng.choice((2, 3)))
            self.clans[place.node.code] = clans
        if clans and self.rng.random() < 0.45:
            return self.rng.choice(clans)
        return SURNAME_DRAW.pick(self.rng)

    def given_name(self, sex: str, birth: dt.date, avoid: set[str]) -> str:
        era = (
            "old"
            if birth.year < 1960
            else "mid"
            if birth.year < 1985
            else "young"
            if birth.year < 2005
            else "kid"
        )
        for _ in range(10):
            name = self.rng.choice(GIVEN_NAMES[(era, sex)])
            if name not in avoid:
                return name
        return name

    def birth(self, age_from: int, age_to: int) -> dt.date:
        age = self.rng.randint(age_from, age_to)
        return REFERENCE_DATE - dt.timedelta(days=age * 365 + age // 4 + self.rng.randrange(365))

    def born_after(self, parent: dt.date, years_from: int, years_to: int) -> dt.date | None:
        birth = parent + dt.timedelta(days=self.rng.randint(years_from * 365, years_to * 365))
        return birth if birth <= REFERENCE_DATE else None

    def id_number(self, birth: dt.date, sex: str, regions: Weighted) -> str:
        region = regions.pick(self.rng)
        while True:
            sequence = self.rng.randrange(1, 500) * 2 - (1 if sex == "male" else 0)
            number = idcard.make(region, birth, sequence)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def phone(self, birth: dt.date) -> str:
        age = age_on(birth)
        chance = 0 if age < 18 else 0.97 if age < 70 else 0.75 if age < 80 else 0.45
        if self.rng.random() >= chance:
            return ""
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def occupation(self, birth: dt.date, place: Place) -> tuple[str, str]:
        age = age_on(birth)
        if age < 6:
            return "学龄前儿童", ""
        if age < 19 or (age < 23 and self.rng.random() < 0.6):
            return "学生", ""
        if age >= 60:
            if place.community:
                return ("退休" if self.rng.random() < 0.8 else "无业"), ""
            return ("务农" if age < 75 and self.rng.random() < 0.6 else "无业"), ""
        occupation = _OCCUPATIONS["community" if place.community else "village"].pick(self.rng)
        unit_kind, share = OCCUPATION_UNITS.get(occupation, ("", 0))
        return occupation, (unit_kind if self.rng.random() < share else "")

    def person(
        self,
        household: HouseholdDraft,
        *,
        relation: str,
        sex: str,
        birth: dt.date,
        surname: str,
        regions: Weighted = _HOME,
        notes: str = "",
    ) -> PersonDraft:
        taken_names = {m.name[1:] for m in household.members}
        occupation, unit_kind = self.occupation(birth, household.place)
        return PersonDraft(
            name=surname + self.given_name(sex, birth, taken_names),
            sex=sex,
            birth_date=birth,
            id_number=self.id_number(birth, sex, regions),
            relation=relation,
            phone=self.phone(birth),
            occupation=occupation,
            unit_kind=unit_kind,
            notes=notes,
        )

    # Households -----------------------------------------------------------------------------------

    def address(self, place: Place) -> str:
        state = self.addresses.setdefault(place.node.code, {"next": {}, "slots": {}})
        block = place.first_block + self.rng.randrange(place.blocks)
        if not place.community:
            number = state["next"].get(block, 0) + self.rng.choice((1, 1, 1, 2, 3))
            state["next"][block] = number
            return f"{place.township}{place.village}{block}组{number}号"
        slots = state["slots"]
        while True:
            if block not in slots:
                floors, units = self.rng.choice(((6, 2), (6, 3), (11, 2), (18, 2)))
                free = [(u, f, r) for u in range(1, units + 1) for f in range(1, floors + 1) for r in (1, 2)]
                self.rng.shuffle(free)
                slots[block] = free
            if slots[block]:
                unit, floor, room = slots[block].pop()
                return f"{place.township}{place.village}{block}号楼{unit}单元{floor}{room:02d}室"
            block = max(slots) + 1  # every building of this place is full: a new one

    def household(self, place: Place) -> HouseholdDraft:
        rng = self.rng
        shape = _SHAPES.pick(rng)
        dwelling = _DWELLINGS[place.community].pick(rng)
        if dwelling == DwellingType.DORMITORY:
            shape = "single_adult"
        household = HouseholdDraft(place=place, address=self.address(place), dwelling_type=dwelling)
        self.fill(household, shape)
        if shape != "single_elder" and rng.random() < 0.03:
            birth = self.birth(19, 45)
            household.members.append(
                self.person(
                    household,
                    relation=Relation.TENANT,
                    sex=rng.choice(("male", "female")),
                    birth=birth,
                    surname=SURNAME_DRAW.pick(rng),
                    regions=_SPOUSE,
                )
            )
        self.verification(household)
        return household

    def fill(self, household: HouseholdDraft, shape: str) -> None:
        rng = self.rng
        add = household.members.append
        family = self.surname(household.place)
        couple = shape in ("elder_couple", "couple", "nuclear", "three_gen", "with_parents")
        male_head = rng.random() < (0.82 if couple else 0.4 if shape == "single_elder" else 0.55)
        head_sex = "male" if male_head else "female"
        head_birth = self.birth(*HEAD_AGES[shape])
        head = self.person(household, relation=Relation.HEAD, sex=head_sex, birth=head_birth, surname=family)
        add(head)
        husband, wife = (head, None) if male_head else (None, head)
        if couple:
            # Wives are on average a couple of years younger than their husbands.
            gap = dt.timedelta(days=rng.randint(-2 * 365, 6 * 365))
            spouse_birth = min(head_birth + gap if male_head else head_birth - gap, REFERENCE_DATE)
            spouse = self.person(
                household,
                relation=Relation.SPOUSE,
                sex="female" if male_head else "male",
                birth=spouse_birth,
                surname=SURNAME_DRAW.pick(rng),
                regions=_SPOUSE,
            )
            add(spouse)
            husband, wife = (head, spouse) if male_head else (spouse, head)
        mother = wife or head
        children_surname = husband.name[0] if husband else family
        if shape in ("nuclear", "single_parent", "with_parents"):
            count = rng.choice((1, 1, 1, 2, 2, 3)) if shape != "with_parents" else rng.choice((0, 1, 1, 2))
            self.children(household, mother.birth_date, children_surname, count, Relation.CHILD)
        if shape == "with_parents":
            father_birth = head_birth - dt.timedelta(days=rng.randint(24 * 365, 34 * 365))
            own_surname = head.name[0]
            mother_birth = father_birth + dt.timedelta(days=rng.randint(0, 4 * 365))
            parents = [("male", father_birth, own_surname), ("female", mother_birth, SURNAME_DRAW.pick(rng))]
            if rng.random() < 0.6:
                parents.pop(rng.randrange(2))  # one parent, widowed
            for sex, birth, surname in parents:
                if age_on(birth) <= 98:
                    add(
                        self.person(
                            household,
                            relation=Relation.PARENT,
                            sex=sex,
                            birth=birth,
                            surname=surname,
                            regions=_SPOUSE,
                        )
                    )
        if shape == "three_gen":
            child_birth = self.born_after(mother.birth_date, 21, 32)
            if child_birth is None or age_on(child_birth) < 20:
                return
            son = rng.random() < 0.8
            child = self.person(
                household,
                relation=Relation.CHILD,
                sex="male" if son else "female",
                birth=child_birth,
                surname=children_surname,
            )
            add(child)
            # The grandchildren take their father's surname; their mother is the daughter-in-law or
            # the daughter. A child's spouse working away is not registered here.
            in_law_surname = SURNAME_DRAW.pick(rng)
            grandchildren_mother = child_birth if not son else None
            if rng.random() < 0.8:
                in_law_birth = child_birth + dt.timedelta(days=rng.randint(-3 * 365, 3 * 365))
                in_law = self.person(
                    household,
                    relation=Relation.OTHER,
                    sex="female" if son else "male",
                    birth=min(in_law_birth, REFERENCE_DATE),
                    surname=in_law_surname,
                    regions=_SPOUSE,
                    notes="儿媳" if son else "女婿",
                )
                add(in_law)
                if son:
                    grandchildren_mother = in_law.birth_date
            if grandchildren_mother is None:  # the son's wife works away: count from his age
                grandchildren_mother = child_birth + dt.timedelta(days=2 * 365)
            self.children(
                household,
                grandchildren_mother,
                child.name[0] if son else in_law_surname,
                rng.choice((1, 1, 2)),
                Relation.GRANDCHILD,
            )

    def children(self, household, mother_birth: dt.date, surname: str, count: int, relation: str) -> None:
        """Brothers and sisters born at least a year and a half apart, while the mother is 21 to 42."""
        birth = self.born_after(mother_birth, 21, 33)
        last = mother_birth + dt.timedelta(days=42 * 365)
        for _ in range(count):
            if birth is None or birth > last:
                return
            sex = self.rng.choice(("male", "female"))
            household.members.append(
                self.person(household, relation=relation, sex=sex, birth=birth, surname=surname)
            )
            birth += dt.timedelta(days=self.rng.randint(540, 6 * 365))
            if birth > REFERENCE_DATE:
                return

    def verification(self, household: HouseholdDraft) -> None:
        """Grid workers verify a household at one visit (or one call) for all its members."""
        draw = self.rng.random()
        household.verification = "in_person" if draw < 0.45 else "by_phone" if draw < 0.65 else "none"
        if household.verification != "none":
            household.verified_days_ago = self.rng.randint(1, 75)
            household.verified_minute = self.rng.randint(8 * 60, 19 * 60)


def generate_population(
    *,
    places: Sequence[Place],
    households: int | None = None,
    persons: int | None = None,
    seed: int = DEFAULT_SEED,
    taken: set[str] | None = None,
) -> list[HouseholdDraft]:
    """Draft households over `places` (weighted by Place.weight): `households` of them, or as many as
    make exactly `persons` people (the last household is cut short). Pure: touches no database.
    `taken` holds ID numbers already registered, which the drafts avoid."""
    if (households is None) == (persons is None):
        raise ValueError("give households or persons")
    generator = Generator(seed, taken or set())
    chooser = Weighted([(place, place.weight) for place in places])
    drafts: list[HouseholdDraft] = []
    count = 0
    while (households is not None and len(drafts) < households) or (persons is not None and count < persons):
        draft = generator.household(chooser.pick(generator.rng))
        if persons is not None and count + len(draft.members) > persons:
            draft.members = draft.members[: persons - count]  # the head comes first
        drafts.append(draft)
        count += len(draft.members)
    return drafts


# Writing -------------------------------------------------------------------------------------------


def save_population(
    drafts: Sequence[HouseholdDraft],
    *,
    recorded_by,
    verifiers: Sequence = (),
    units: dict[str, Unit] | None = None,
    today: dt.date | None = None,
    resident_since: dt.datetime | None = None,
) -> dict:
    """Bulk-insert households, persons and their residences. `verifiers` are users; a verified household
    is credited to the one whose area is the smallest that contains it. `resident_since` is when the
    residences start (default: when the person is registered, i.e. now). Call inside a transaction."""
    today = today or timezone.localdate()
    units = units or {}
    verifier_tops = [(top, user) for user in verifiers for top in scoping.nodes_with(user, scoping.WRITE)]
    verifier_tops.sort(key=lambda pair: -len(pair[0].path))
    verifier_of: dict[int, object] = {}

    def verifier(node):
        if node.pk not in verifier_of:
            verifier_of[node.pk] = next(
                (u for top, u in verifier_tops if node.path.startswith(top.path)), None
            )
        return verifier_of[node.pk]

    households = Household.objects.bulk_create(
        [
            Household(
                node=d.place.node,
                address=d.address,
                address_key=natural_key(d.address),
                dwelling_type=d.dwelling_type,
            )
            for d in drafts
        ],
        batch_size=2000,
    )
    people = []
    for draft, household in zip(drafts, households, strict=True):
        node = draft.place.node
        verified_at = None
        if draft.verification != "none":
            day = today - dt.timedelta(days=draft.verified_days_ago)
            verified_at = dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI) + dt.timedelta(
                minutes=draft.verified_minute
            )
        for member in draft.members:
            fields = clean_person_fields(
                name=member.name,
                document_type=DocumentType.RESIDENT_ID,
                id_number=member.id_number,
                phone=member.phone,
            )
            people.append(
                Person(
                    node=node,
                    household=household,
                    relation=member.relation,
                    occupation=member.occupation,
                    unit=units.get(member.unit_kind),
                    notes=member.notes,
                    verification=draft.verification,
                    verified_at=verified_at,
                    verified_by=verifier(node) if verified_at else None,
                    **fields,
                )
            )
    people = Person.objects.bulk_create(people, batch_size=2000)
    Residence.objects.bulk_create(
        [
            Residence(
                person=p,
                node=p.node,
                household=p.household,
                started_at=resident_since or p.created_at,
                recorded_by=recorded_by,
            )
            for p in people
        ],
        batch_size=2000,
    )
    return {"households": len(households), "persons": len(people)}


def places_for(nodes: Sequence[Jurisdiction]) -> list[Place]:
    """Places for grids or villages, reading village and township names from the tree (one query)."""
    codes = {part for node in nodes for part in node.path.strip("/").split("/")}
    by_code = {n.code: n for n in Jurisdiction.objects.filter(code__in=codes)}
    places = []
    for node in nodes:
        chain = [by_code[c] for c in node.path.strip("/").split("/")]
        village = next(n for n in chain if n.level == Level.VILLAGE)
        township = next(n for n in chain if n.level == Level.TOWNSHIP)
        label, community = village_label(village.name)
        places.append(Place(node=node, township=township.name, village=label, community=community))
    return places


def existing_id_numbers(prefixes: Sequence[str]) -> set[str]:
    persons = Person.objects.filter(document_type=DocumentType.RESIDENT_ID)
    found = set()
    for prefix in prefixes:
        found.update(persons.filter(id_number__startswith=prefix).values_list("id_number", flat=True))
    return found


def bootstrap_admin(*, username: str, password: str, full_name: str, node: Jurisdiction):
    """The first administrator of a fresh installation. `grid.actions.create_user` needs an actor who
    may manage users at the node, and on a fresh installation nobody may: like `createsuperuser`, the
    first account is made directly, and the audit log says so (the new admin is recorded as the actor)."""
    user = get_user_model().objects.create_user(username=username, password=password, first_name=full_name)
    Membership.objects.create(user=user, node=node, role=Role.ADMIN)
    record(actor=user, action=Action.USER_CHANGE, target=user, node_path=node.path, change="bootstrap")
    return user


def refresh_planner_statistics() -> None:
    """After a bulk load the query planner knows nothing of the new rows: SQLite keeps no statistics
    until ANALYZE, and without them it reads every person to list one grid (measured in bench/README.md)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
