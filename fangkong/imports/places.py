"""Where someone came from, as division codes: 湖北省武汉市江汉区, 湖北武汉, 武汉, 北京 → province, city
and county codes from the statistics bureau's list (data/divisions). What the text does not name
clearly stays empty; the text itself is always kept by the caller."""

import csv
import functools
import re
from dataclasses import dataclass

from django.conf import settings

# Suffixes dropped to get the short name people write (湖北, 武汉, 江汉); longest first.
_PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
_ETHNIC_GROUPS = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|纳西|"
    "景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|"
    "保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)
_ETHNIC_AUTONOMOUS = re.compile(rf"(?:(?:{_ETHNIC_GROUPS})族)+自治([州县旗])$")
_CITY_SUFFIXES = ("自治州", "地区", "市", "盟")
_COUNTY_SUFFIXES = ("自治县", "自治旗", "林区", "特区", "新区", "区", "县", "市", "旗")
# Statistical groupings in the city list, not places anyone writes.
_PLACEHOLDER_CITIES = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


@dataclass(frozen=True)
class Place:
    province: str = ""
    city: str = ""
    county: str = ""


@dataclass(frozen=True)
class _Entry:
    level: int  # 0 province, 1 city, 2 county
    code: str
    province: str
    city: str


def _rows(name: str):
    with open(settings.DIVISIONS_DIR / name, encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def _shorts(name: str, suffixes: tuple[str, ...]) -> list[str]:
    """Short names people write: 恩施土家族苗族自治州 → 恩施, 恩施州; 湖北省 → 湖北; 武汉市 → 武汉."""
    match = _ETHNIC_AUTONOMOUS.search(name)
    if match and match.start() >= 2:
        bare = name[: match.start()]
        return [bare, bare + match[1]]
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return [name[: -len(suffix)]]
    return []


class _Index:
    def __init__(self):
        self.full: dict[str, list[_Entry]] = {}  # full names: found anywhere
        self.short: dict[str, list[_Entry]] = {}  # short names of provinces and cities: anywhere
        self.county_short: dict[str, list[_Entry]] = {}  # short county names: only inside a known city
        self.cities_of: dict[str, list[str]] = {}
        for row in _rows("provinces.csv"):
            entry = _Entry(0, row["code"], row["code"], "")
            self._add(self.full, row["name"], entry)
            for short in _shorts(row["name"], _PROVINCE_SUFFIXES):
                self._add(self.short, short, entry)
        for row in _rows("cities.csv"):
            self.cities_of.setdefault(row["provinceCode"], []).append(row["code"])
            if row["name"] in _PLACEHOLDER_CITIES:
                continue
            entry = _Entry(1, row["code"], row["provinceCode"], row["code"])
            self._add(self.full, row["name"], entry)
            for short in _shorts(row["name"], _CITY_SUFFIXES):
                self._add(self.short, short, entry)
        for row in _rows("areas.csv"):
            if row["name"] in ("市辖区",):
                continue
            entry = _Entry(2, row["code"], row["provinceCode"], row["cityCode"])
            self._add(self.full, row["name"], entry)
            for short in _shorts(row["name"], _COUNTY_SUFFIXES):
                self._add(self.county_short, short, entry)
        self.longest = max(len(name) for name in self.full)

    @staticmethod
    def _add(index: dict, name: str, entry: _Entry) -> None:
        if len(name) >= 2:
            index.setdefault(name, []).append(entry)

    def candidates(self, name: str, place: Place) -> list[_Entry]:
        found = list(self.full.get(name, ()))
        if place.province == "" or place.city == "":
            found += self.short.get(name, ())
        if place.province:
            found += self.county_short.get(name, ())
        fits = {(e.level, e.code): e for e in found if _fits(e, place)}.values()
        # 乌鲁木齐 is a city and a county of it, 吉林 a province and a city: the larger place wins.
        top = min((e.level for e in fits), default=0)
        return [e for e in fits if e.level == top]


def _fits(entry: _Entry, place: Place) -> bool:
    if place.county or entry.level == 0 and place.province:
        return False
    if place.province and entry.province != place.province:
        return False
    if place.city and (entry.level < 2 or entry.city != place.city):
        return False
    return True


@functools.cache
def _index() -> _Index:
    return _Index()


@functools.lru_cache(maxsize=4096)
def locate(raw: str) -> Place:
    """Read the text left to right, taking at each position the longest name that fits what was
    found so far (a city inside the province, a county inside the city). A name that fits several
    places (朝阳 without a province) is left alone."""
    text = re.sub(r"\s", "", raw or "")
    if not text:
        return Place()
    index = _index()
    place = Place()
    position = 0
    while position < len(text) and not place.county:
        for length in range(min(index.longest, len(text) - position), 1, -1):
            found = index.candidates(text[position : position + length], place)
            if found:
                # An ambiguous name is passed over whole: its shorter parts would only guess.
                if len(found) == 1:
                    place = _narrow(place, found[0])
                position += length
                break
        else:
            position += 1
    if place.province and not place.city and len(index.cities_of.get(place.province, [])) == 1:
        # 北京, 上海, 天津: the one "city" of a municipality.
        place = Place(place.province, index.cities_of[place.province][0], "")
    return place


def _narrow(place: Place, entry: _Entry) -> Place:
    if entry.level == 0:
        return Place(entry.province, "", "")
    if entry.level == 1:
        return Place(entry.province, entry.city, "")
    return Place(entry.province, entry.city, entry.code)
