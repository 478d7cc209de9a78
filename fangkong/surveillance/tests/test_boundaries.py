"""Township boundaries read from a GeoJSON file and drawn as SVG paths (surveillance/boundaries.py): the
projection checked against hand-computed corners, and every refusal naming its feature and reason."""

import json
import math
import re

import pytest

from fangkong.surveillance import boundaries
from fangkong.surveillance.boundaries import BoundaryError

TOWNSHIPS = {"371502103": "梁水镇", "371502102": "斗虎屯镇"}


def square(lon, lat, size):
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


def feature(geometry, **properties):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def polygon(*rings):
    return {"type": "Polygon", "coordinates": list(rings)}


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def numbers(d: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", d)]


def rings(d: str) -> list[str]:
    return re.findall(r"M[^MZ]*Z", d)


# ── drawing ──────────────────────────────────────────────────────────────────────────────────────────


def test_a_square_at_the_equator_fills_the_box_and_stays_square():
    drawn = boundaries.svg_map(
        [{"code": "a", "name": "A", "polygons": [[square(0, 0, 1)]]}], width=100, max_height=200, pad=10
    )
    assert (drawn["width"], drawn["height"]) == (100, 100)
    (shape,) = drawn["shapes"]
    # north up: (lon 0, lat 0) is the bottom left corner; the closing point is left to Z
    assert numbers(shape["d"]) == [(10, 90), (90, 90), (90, 10), (10, 10)]
    assert shape["d"].startswith("M") and shape["d"].endswith("Z")
    assert (shape["x"], shape["y"]) == (50, 50)


def test_a_square_of_degrees_at_60_degrees_north_is_half_as_wide_as_high():
    drawn = boundaries.svg_map(
        [{"code": "a", "name": "A", "polygons": [[square(116, 59.5, 1)]]}], width=400, max_height=200, pad=0
    )
    # cos(60°) = 0.5: one degree of longitude is half a degree of latitude; the height limits the scale
    assert drawn["height"] == 200
    assert drawn["width"] == pytest.approx(200 * math.cos(math.radians(60)), abs=0.1)
    xs = [x for x, _ in numbers(drawn["shapes"][0]["d"])]
    ys = [y for _, y in numbers(drawn["shapes"][0]["d"])]
    assert (max(xs) - min(xs)) / (max(ys) - min(ys)) == pytest.approx(0.5, abs=0.002)


def test_a_polygon_with_a_hole_is_one_path_of_two_rings():
    outer, hole = square(0, 0, 4), square(1, 1, 2)[::-1]
    drawn = boundaries.svg_map([{"code": "a", "name": "A", "polygons": [[outer, hole]]}], width=48, pad=4)
    (shape,) = drawn["shapes"]
    first, second = rings(shape["d"])
    assert numbers(first) == [(4, 44), (44, 44), (44, 4), (4, 4)]
    assert sorted(numbers(second)) == [(14, 14), (14, 34), (34, 14), (34, 34)]


def test_a_multipolygon_and_a_second_township_share_one_projection():
    west = {"code": "w", "name": "W", "polygons": [[square(0, 0, 1)], [square(0, 2, 1)]]}
    east = {"code": "e", "name": "E", "polygons": [[square(2, 0, 1)]]}
    drawn = boundaries.svg_map([west, east], width=130, max_height=1000, pad=5)
    assert (drawn["width"], drawn["height"]) == (130, 130)  # 3° by 3°: square
    shapes = {s["code"]: s for s in drawn["shapes"]}
    assert len(rings(shapes["w"]["d"])) == 2 and len(rings(shapes["e"]["d"])) == 1
    assert sorted(numbers(shapes["e"]["d"])) == [(85, 85), (85, 125), (125, 85), (125, 125)]
    for shape in drawn["shapes"]:
        for x, y in numbers(shape["d"]):
            assert 0 <= x <= drawn["width"] and 0 <= y <= drawn["height"]
    # the label of the two-part township sits in the middle of its largest part (the first, equal size)
    assert (shapes["w"]["x"], shapes["w"]["y"]) == (25, 105)


def test_a_straight_edge_of_many_points_is_two_and_a_speck_is_not_drawn():
    dense = [[i / 1000, 0] for i in range(1001)] + [[1, 1], [0, 1], [0, 0]]
    speck = square(0.5, 0.5, 0.0001)
    drawn = boundaries.svg_map(
        [{"code": "a", "name": "A", "polygons": [[dense], [speck]]}], width=100, max_height=100, pad=0
    )
    (ring,) = rings(drawn["shapes"][0]["d"])  # the speck is under a unit
    assert sorted(numbers(ring)) == [(0, 0), (0, 100), (100, 0), (100, 100)]


@pytest.mark.parametrize("bump, kept", [(0.004, False), (0.01, True)])
def test_a_bump_is_kept_when_it_strays_more_than_half_a_unit(bump, kept):
    # a 1° square drawn 100 units wide: a bump of 0.004° is 0.4 units, of 0.01° one unit
    ring = [[0, 0], [0.5, bump], [1, 0], [1, 1], [0, 1], [0, 0]]
    drawn = boundaries.svg_map([{"code": "a", "name": "A", "polygons": [[ring]]}], width=100, pad=0)
    points = numbers(drawn["shapes"][0]["d"])
    assert (len(points) == 5) is kept and len(points) in (4, 5)


def test_nothing_to_draw():
    assert boundaries.svg_map([])["shapes"] == []


# ── reading a file ───────────────────────────────────────────────────────────────────────────────────


def test_it_reads_adcode_code_and_gb_and_rounds_to_five_decimals():
    data = collection(
        feature(polygon(square(115.123456789, 36.1, 0.1)), adcode=371502103, name="梁水镇"),
        feature({"type": "MultiPolygon", "coordinates": [[square(115.3, 36.1, 0.1)]]}, gb="371502102000"),
    )
    features = boundaries.parse(data, townships=TOWNSHIPS)
    assert [(f["code"], f["name"]) for f in features] == [("371502103", "梁水镇"), ("371502102", "斗虎屯镇")]
    assert features[0]["polygons"][0][0][0] == [115.12346, 36.1]
    stored = boundaries.to_geojson(features)["features"]  # what is kept holds every feature as read
    assert [
        {
            "code": f["properties"]["code"],
            "name": f["properties"]["name"],
            "polygons": f["geometry"]["coordinates"],
        }
        for f in stored
    ] == features


def test_an_unclosed_ring_is_closed():
    ring = square(115, 36, 0.1)[:-1]
    (f,) = boundaries.parse(collection(feature(polygon(ring), code="371502103")), townships=TOWNSHIPS)
    assert f["polygons"][0][0][0] == f["polygons"][0][0][-1] and len(f["polygons"][0][0]) == 5


def refused(data: bytes) -> list[str]:
    with pytest.raises(BoundaryError) as caught:
        boundaries.parse(data, townships=TOWNSHIPS)
    assert caught.value.errors["file"] == "；".join(caught.value.problems)
    return caught.value.problems


GOOD = feature(polygon(square(115, 36, 0.1)), code="371502103")


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"{not json", "不是有效的JSON（第1行第2列）"),
        ("边界".encode("gbk"), "文件不是UTF-8编码的文本"),
        (json.dumps({"type": "Feature"}).encode(), "不是GeoJSON要素集合"),
        (json.dumps([1, 2]).encode(), "不是GeoJSON要素集合"),
        (collection(), "要素集合中没有要素"),
        (b" " * (boundaries.MAX_BYTES + 1), "文件过大：不能超过5 MB"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_feature_collection(data, reason):
    (problem,) = refused(data)
    assert problem.startswith(reason)


@pytest.mark.parametrize(
    "bad, reason",
    [
        (
            feature({"type": "LineString", "coordinates": [[115, 36], [116, 36]]}, code="371502102"),
            "第2个要素（features[1]）（371502102）：几何类型“LineString”不支持（只支持 Polygon 和 MultiPolygon）",
        ),
        (
            feature(polygon(square(500000, 4000000, 1000)), code="371502102"),
            "第2个要素（features[1]）（371502102）：第1个多边形第1个环的坐标(500000, 4000000)超出经纬度范围",
        ),
        (
            feature(polygon(square(115, 91, 0.1)), code="371502102"),
            "第2个要素（features[1]）（371502102）：第1个多边形第1个环的坐标(115, 91)超出经纬度范围",
        ),
        (
            feature(polygon(square(115, 36, 0.1)), name="斗虎屯镇"),
            "第2个要素（features[1]）：缺少乡镇代码（属性 code、adcode 或 gb）",
        ),
        (
            feature(polygon(square(115, 36, 0.1)), adcode="371502"),
            "第2个要素（features[1]）：乡镇代码“371502”（属性 adcode）应为9位数字",
        ),
        (
            feature(polygon(square(115, 36, 0.1)), code="371503001"),
            "第2个要素（features[1]）：代码371503001不是本县（区）的乡镇",
        ),
        (
            feature(polygon(square(115, 36, 0.1)), code="371502103"),
            "第2个要素（features[1]）：代码371502103与第1个要素（features[0]）重复",
        ),
        (
            feature(None, code="371502102"),
            "第2个要素（features[1]）（371502102）：缺少几何图形（geometry）",
        ),
        (
            feature(polygon([[115, 36], [115.1, 36], [115, 36]]), code="371502102"),
            "第2个要素（features[1]）（371502102）：第1个多边形第1个环少于3个不同的点",
        ),
        (
            feature(polygon([[115, 36], ["115.1", 36], [115, 36.1]]), code="371502102"),
            "第2个要素（features[1]）（371502102）：第1个多边形第1个环的坐标格式不正确",
        ),
        ({"type": "Point"}, "第2个要素（features[1]）：不是 Feature"),
    ],
)
def test_it_names_the_feature_and_the_reason(bad, reason):
    (problem,) = refused(collection(GOOD, bad))
    assert problem.startswith(reason), problem


def test_it_lists_every_bad_feature_and_keeps_nothing():
    problems = refused(
        collection(
            feature(polygon(square(115, 36, 0.1)), code="371502999"),
            GOOD,
            feature(polygon(square(200, 36, 0.1)), code="371502102"),
        )
    )
    assert [p.split("：")[0] for p in problems] == [
        "第1个要素（features[0]）",
        "第3个要素（features[2]）（371502102）",
    ]


def test_a_long_list_of_problems_is_cut_with_a_count():
    problems = refused(collection(*[feature(None, code="1") for _ in range(25)]))
    assert len(problems) == 21 and problems[-1] == "另有5处问题未列出"
