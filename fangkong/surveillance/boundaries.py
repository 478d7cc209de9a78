"""The township boundaries of a county for the five-colour map (DOMAIN.md §7): reading an uploaded GeoJSON
FeatureCollection, and drawing the townships as SVG paths. Pure: no database; the county's townships are
passed in.

The file: a GeoJSON FeatureCollection in longitude/latitude (WGS 84 / CRS84, as GeoJSON requires), one
Polygon or MultiPolygon feature per township, naming the township by its 9-digit division code in the
property `code`, `adcode` (as the common Chinese open datasets name it) or `gb`, the first present of these
three; a 12-digit code ending in 000 (the statistics bureau's township code) is read as its first 9 digits.
`name` is optional (the code list's name is used when it is missing). All or nothing: one bad feature
refuses the file, with every problem named by its feature."""

import json
import math

from fangkong.lib.errors import RuleError

MAX_BYTES = 5 * 1024 * 1024
CODE_KEYS = ("code", "adcode", "gb")
DECIMALS = 5  # about a metre: coordinates are stored rounded to this
SHOWN_PROBLEMS = 20


class BoundaryError(RuleError):
    """The file was refused: `problems` lists each reason in Chinese, the feature it concerns first."""

    def __init__(self, problems: list[str]):
        shown = problems[:SHOWN_PROBLEMS]
        if len(problems) > SHOWN_PROBLEMS:
            shown.append(f"另有{len(problems) - SHOWN_PROBLEMS}处问题未列出")
        super().__init__({"file": "；".join(shown)})
        self.problems = shown


def _feature_label(i: int) -> str:
    return f"第{i + 1}个要素（features[{i}]）"


def _code(raw) -> str:
    if isinstance(raw, bool):
        return ""
    if isinstance(raw, int):
        raw = str(raw)
    code = str(raw).strip() if isinstance(raw, str | float) else ""
    if len(code) == 12 and code.isdigit() and code.endswith("000"):
        code = code[:9]
    return code


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _polygons(geometry) -> tuple[list | None, str]:
    """(polygons as lists of rings of [lon, lat], rounded and closed; or None with the reason)."""
    if not isinstance(geometry, dict):
        return None, "缺少几何图形（geometry）"
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates if isinstance(coordinates, list) else None
    else:
        return None, f"几何类型“{kind}”不支持（只支持 Polygon 和 MultiPolygon）"
    if not polygons:
        return None, "几何图形没有坐标"
    out = []
    for p, polygon in enumerate(polygons, 1):
        if not isinstance(polygon, list) or not polygon:
            return None, f"第{p}个多边形没有坐标"
        rings = []
        for r, ring in enumerate(polygon, 1):
            where = f"第{p}个多边形第{r}个环"
            if not isinstance(ring, list):
                return None, f"{where}的坐标格式不正确"
            points = []
            for position in ring:
                if not isinstance(position, list) or len(position) < 2 or not all(map(_number, position[:2])):
                    return None, f"{where}的坐标格式不正确（应为[经度, 纬度]）"
                lon, lat = position[0], position[1]
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    return None, (
                        f"{where}的坐标({lon}, {lat})超出经纬度范围（经度-180～180，纬度-90～90），"
                        "文件可能使用了投影坐标，请转换为WGS 84经纬度"
                    )
                points.append([round(lon, DECIMALS), round(lat, DECIMALS)])
            if points and points[0] != points[-1]:
                points.append(points[0])
            if len({tuple(point) for point in points}) < 3:
                return None, f"{where}少于3个不同的点"
            rings.append(points)
        out.append(rings)
    return out, ""


def parse(data: bytes, *, townships: dict[str, str]) -> list[dict]:
    """The features of an uploaded file as [{"code", "name", "polygons"}], in the file's order; `townships`
    maps each township code of the county to its name. Raises BoundaryError with every problem."""
    if len(data) > MAX_BYTES:
        raise BoundaryError([f"文件过大：不能超过{MAX_BYTES // 1024 // 1024} MB"])
    try:
        collection = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BoundaryError(["文件不是UTF-8编码的文本，不是GeoJSON文件"]) from None
    except json.JSONDecodeError as error:
        raise BoundaryError([f"不是有效的JSON（第{error.lineno}行第{error.colno}列）"]) from None
    if (
        not isinstance(collection, dict)
        or collection.get("type") != "FeatureCollection"
        or not isinstance(collection.get("features"), list)
    ):
        raise BoundaryError(["不是GeoJSON要素集合（应为 type 为 FeatureCollection、含 features 列表的对象）"])
    if not collection["features"]:
        raise BoundaryError(["要素集合中没有要素"])
    problems, features, seen = [], [], {}
    for i, feature in enumerate(collection["features"]):
        label = _feature_label(i)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(f"{label}：不是 Feature")
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            properties = {}
        key = next((k for k in CODE_KEYS if properties.get(k) not in (None, "")), None)
        if key is None:
            problems.append(f"{label}：缺少乡镇代码（属性 code、adcode 或 gb）")
            continue
        code = _code(properties[key])
        if not (len(code) == 9 and code.isdigit()):
            problems.append(f"{label}：乡镇代码“{properties[key]}”（属性 {key}）应为9位数字")
            continue
        if code not in townships:
            problems.append(f"{label}：代码{code}不是本县（区）的乡镇")
            continue
        if code in seen:
            problems.append(f"{label}：代码{code}与{_feature_label(seen[code])}重复")
            continue
        seen[code] = i
        polygons, reason = _polygons(feature.get("geometry"))
        if polygons is None:
            problems.append(f"{label}（{code}）：{reason}")
            continue
        name = properties.get("name")
        name = name.strip() if isinstance(name, str) and name.strip() else townships[code]
        features.append({"code": code, "name": name[:100], "polygons": polygons})
    if problems:
        raise BoundaryError(problems)
    return features


