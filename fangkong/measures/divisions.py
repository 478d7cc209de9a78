"""Origins of arrivals as division codes (province, city, county) from the statistics bureau's CSV files
in data/divisions. Read once per process: the files are small (a few thousand rows) and never change
while the server runs."""

import csv
from functools import cache

from django.conf import settings


@cache
def _table(name: str) -> tuple[dict, ...]:
    with open(settings.DIVISIONS_DIR / f"{name}.csv", encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


@cache
def _names() -> dict[str, str]:
    return {row["code"]: row["name"] for name in ("provinces", "cities", "areas") for row in _table(name)}


def provinces() -> list[tuple[str, str]]:
    return [(row["code"], row["name"]) for row in _table("provinces")]


def cities(province: str) -> list[tuple[str, str]]:
    return [(row["code"], row["name"]) for row in _table("cities") if row["provinceCode"] == province]


def counties(city: str) -> list[tuple[str, str]]:
    return [(row["code"], row["name"]) for row in _table("areas") if row["cityCode"] == city]


def place_name(*codes: str) -> str:
    """湖北省武汉市江岸区 from 42, 4201, 420102; the 市辖区 of municipalities is left out."""
    names = [_names().get(code, "") for code in codes if code]
    return "".join(name for name in names if name and name not in ("市辖区", "县", "省直辖县级行政区划"))
