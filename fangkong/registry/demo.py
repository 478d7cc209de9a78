"""The demo county (山东省聊城市东昌府区, 371502): its grids, units, accounts and population
(`population.py` draws the people). `load_demo` builds it once; the measures, codes and reporting apps
add their activity (see the load-demo command)."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import actions as grid_actions
from fangkong.grid.divisions import load_county
from fangkong.grid.models import Jurisdiction, Level, Role

from . import actions as registry_actions
from .models import Household, Person, Unit, UnitKind
from .population import (
    DEFAULT_SEED,
    DEMO_COUNTY,
    SHANGHAI,
    SPOUSE_REGIONS,
    SURNAME_DRAW,
    Generator,
    Place,
    bootstrap_admin,
    existing_id_numbers,
    generate_population,
    places_for,
    refresh_planner_statistics,
    save_population,
    village_label,
)

# The demo county -----------------------------------------------------------------------------------

# Three townships (two towns and a street), in each two villages with grids (3+2, 2+3, 4+2 grids) and two
# without: a town's first villages (村) and a street's first communities (社区) in the 2023 code list.
DEMO_TOWNSHIPS = [("371502103", (3, 2)), ("371502102", (2, 3)), ("371502001", (4, 2))]
VILLAGES_WITHOUT_GRIDS = 2
VERIFYING_ROLES = (Role.GRID_WORKER, Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF)
GRID_NAMES = "第一网格 第二网格 第三网格 第四网格".split()


@dataclass(frozen=True)
class DemoAccount:
    key: str
    role: str
    username: str
    password: str
    full_name: str


# Printed on purpose: these are the demo's published logins (never load the demo on a real server).
DEMO_ACCOUNTS = [
    DemoAccount("county", Role.ADMIN, "demo_county", "Dcf-County-2020", "孙立新"),
    DemoAccount("township", Role.ADMIN, "demo_township", "Lsz-Admin-2020", "王建华"),
    DemoAccount("township_staff", Role.TOWNSHIP_STAFF, "demo_township_staff", "Lsz-Staff-2020", "刘丽娟"),
    DemoAccount("village", Role.VILLAGE_STAFF, "demo_village", "Lqx-Village-2020", "张海涛"),
    DemoAccount("grid1", Role.GRID_WORKER, "demo_grid1", "Lqx-Grid01-2020", "李秀梅"),
    DemoAccount("grid2", Role.GRID_WORKER, "demo_grid2", "Lqx-Grid02-2020", "赵志强"),
    DemoAccount("viewer", Role.VIEWER, "demo_viewer", "Glj-Viewer-2020", "陈晓燕"),
]


# The caretakers (包保) and checkpoint crews of the demo's activity (fangkong/measures/demo.py,
# healthcodes, venues and checkpoints demo.py, reporting/demo.py): one township cadre, health-centre doctor and police officer per demo
# township (梁水镇's cadre is demo_township_staff). Published and printed like the accounts above, so that
# every demo login can be tried.
@dataclass(frozen=True)
class DemoStaff:
    key: str
    username: str
    password: str
    full_name: str
    township: int  # index into DEMO_TOWNSHIPS


DEMO_STAFF = [
    DemoStaff("lsz_doctor", "demo_lsz_doctor", "Lsz-Doctor-2020", "高春燕", 0),
    DemoStaff("lsz_police", "demo_lsz_police", "Lsz-Police-2020", "孟凡军", 0),
    DemoStaff("tyz_cadre", "demo_tyz_cadre", "Tyz-Cadre-2020", "宋国栋", 1),
    DemoStaff("tyz_doctor", "demo_tyz_doctor", "Tyz-Doctor-2020", "崔慧敏", 1),
    DemoStaff("tyz_police", "demo_tyz_police", "Tyz-Police-2020", "韩立军", 1),
    DemoStaff("glj_cadre", "demo_glj_cadre", "Glj-Cadre-2020", "徐海燕", 2),
    DemoStaff("glj_doctor", "demo_glj_doctor", "Glj-Doctor-2020", "田文斌", 2),
    DemoStaff("glj_police", "demo_glj_police", "Glj-Police-2020", "魏振华", 2),
]
RESIDENT_DAYS = 90  # the demo's people live where they are registered since this many days before today


@dataclass
class DemoResult:
    created: bool
    accounts: list[dict]
    counts: dict


def _demo_nodes(county: Jurisdiction) -> dict:
    """The demo's townships, their villages with grids and those without (after load_county)."""
    townships, gridded, plain = [], [], []
    for code, _ in DEMO_TOWNSHIPS:
        township = Jurisdiction.objects.get(code=code)
        villages = list(township.children.filter(level=Level.VILLAGE).order_by("code"))
        # A town's demo villages are villages (村), a street's are communities (社区).
        street = township.name.endswith("街道")
        villages.sort(key=lambda v: village_label(v.name)[1] != street)
        townships.append(township)
        gridded.append(villages[:2])
        plain.extend(villages[2 : 2 + VILLAGES_WITHOUT_GRIDS])
    return {"county": county, "townships": townships, "gridded": gridded, "plain": plain}


