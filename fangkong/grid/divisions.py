"""Loading the statistics bureau's division codes (data/divisions, vintage in settings)."""

import csv
import gzip
from pathlib import Path

from django.conf import settings
from django.db import transaction

from fangkong.lib.errors import RuleError

from .models import Jurisdiction, Level


def _rows(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def read_county(county_code: str, directory: Path | None = None) -> dict:
    """The county's province, city, townships and villages from the CSV files."""
    directory = directory or settings.DIVISIONS_DIR
    county = next((r for r in _rows(directory / "areas.csv") if r["code"] == county_code), None)
    if county is None:
        raise RuleError({"county": f"区划代码 {county_code} 不是数据中的县级行政区"})
    province = next(r for r in _rows(directory / "provinces.csv") if r["code"] == county["provinceCode"])
    city = next(r for r in _rows(directory / "cities.csv") if r["code"] == county["cityCode"])
    townships = [r for r in _rows(directory / "streets.csv") if r["areaCode"] == county_code]
    villages = [r for r in _rows(directory / "villages.csv.gz") if r["areaCode"] == county_code]
    return {
        "province": province,
        "city": city,
        "county": county,
        "townships": townships,
        "villages": villages,
    }


@transaction.atomic
def load_county(county_code: str, *, vintage: str | None = None, directory: Path | None = None) -> dict:
    """Create or update the county's nodes; idempotent. Returns counts of created and updated nodes."""
    vintage = vintage or settings.DIVISIONS_VINTAGE
    data = read_county(county_code, directory)
    counts = {"created": 0, "updated": 0, "unchanged": 0}

    def upsert(code: str, name: str, level: str, parent: Jurisdiction | None) -> Jurisdiction:
        path = f"{parent.path if parent else ''}{code}/"
        node = Jurisdiction.objects.filter(code=code).first()
        if node is None:
            counts["created"] += 1
            return Jurisdiction.objects.create(
                code=code, name=name, level=level, parent=parent, path=path, vintage=vintage
            )
        if (node.name, node.level, node.parent_id, node.path, node.vintage) != (
            name,
            level,
            getattr(parent, "id", None),
            path,
            vintage,
        ):
            node.name, node.level, node.parent, node.path, node.vintage = name, level, parent, path, vintage
            node.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
        return node

    province = upsert(data["province"]["code"], data["province"]["name"], Level.PROVINCE, None)
    # 市辖区 / 省直辖县级行政区划 are statistical groupings, not real cities: name them after the province.
    city_name = data["city"]["name"]
    if city_name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
        city_name = f"{data['province']['name']}{city_name}"
    city = upsert(data["city"]["code"], city_name, Level.CITY, province)
    county = upsert(data["county"]["code"], data["county"]["name"], Level.COUNTY, city)
    townships = {}
    for row in data["townships"]:
        townships[row["code"]] = upsert(row["code"], row["name"], Level.TOWNSHIP, county)
    for row in data["villages"]:
        upsert(row["code"], row["name"], Level.VILLAGE, townships[row["streetCode"]])
    counts["townships"] = len(data["townships"])
    counts["villages"] = len(data["villages"])
    return counts