def to_geojson(features: list[dict]) -> dict:
    """The features as they are stored: a GeoJSON FeatureCollection of MultiPolygons named by `code`."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": f["code"], "name": f["name"]},
                "geometry": {"type": "MultiPolygon", "coordinates": f["polygons"]},
            }
            for f in features
        ],
    }


# ── drawing ──────────────────────────────────────────────────────────────────────────────────────────


def _area(ring: list) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))) / 2


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Ramer–Douglas–Peucker on an open line: the points that stray more than `tolerance` from the chord of
    the points kept around them (the ends always kept)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = points[first], points[last]
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy)
        far, index = -1.0, None
        for i in range(first + 1, last):
            x, y = points[i]
            if length:
                distance = abs(dy * (x - x0) - dx * (y - y0)) / length
            else:
                distance = math.hypot(x - x0, y - y0)
            if distance > far:
                far, index = distance, i
        if index is not None and far > tolerance:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _ring(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """A closed ring simplified: split at its first point and the point farthest from it, each half by
    _simplify; without the closing point."""
    if len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    if len(points) < 4:
        return points
    x0, y0 = points[0]
    far = max(range(len(points)), key=lambda i: (points[i][0] - x0) ** 2 + (points[i][1] - y0) ** 2)
    head = _simplify(points[: far + 1], tolerance)
    tail = _simplify([*points[far:], points[0]], tolerance)
    return head[:-1] + tail[:-1]


def svg_map(
    features: list[dict], *, width: int = 640, max_height: int = 720, pad: int = 8, tolerance: float = 0.5
) -> dict:
    """The features drawn in a viewBox: an equirectangular projection whose longitudes are scaled by the
    cosine of the middle latitude (so that a small area keeps its shape), fitted to `width` (and at most
    `max_height`) with `pad` around, north up. Each feature gets one path ("M x,y x,y … Z" per ring, rings
    of a MultiPolygon and holes in one path, to be filled with fill-rule evenodd), its points rounded to a
    tenth of a unit, those closer than one unit to the last kept one dropped and the rest simplified
    (Ramer–Douglas–Peucker, `tolerance` units: half a pixel at the page's width); and a label point (the
    middle of its largest ring's box). {"width", "height", "shapes": [{"code", "name", "d", "x", "y"}]}."""
    points = [pt for f in features for polygon in f["polygons"] for ring in polygon for pt in ring]
    if not points:
        return {"width": width, "height": 2 * pad, "shapes": []}
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    squeeze = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * squeeze, 1e-9)
    span_y = max(north - south, 1e-9)
    scale = min((width - 2 * pad) / span_x, (max_height - 2 * pad) / span_y)
    box_w, box_h = span_x * scale + 2 * pad, span_y * scale + 2 * pad

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (
            round(pad + (lon - west) * squeeze * scale, 1),
            round(pad + (north - lat) * scale, 1),
        )

    shapes = []
    for feature in features:
        parts, largest, label, drawn = [], -1.0, None, []
        for polygon in feature["polygons"]:
            for r, ring in enumerate(polygon):
                kept = []
                for lon, lat in ring:
                    x, y = project(lon, lat)
                    if not kept or abs(x - kept[-1][0]) >= 1 or abs(y - kept[-1][1]) >= 1:
                        kept.append((x, y))
                kept = _ring(kept, tolerance)
                if len(kept) < 3:
                    continue  # smaller than a unit: not drawn
                parts.append("M" + " ".join(f"{x:g},{y:g}" for x, y in kept) + "Z")
                drawn.extend(kept)
                if r == 0 and _area([*kept, kept[0]]) > largest:
                    largest = _area([*kept, kept[0]])
                    xs, ys = [x for x, _ in kept], [y for _, y in kept]
                    label = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
        if parts:
            if label is None:  # only holes were large enough to draw
                xs, ys = [x for x, _ in drawn], [y for _, y in drawn]
                label = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
            shapes.append(
                {
                    "code": feature["code"],
                    "name": feature["name"],
                    "d": "".join(parts),
                    "x": round(label[0], 1),
                    "y": round(label[1], 1),
                }
            )
    return {"width": round(box_w, 1), "height": round(box_h, 1), "shapes": shapes}