def _account_nodes(nodes: dict) -> dict[str, Jurisdiction]:
    first_village = nodes["gridded"][0][0]
    grids = list(first_village.children.order_by("code"))
    return {
        "county": nodes["county"],
        "township": nodes["townships"][0],
        "township_staff": nodes["townships"][0],
        "village": first_village,
        "grid1": grids[0],
        "grid2": grids[1],
        "viewer": nodes["townships"][2],
    }


def _node_label(node: Jurisdiction) -> str:
    """梁水镇 / 梁浅新村村委会 / 梁浅新村第一网格: the node and its ancestors below the county."""
    chain = [*node.ancestors(), node]
    below_county = [n.name for n in chain if n.depth > Level.values.index(Level.COUNTY)]
    return " / ".join(below_county) or node.name


def _account_rows(nodes: dict) -> list[dict]:
    where = _account_nodes(nodes)
    return [
        {
            "role": str(Role(a.role).label),
            "node": _node_label(where[a.key]),
            "node_code": where[a.key].code,
            "username": a.username,
            "password": a.password,
        }
        for a in DEMO_ACCOUNTS
    ] + [
        {
            "role": str(Role(Role.TOWNSHIP_STAFF).label),
            "node": _node_label(nodes["townships"][s.township]),
            "node_code": nodes["townships"][s.township].code,
            "username": s.username,
            "password": s.password,
        }
        for s in DEMO_STAFF
    ]


def _units(county_nodes: dict, *, actor, seed: int) -> dict[str, Unit]:
    """A school, an enterprise, a market, a quarantine hotel, a bank and two clinics; returns the first
    unit of each kind, which the people whose work matches point at."""
    (lsz, ty, gl) = county_nodes["townships"]
    lsz_village, ty_village, gl_community = (
        county_nodes["gridded"][0][1],
        county_nodes["gridded"][1][0],
        county_nodes["gridded"][2][0],
    )
    ty_village_label = village_label(ty_village.name)[0]
    specs = [
        (UnitKind.SCHOOL, f"东昌府区{lsz.name}中心小学", lsz, f"{lsz.name}驻地"),
        (UnitKind.ENTERPRISE, "聊城市鲁润纺织有限公司", lsz_village, f"{lsz.name}工业园"),
        (UnitKind.MARKET, f"{ty.name}农贸市场", ty, f"{ty.name}驻地"),
        (UnitKind.HOTEL, "东昌府区古城宾馆（集中隔离点）", gl_community, f"{gl.name}古城社区"),
        (UnitKind.BANK, "东昌府区农村商业银行古楼支行", gl, gl.name),
        (UnitKind.CLINIC, f"{lsz.name}卫生院", lsz, f"{lsz.name}驻地"),
        (UnitKind.CLINIC, f"{ty_village_label}卫生室", ty_village, ty_village_label),
    ]
    generator = Generator(seed, set())
    contact_birth = dt.date(1975, 1, 1)
    units: dict[str, Unit] = {}
    for kind, name, node, address in specs:
        unit = registry_actions.create_unit(
            actor=actor,
            node=node,
            name=name,
            kind=kind,
            address=address,
            contact_name=SURNAME_DRAW.pick(generator.rng)
            + generator.given_name("male", contact_birth, set()),
            contact_phone=generator.phone(contact_birth) or "0635-8888888",
        )
        units.setdefault(kind, unit)
    return units


def is_demo_loaded() -> bool:
    return get_user_model().objects.filter(username=DEMO_ACCOUNTS[0].username).exists()


@transaction.atomic
def load_demo(
    *, households: int = 5000, seed: int = DEFAULT_SEED, today: dt.date | None = None
) -> DemoResult:
    """Load the demo county once. A second call changes nothing and reports the demo as loaded."""
    if is_demo_loaded():
        county = Jurisdiction.objects.get(code=DEMO_COUNTY)
        nodes = _demo_nodes(county)
        persons = Person.objects.filter(node__path__startswith=county.path)
        return DemoResult(
            created=False,
            accounts=_account_rows(nodes),
            counts={
                "households": Household.objects.filter(node__path__startswith=county.path).count(),
                "persons": persons.count(),
            },
        )
    divisions = load_county(DEMO_COUNTY)
    county = Jurisdiction.objects.get(code=DEMO_COUNTY)
    nodes = _demo_nodes(county)
    first = DEMO_ACCOUNTS[0]
    admin = bootstrap_admin(
        username=first.username, password=first.password, full_name=first.full_name, node=county
    )
    grid_places = []
    for villages, (_, grid_counts) in zip(nodes["gridded"], DEMO_TOWNSHIPS, strict=True):
        for village, count in zip(villages, grid_counts, strict=True):
            label, community = village_label(village.name)
            for i in range(count):
                grid = grid_actions.create_grid(
                    actor=admin, village=village, local_code=f"{i + 1:02d}", name=f"{label}{GRID_NAMES[i]}"
                )
                township = village.parent.name
                blocks = 8 if community else 4
                grid_places.append(
                    Place(grid, township, label, community, first_block=i * blocks + 1, blocks=blocks)
                )
    plain_places = [
        Place(p.node, p.township, p.village, p.community, blocks=6, weight=0.6)
        for p in places_for(nodes["plain"])
    ]
    where = _account_nodes(nodes)
    users = [admin]
    for account in DEMO_ACCOUNTS[1:]:
        users.append(
            grid_actions.create_user(
                actor=admin,
                username=account.username,
                full_name=account.full_name,
                password=account.password,
                node=where[account.key],
                role=account.role,
            )
        )
    units = _units(nodes, actor=admin, seed=seed)
    drafts = generate_population(
        places=grid_places + plain_places,
        households=households,
        seed=seed,
        taken=existing_id_numbers([r for r, _ in SPOUSE_REGIONS]),
    )
    # Verifications are credited to the staff who go door to door, not to the administrators.
    verifiers = [u for u, a in zip(users, DEMO_ACCOUNTS, strict=True) if a.role in VERIFYING_ROLES]
    today = today or timezone.localdate()
    # The people have lived here since before the demo's weeks of activity (and before the oldest
    # verification), so the daily figures of past days count them as registered.
    since = today - dt.timedelta(days=RESIDENT_DAYS)
    counts = save_population(
        drafts,
        recorded_by=admin,
        verifiers=verifiers,
        units=units,
        today=today,
        resident_since=dt.datetime(since.year, since.month, since.day, tzinfo=SHANGHAI),
    )
    refresh_planner_statistics()
    counts.update(
        grids=len(grid_places), units=Unit.objects.filter(node__path__startswith=county.path).count()
    )
    counts["villages_in_county"] = divisions["villages"]
    record(actor=admin, action=Action.CREATE, node_path=county.path, change="demo", seed=seed, **counts)
    return DemoResult(created=True, accounts=_account_rows(nodes), counts=counts)


@dataclass
class DemoContext:
    """What the demo's activity modules build on: the demo nodes and the users by key (the accounts of
    DEMO_ACCOUNTS by their key, the staff of DEMO_STAFF by theirs)."""

    county: Jurisdiction
    townships: list[Jurisdiction]
    gridded: list[list[Jurisdiction]]  # per township, its villages with grids
    plain: list[Jurisdiction]  # villages without grids, two per township in order
    users: dict

    def township_index(self, node: Jurisdiction) -> int:
        return next(i for i, t in enumerate(self.townships) if node.path.startswith(t.path))

    def grids(self) -> list[Jurisdiction]:
        villages = [v for pair in self.gridded for v in pair]
        return list(Jurisdiction.objects.filter(parent__in=villages, level=Level.GRID).order_by("path"))

    def places(self) -> list[Jurisdiction]:
        """Where the demo's people live: the grids and the villages without grids."""
        return self.grids() + list(self.plain)


def demo_context(*, create_staff: bool = True) -> DemoContext:
    """The loaded demo county (load_demo first), creating the staff of DEMO_STAFF that are missing."""
    county = Jurisdiction.objects.get(code=DEMO_COUNTY)
    nodes = _demo_nodes(county)
    User = get_user_model()
    names = [a.username for a in DEMO_ACCOUNTS] + [s.username for s in DEMO_STAFF]
    by_name = {u.username: u for u in User.objects.filter(username__in=names)}
    users = {a.key: by_name[a.username] for a in DEMO_ACCOUNTS}
    for staff in DEMO_STAFF:
        user = by_name.get(staff.username)
        if user is None and create_staff:
            user = grid_actions.create_user(
                actor=users["county"],
                username=staff.username,
                full_name=staff.full_name,
                password=staff.password,
                node=nodes["townships"][staff.township],
                role=Role.TOWNSHIP_STAFF,
            )
        if user is not None:
            users[staff.key] = user
    return DemoContext(
        county=county,
        townships=nodes["townships"],
        gridded=nodes["gridded"],
        plain=nodes["plain"],
        users=users,
    )
