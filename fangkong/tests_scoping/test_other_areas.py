"""People of other areas, with bodies and filters that name grid 07's records, change and learn nothing.

test_every_route.py knows every route and tries it with empty bodies. Here each stranger (a sibling grid's
worker, another village's, another township's admin and worker, a viewer, unit staff, a caretaker moved
away from grid 07, a checkpoint worker on duty in another township, an account with no area) walks every
route again:

- GET as the route stands, then with filters that point at grid 07 (`?node=` grid 07, its village or
  township, `?q=` a name or the last four digits of a phone or ID number);
- POST the form grid 07's own admin would send (harvested from the pages they see, so it carries grid 07's
  ids, versions and choices), with the whole database compared before and after;
- every API operation with a JSON body that names grid 07's records, and its list filters.

What a response says is read as a person would read it: HTML and JSON, the cells of .xlsx exports, the
paragraphs and tables of .docx documents and the text of PDFs.

To extend: a new page route goes into ROUTES (apps/<app>.py) and is walked here too; its POST body
is harvested from the page that shows its form, and BODIES adds what a form cannot say (or the whole
body when no page shows one). New API operations are read from the schema; api_values fills their
fields by name and API_BODIES adds what it cannot. The two "accepted" tests below fail when a body is one
that even grid 07's own admin would be refused, so the walk cannot pass by sending junk.
"""

import datetime as dt
import re
from urllib.parse import parse_qsl, urlsplit

import lxml.html
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from fangkong.checkpoints import actions as checkpoint_actions
from fangkong.conftest import make_node, make_user
from fangkong.grid import actions as grid_actions
from fangkong.grid.models import Level, Role
from fangkong.healthcodes.identity import identity_for_person
from fangkong.healthcodes.tokens import make_token
from fangkong.imports.tests.sheets import STANDARD, row, workbook
from fangkong.imports.tests.sheets import id_number as sheet_id
from fangkong.lib.idcard import make as make_id
from fangkong.measures import actions as measure_actions
from fangkong.registry import actions as registry_actions
from fangkong.situation import pdf as situation_pdf

from .apps import API_IDS, ROUTES
from .documents import body_of, document_text, text_of
from .test_every_route import url_of

PHONES_AND_IDS = ["13812345678", "13987654321"]  # and the ID numbers, added in `markers`
NAMES_AND_PLACES = ["张伟", "李秀英", "前屯村七组12号", "第七网格"]

# Strangers: each must see nothing of grid 07 and change nothing there.
PERSONAS = [
    "grid08_worker",  # the sibling grid
    "outsider",  # an account with no area
    "other_village_worker",  # grid worker of 后屯村, same township
    "other_township_admin",  # admin of a second township
    "other_township_worker",  # grid worker in the second township
    "grid08_viewer",  # a viewer of the sibling grid
    "unit_staff",  # staff of a unit in grid 08
    "moved_worker",  # grid 07 worker and caretaker of its key person, then moved to grid 08
    "checkpoint_elsewhere",  # on duty now at the second township's checkpoint
]
# grid 07's own viewer may read grid 07 but neither change it nor see full phone and ID numbers.
VIEWER = "grid07_viewer"

# Routes whose POST legitimately writes something of the user's own (not of grid 07).
OWN_WRITES = {"logout", "set_language", "token_list"}
# Searches that POST (the box may hold an ID or phone number): they write nothing, but must show nothing.
SEARCHES = {"person_list", "keyperson_list", "screening_create"}

# Models whose rows change as a side effect of any request (sessions, login stamps) or that record
# attempts rather than facts (the audit log).
NOT_COMPARED = {"sessions", "admin", "contenttypes", "audit"}
# The per-minute count of one's own code verifications and the attempts to identify (rate limits, not
# records of grid 07).
NOT_COMPARED_MODELS = {"healthcodes.VerificationCount", "healthcodes.IdentifyAttempt"}
NOT_COMPARED_FIELDS = {"last_login", "last_used_at", "last_seen_at"}


@pytest.fixture
def strangers(world, grid07):
    """The personas of PERSONAS and VIEWER, and a second township with a village, a grid and a
    checkpoint, for this walk only."""
    admin = world.county_admin
    # A second unit of grid 07 that does not report yet, for the reporting-units form.
    grid07["clinic"] = registry_actions.create_unit(
        actor=admin, node=world.grid07, name="七组卫生室", kind="clinic"
    )
    # A second post for grid 07's worker, so that removing the grid-07 one is a change its admin may make.
    grid_actions.add_membership(
        actor=admin, user=world.grid07_worker, node=world.other_village, role=Role.VIEWER
    )
    township2 = make_node("371502104", "沙镇", Level.TOWNSHIP, world.county)
    village2 = make_node("371502104201", "沙村委会", Level.VILLAGE, township2)
    grid2 = grid_actions.create_grid(actor=admin, village=village2, local_code="01", name="沙村一网格")
    unit08 = registry_actions.create_unit(
        actor=admin, node=world.grid08, name="第八网格粮油店", kind="market"
    )
    moved = make_user("moved_worker", world.grid07, Role.GRID_WORKER, "调走的网格员")
    measure_actions.assign_caretaker(actor=admin, measure=grid07["measure"], user=moved, role="grid_worker")
    old = moved.memberships.get()
    grid_actions.add_membership(actor=admin, user=moved, node=world.grid08, role=Role.GRID_WORKER)
    grid_actions.remove_membership(actor=admin, membership=old)
    on_duty = make_user("checkpoint_elsewhere", grid2, Role.GRID_WORKER, "沙镇卡口值守")
    checkpoint2 = checkpoint_actions.create_checkpoint(actor=admin, node=grid2, name="沙镇卡口", kind="road")
    checkpoint_actions.assign_shift(
        actor=admin,
        checkpoint=checkpoint2,
        user=on_duty,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=3),
    )
    return {
        "grid08_worker": world.grid08_worker,
        "outsider": world.outsider,
        "other_village_worker": make_user(
            "other_village_worker", world.other_village, Role.GRID_WORKER, "后屯网格员"
        ),
        "other_township_admin": make_user("other_township_admin", township2, Role.ADMIN, "沙镇管理员"),
        "other_township_worker": make_user("other_township_worker", grid2, Role.GRID_WORKER, "沙村网格员"),
        "grid08_viewer": make_user("grid08_viewer", world.grid08, Role.VIEWER, "八网格查看"),
        "unit_staff": make_user("unit_staff", world.grid08, Role.UNIT_STAFF, "粮油店店员"),
        "moved_worker": moved,
        "checkpoint_elsewhere": on_duty,
        VIEWER: world.grid07_viewer,
        "unit08": unit08,
        "checkpoint2": checkpoint2,
    }


def markers(persona, records) -> list[str]:
    """What this persona must not read: everything of grid 07, or for its viewer the full numbers."""
    numbers = PHONES_AND_IDS + [records["zhang"].id_number, records["li"].id_number]
    return numbers if persona == VIEWER else NAMES_AND_PLACES + numbers


def filters(w, r) -> list[str]:
    """Query strings that point a page or an API list at grid 07: its node, village or township by code
    (under both parameter names pages use), and a search for a name or the last four digits of a phone
    or ID number."""
    zhang = r["zhang"]
    nodes = [f"node={n.code}&node_code={n.code}" for n in (w.grid07, w.village, w.township)]
    searches = [f"q={text}&text={text}" for text in ("张伟", zhang.phone[-4:], zhang.id_number[-4:])]
    return nodes + searches


# More URLs of a route than ROUTES gives: the other formats of a document.
MORE_URLS = {
    "situation_download": lambda w, r: [
        ({"code": w.grid07.code, "fmt": fmt}, "as_of=")  # empty: the default time
        for fmt in ("docx", "json", *(["pdf"] if situation_pdf.available() else []))  # PDF needs LibreOffice
    ],
}


# Body fields grid 07's admin would type (the harvested forms give the rest).
def typed(w, r) -> dict:
    now = timezone.localtime()
    return {
        "name": "七组新记录",
        "full_name": "七组新人",
        "username": "new07",
        "password": "Another-horse-77x",
        "password2": "Another-horse-77x",
        "local_code": "09",
        "address": "前屯村七组12号",
        "reason": "第七网格核查",
        "response": "第七网格答复",
        "problems": "第七网格问题",
        "next_steps": "第七网格下一步",
        "note": "第七网格备注",
        "id_number": r["zhang"].id_number,
        "phone": r["zhang"].phone,
        "temperature": "36.6",
        "first": "103",
        "last": "104",
        "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "division_code": "420103",
        "resolution": "第七网格已处置",
        "plate": "鲁P12345",
        "arrived_on": now.strftime("%Y-%m-%d"),
        "expires_on": (now + dt.timedelta(days=3)).strftime("%Y-%m-%d"),
        "token": make_token(identity_for_person(r["zhang"])),
    }


# Per route, what a harvested form cannot say (or the whole body when no page shows the form).
BODIES = {
    "measure_caretaker_add": lambda w, r: {"user": w.grid07_viewer.pk, "role": "grid_worker"},
    "checkpoint_shift_add": lambda w, r: {"user": w.grid07_viewer.pk},
    "user_membership_add": lambda w, r: {"role": Role.GRID_WORKER},
    "user_create": lambda w, r: {"role": Role.GRID_WORKER},
    "daily_report": lambda w, r: {"note": "第七网格改报"},
    "person_create": lambda w, r: {"id_number": make_id("371502", dt.date(2001, 2, 3), 77), "phone": ""},
    "reporting_units": lambda w, r: {"node": "", "unit": r["clinic"].pk},
    "grid_import": lambda w, r: {
        "file": upload(["村（社区）代码", "网格编号", "网格名称"], [w.village.code, "09", "第九网格"])
    },
    "imports_returnees": lambda w, r: {
        "file": upload(STANDARD, row(姓名="赵七组", 身份证号=sheet_id(31), 现住址="前屯村七组14号")),
    },
    # A confirmed case may be discharged (§12); the trajectory's place and the investigation's time.
    "case_event_add": lambda w, r: {"kind": "discharged"},
    "case_entry_add": lambda w, r: {"place": "前屯村七组12号", "starts_at": _an_hour_ago()},
    "case_investigation": lambda w, r: {"core_at": _an_hour_ago()},
    # 张伟 had a dose today: the entry records one for 李秀英; the ledger one of 张伟's two months ago.
    "vaccination_entry": lambda w, r: {"person": r["li"].pk},
    "vaccination_import": lambda w, r: {
        "file": upload(
            ["姓名", "身份证号", "生产企业", "剂次", "接种日期"],
            ["张伟", r["zhang"].id_number, "北京生物", "1", timezone.localdate() - dt.timedelta(days=60)],
        )
    },
    # Supplies: how much, who approved; a new store without a unit; a disinfection record of yesterday.
    "store_create": lambda w, r: {"unit": ""},
    "store_receive": lambda w, r: {"item": r["supply_item"].pk, "quantity": "10", "source": "bought"},
    "store_issue": lambda w, r: {
        "item": r["supply_item"].pk,
        "quantity": "10",
        "approver": "七组审批",
        "recipient_unit": "",
        "recipient": "七组小学",
    },
    "store_transfer": lambda w, r: {"item": r["supply_item"].pk, "quantity": "10"},
    "store_stocktake": lambda w, r: {"item": r["supply_item"].pk, "counted": "90"},
    "supply_item_list": lambda w, r: {"unit": "个"},
    "supplies_import": lambda w, r: {
        "store": r["store"].pk,
        "file": upload(
            ["日期", "物资名称", "单位", "来源", "入库数量"], [_yesterday(), "医用外科口罩", "只", "自购", 5]
        ),
    },
    "disinfection_import": lambda w, r: {
        "place": r["place"].pk,
        "file": upload(
            ["日期", "起止时间", "消毒剂", "方式", "消毒人员"],
            [_yesterday(), "08:00-08:30", "84消毒液", "喷洒", "李师傅"],
        ),
    },
    # Early warning: grid 07's fever clinic, today's visits (yesterday's and before are entered already).
    "clinic_visits_entry": lambda w, r: {f"visits_{r['fever_clinic'].pk}": "4"},
    "clinic_visits_import": lambda w, r: {
        "file": upload(
            ["日期", "发热门诊", "就诊人次"], [timezone.localdate().isoformat(), "第七网格发热哨点", 4]
        ),
    },
    # Inspections and command (grid 07's kindergarten, its open order, the venue closed two hours ago).
    "inspection_create": lambda w, r: {"inspectors": "第七网格督查员"},
    "reinspect": lambda w, r: {"inspectors": "第七网格督查员"},
    "closure_reopen": lambda w, r: {"reopened_at": _an_hour_ago()},
    "template_create": lambda w, r: {"items": "第七网格测温点"},
    "imports_inspections": lambda w, r: {
        "file": upload(
            ["检查日期", "被检查单位", "检查人员"], [timezone.localdate(), "第七网格幼儿园", "督查员"]
        )
    },
    "task_create": lambda w, r: {"title": "第七网格任务", "owner": "第七网格员", "deadline": _an_hour_ago()},
    "duty_roster": lambda w, r: {"leader": "第七网格组长", "officers": "第七网格员"},
    "duty_shift": lambda w, r: {
        "text": "第七网格值班记录",
        "at": (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    },
    "imports_duty": lambda w, r: {
        "file": upload(["日期", "带班领导", "值班人员"], [timezone.localdate(), "第七网格组长", "第七网格员"])
    },
    # Market supervision: grid 07's pharmacy, its buyers 张伟 (a task of grid 07) and 李秀英 (unregistered
    # when she bought), the township's gatherings.
    "pharmacy_list": lambda w, r: {
        "node": w.grid07.pk,
        "name": "第七网格二药房",
        "licence_no": "鲁AA0700002",
    },
    "purchase_new": lambda w, r: {
        "id_number": r["li"].id_number,
        "buyer_name": "李秀英",
        "drug_class": "fever",
        "drug": "布洛芬",
        "quantity": 1,
    },
    "weekly_new": lambda w, r: {
        "week_start": _yesterday(),
        "fever": 1,
        "cough": 0,
        "antiviral": 0,
        "antibiotic": 0,
    },
    "fever_followup_done": lambda w, r: {"outcome": "第七网格已核查"},
    "purchase_found": lambda w, r: {"found_note": "第七网格已找到"},
    "gathering_list": lambda w, r: {
        "node": w.township.pk,
        "day": _yesterday(),
        "reported": 2,
        "cancelled": 1,
    },
    "markets_import": lambda w, r: {
        "kind": "purchases",
        "pharmacy": r["pharmacy"].pk,
        "file": upload(
            ["购药时间", "姓名", "身份证号", "药品名称", "类别"],
            [f"{_yesterday()} 09:00", "李秀英", r["li"].id_number, "布洛芬", "退热"],
        ),
    },
}


def _yesterday() -> str:
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def _an_hour_ago() -> str:
    return (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


# Uploads whose valid POST shows a preview and writes no row yet (the confirm step writes), with what the
# preview of grid 07's admin shows.
BODIES |= {
    "sample_start": lambda w, r: {
        "tube_code": "G07-0003",
        "kind": "pool",
        "capacity": 5,
        "node": w.grid07.code,
    },
    "sample_add": lambda w, r: {"person": r["zhang"].pk},
    "sample_result": lambda w, r: {"result": "negative"},
    "results_import": lambda w, r: {
        "file": SimpleUploadedFile(
            "结果.xlsx", workbook([["G07-0001", "阴性"]], header=["试管编码", "检测结果"])
        )
    },
    "round_list": lambda w, r: {"name": "第七网格第二轮", "node": w.grid07.code, "starts_on": "2022-04-10"},
    "point_list": lambda w, r: {"name": "第七网格二号采样点", "node": w.grid07.code},
    "key_group_list": lambda w, r: {"person": r["li"].pk, "q": "", "group": "port"},
    "imports_key_groups": lambda w, r: {
        "node": w.grid07.code,
        "file": upload(["姓名", "身份证号", "重点人群"], [r["li"].name, r["li"].id_number, "口岸"]),
    },
    "vaccination_dose_correct": lambda w, r: {
        "site": r["vaccination_site"].pk,
        "product": "ad5",
        "given_on": timezone.localdate().isoformat(),
        "dose_number": 1,
        "lot": "G07LOT",
        "reason": "第七网格更正",
    },
    "imports_tasks": lambda w, r: {
        "node": w.grid07.code,
        "file": upload(["任务", "责任人", "完成时限"], ["第七网格任务二", "第七网格员", "2030-01-01"]),
    },
    # Schools: a class list of one new pupil; today's morning check edited from its version 1 (all present).
    "roster_import": lambda w, r: {
        "file": upload(["年级", "班级", "姓名"], ["一年级", "1班", "第七网格新生"])
    },
    # The cold chain: a store, a lot, a worker (李秀英), a document and a transfer of the unsealed lot, a sample,
    # and an arrival line of the in/out ledger.
    "coldstore_create": lambda w, r: {
        "node": w.grid07.pk,
        "name": "第七网格二号冷库",
        "kind": "cold_store",
        "enterprise": "第七网格冻品二店",
        "manager": "第七网格库长",
    },
    "lot_create": lambda w, r: {
        "product": "第七网格冻牛肉",
        "origin_country": "巴西",
        "quantity": "5",
        "unit": "千克",
        "number": "G07LOT3",
        "received_on": timezone.localdate().isoformat(),
    },
    "coldworker_add": lambda w, r: {
        "id_number": r["li"].id_number,
        "since": timezone.localdate().isoformat(),
    },
    "lot_document": lambda w, r: {
        "kind": "inspection",
        "number": "G07-DOC",
        "issued_on": timezone.localdate().isoformat(),
    },
    "lot_move": lambda w, r: {
        "source": r["cold_store"].pk,
        "target": r["cold_store2"].pk,
        "quantity": "1",
        "on": timezone.localdate().isoformat(),
    },
    "coldsample_create": lambda w, r: {
        "store": r["cold_store"].pk,
        "kind": "environment",
        "code": "G07-ENV",
        "sampled_on": timezone.localdate().isoformat(),
    },
    "coldchain_import": lambda w, r: {
        "ledger": "movements",
        "file": upload(
            ["日期", "品名", "批号", "原产国", "调入冷库", "数量"],
            [timezone.localdate().isoformat(), "第七网格冻虾仁", "G07LOT9", "越南", "第七网格冻品冷库", "3"],
        ),
    },
    "class_check": lambda w, r: {
        "day": timezone.localdate().isoformat(),
        "slot": "morning",
        "version": "1",
        **{f"{field}_{m.pk}": "" for m in r["school_class"].members.all() for field in ("s", "t", "g")},
    },
}
PREVIEWS = {
    "grid_import": "第九网格",
    "imports_returnees": "新增排查",
    "imports_inspections": "确认导入",
    "imports_duty": "确认导入",
    "vaccination_import": "确认导入",
    "supplies_import": "确认导入",
    "disinfection_import": "确认导入",
    "imports_key_groups": "确认导入",
    "imports_tasks": "确认导入",
}


def upload(header, values) -> SimpleUploadedFile:
    return SimpleUploadedFile("名单.xlsx", workbook([values], header=header))


# Where a route's own URL names a record its rules refuse to change again (张伟 is already under a
# measure), the body goes to the same route for another of grid 07's records.
BODY_URLS = {
    "lot_document": lambda w, r: reverse("lot_document", args=[r["open_lot"].pk]),
    "lot_move": lambda w, r: reverse("lot_move", args=[r["open_lot"].pk]),
    "measure_start": lambda w, r: f"{reverse('measure_start')}?person={r['li'].pk}",
    "screening_create": lambda w, r: f"{reverse('screening_create')}?person={r['li'].pk}",
    "vaccination_entry": lambda w, r: f"{reverse('vaccination_entry')}?person={r['li'].pk}",
}


def form_body(form, w, r) -> dict:
    """The values a browser would send, with empty fields filled as grid 07's admin would fill them."""
    body = {}
    for key, value in form.form_values():
        body.setdefault(key, []).append(value)
    for button in form.xpath(".//button[@name]"):  # the button a person clicks sends its value
        body.setdefault(button.get("name"), [button.get("value", "")])
    wanted = typed(w, r)
    for element in form.inputs:
        key = element.get("name")
        if not key or key in body and any(v.strip() for v in body[key]):
            continue
        if element.tag == "select":
            options = [(o.get("value", o.text or ""), (o.text or "")) for o in element.iter("option")]
            options = [(v, t) for v, t in options if v]
            grid07_first = sorted(options, key=lambda o: "第七网格" not in o[1] and o[0] != str(w.grid07.pk))
            if grid07_first:
                body[key] = [grid07_first[0][0]]
        elif element.get("type") == "radio" and key not in body:
            body[key] = [element.get("value")]
        elif element.get("type") in ("checkbox", "radio", "submit", "file", "hidden"):
            continue
        elif key in wanted:
            body[key] = [wanted[key]]
    return body


def harvest(w, r) -> dict:
    """{route name: (url, body, user who saw it)} for every POST form grid 07's admin and worker see on
    their pages, and the bodies of BODIES."""
    found = {}
    # The county admin sees every form but those of a worker's own things (reminders, API tokens).
    for user, names in ((w.county_admin, ROUTES), (w.grid07_worker, ("reminder_list", "token_list"))):
        client = Client()
        client.force_login(user)
        for name in names:
            if name == "logout":
                continue
            url = url_of(name, w, r)
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            page = lxml.html.fromstring(response.content.decode(), base_url=f"http://testserver{url}")
            for form in page.forms:
                if (form.method or "get").lower() != "post":
                    continue
                action = (form.action or url).replace("http://testserver", "")
                try:
                    target = resolve(action.split("?")[0]).url_name
                except Resolver404:
                    continue
                if target in ROUTES and target not in found and target != "logout":
                    found[target] = (action, form_body(form, w, r), user)
    for name, extra in BODIES.items():
        url, body, user = found.get(name, (url_of(name, w, r), {}, w.county_admin))
        found[name] = (url, {**body, **extra(w, r)}, user)
    for name, url in BODY_URLS.items():
        found[name] = (url(w, r), *found[name][1:])
    return found


def snapshot(*, audit=False) -> dict:
    """Every row of every model the walk compares, as values (with the audit log: every row written)."""
    state = {}
    for model in apps.get_models():
        if audit and model._meta.app_label == "audit":
            pass
        elif model._meta.app_label in NOT_COMPARED or model._meta.label in NOT_COMPARED_MODELS:
            continue
        rows = model._base_manager.order_by("pk").values()
        state[model._meta.label] = {
            row["id"] if "id" in row else str(row): {
                k: v for k, v in row.items() if k not in NOT_COMPARED_FIELDS
            }
            for row in rows
        }
    return state


def changes(before: dict, after: dict) -> list[str]:
    found = []
    for label, rows in after.items():
        old = before.get(label, {})
        for pk in rows.keys() - old.keys():
            found.append(f"{label} #{pk} added")
        for pk in old.keys() - rows.keys():
            found.append(f"{label} #{pk} removed")
        for pk in rows.keys() & old.keys():
            fields = [k for k in rows[pk] if rows[pk][k] != old[pk].get(k)]
            if fields:
                found.append(f"{label} #{pk} changed {fields}")
    return found


def sent_values(url: str, data) -> set[str]:
    """The texts a request carried in its query string and form body."""
    values = {value for _, value in parse_qsl(urlsplit(url).query)}
    for value in (data or {}).values() if isinstance(data, dict) else ():
        values.update(str(v) for v in (value if isinstance(value, list) else [value]))
    return {v.strip() for v in values if isinstance(v, str)}


def without_echo(text: str, response, sent: set[str]) -> str:
    """An HTML page without the form fields that hand back what the user typed (a search, a refused
    form): repeating one's own input reveals nothing. A field filled with anything else still counts."""
    if "html" not in response.get("Content-Type", ""):
        return text
    page = lxml.html.fromstring(text)
    for field in page.xpath("//input[@value]"):
        if field.get("value").strip() in sent:
            del field.attrib["value"]
    for field in page.xpath("//textarea"):
        if (field.text or "").strip() in sent:
            field.text = ""
    return lxml.html.tostring(page, encoding="unicode")


class WriteSpy:
    """Notes whether a request sent an INSERT, UPDATE or DELETE (sessions aside): only then is the
    database compared row by row, which keeps the walk fast."""

    def __init__(self):
        self.wrote = False

    def __call__(self, execute, sql, params, many, context):
        statement = sql.lstrip().upper()
        if statement.startswith(("INSERT", "UPDATE", "DELETE")) and "DJANGO_SESSION" not in statement:
            self.wrote = True
        return execute(sql, params, many, context)


class Walk:
    """One persona's requests, counted, with what they showed or changed."""

    def __init__(self, client, forbidden):
        self.client, self.forbidden, self.requests, self.failures = client, forbidden, 0, []
        self.route = None  # the route being walked
        self.baseline = snapshot()

    def fail(self, message):
        self.failures.append((self.route, message))

    def send(self, method, url, **kwargs):
        spy = WriteSpy()
        with connection.execute_wrapper(spy):
            response = getattr(self.client, method)(url, **kwargs)
        self.requests += 1
        if response.status_code >= 500:
            self.fail(f"{method.upper()} {url}: {response.status_code}")
        elif response.status_code < 300:
            said = without_echo(text_of(response), response, sent_values(url, kwargs.get("data")))
            shown = [m for m in self.forbidden if m in said]
            if shown:
                self.fail(f"{method.upper()} {url}: shows {shown}")
        return response, (changes(self.baseline, snapshot()) if spy.wrote else [])

    def read(self, method, url, **kwargs):
        response, changed = self.send(method, url, **kwargs)
        if changed:
            self.fail(f"{method.upper()} {url}: changed {changed}")
            self.baseline = snapshot()
        return response

    def write(self, method, url, *, allowed=False, **kwargs):
        """A request in a transaction rolled back afterwards, so one leak cannot hide or cause another."""
        with transaction.atomic():
            response, changed = self.send(method, url, **kwargs)
            transaction.set_rollback(True)
        if changed and not allowed:
            self.fail(f"{method.upper()} {url}: changed {changed}")
        return response


def page_urls(name, w, r) -> list[str]:
    if name in MORE_URLS:
        return [reverse(name, kwargs=k) + (f"?{q}" if q else "") for k, q in MORE_URLS[name](w, r)]
    return [url_of(name, w, r)]


def walk_pages(walk, w, r, bodies):
    for name in ROUTES:
        if name == "logout":
            continue
        walk.route = name
        for url in page_urls(name, w, r):
            response = walk.read("get", url)
            if response.status_code == 200:
                joiner = "&" if "?" in url else "?"
                for query in filters(w, r):
                    walk.read("get", f"{url}{joiner}{query}")
        url, body, _ = bodies.get(name, (url_of(name, w, r), {}, None))
        walk.write("post", url, data=body, allowed=name in OWN_WRITES)


# JSON fields that name grid 07's records, by field name.
def api_values(w, r) -> dict:
    zhang = r["zhang"]
    checkin = {
        "client_id": "c-07",
        "venue_code": r["venue"].code,
        "id_number": zhang.id_number,
        "name": zhang.name,
        "phone": zhang.phone,
    }
    return {
        "node": w.grid07.code,
        "to_node": w.grid08.code,
        "household": r["h07"].pk,
        "version": 1,
        "address": "前屯村七组12号",
        "name": "张伟",
        "id_number": zhang.id_number,
        "phone": zhang.phone,
        "token": make_token(identity_for_person(zhang)),
        "method": "in_person",
        "direction": "in",
        "temperature": 36.6,
        "items": [checkin],
        "resolution": "复测体温正常",
        "day": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        **checkin,
    }


# Per operation (method, path as the schema writes it), what api_values cannot say.
API_BODIES = {
    # The cold chain: a second store, a lot, a document, a disinfection, a transfer and a sample of grid 07.
    ("post", "/api/v1/cold-stores"): lambda w, r: {
        "node": w.grid07.code,
        "name": "第七网格冷库三",
        "enterprise": "第七网格冻品三店",
        "manager": "第七网格库长",
    },
    ("post", "/api/v1/cold-lots"): lambda w, r: {
        "store": r["cold_store"].pk,
        "product": "第七网格冻羊肉",
        "origin_country": "新西兰",
        "quantity": "8",
        "number": "G07LOT4",
        "received_on": timezone.localdate().isoformat(),
    },
    ("post", "/api/v1/cold-lots/{lot_id}/documents"): lambda w, r: {
        "kind": "inspection",
        "number": "G07-DOC2",
        "issued_on": timezone.localdate().isoformat(),
    },
    ("post", "/api/v1/cold-lots/{lot_id}/disinfection"): lambda w, r: {
        "on": timezone.localdate().isoformat()
    },
    ("post", "/api/v1/cold-lots/{lot_id}/movements"): lambda w, r: {
        "source": r["cold_store"].pk,
        "target": r["cold_store2"].pk,
        "quantity": "1",
        "on": timezone.localdate().isoformat(),
    },
    ("post", "/api/v1/cold-samples"): lambda w, r: {
        "store": r["cold_store"].pk,
        "kind": "environment",
        "code": "G07-ENV2",
        "sampled_on": timezone.localdate().isoformat(),
    },
    ("post", "/api/v1/cold-samples/{cold_sample_id}/result"): lambda w, r: {"result": "positive"},
    # A second school of grid 07, a class of it, a pupil without ID number.
    ("post", "/api/v1/schools"): lambda w, r: {
        "node": w.grid07.code,
        "name": "第七网格幼儿园",
        "stage": "kindergarten",
    },
    ("post", "/api/v1/schools/{school_id}/classes"): lambda w, r: {"grade": "二年级", "name": "1班"},
    ("post", "/api/v1/school-classes/{class_id}/roster"): lambda w, r: {
        "name": "第七网格新生",
        "id_number": "",
    },
    # A dose for 李秀英 at grid 07's site; a deferral for 张伟.
    ("post", "/api/v1/vaccination/doses"): lambda w, r: {
        "person": r["li"].pk,
        "site": r["vaccination_site"].pk,
        "product": "bibp",
        "given_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
    },
    ("post", "/api/v1/vaccination/deferrals"): lambda w, r: {
        "person": r["zhang"].pk,
        "kind": "postponed",
        "reason": "第七网格发热",
    },
    ("post", "/api/v1/testing/samples"): lambda w, r: {
        "tube_code": "G07-0004",
        "kind": "pool",
        "capacity": 5,
    },
    ("post", "/api/v1/testing/samples/{sample_id}/members"): lambda w, r: {"id_number": r["zhang"].id_number},
    ("post", "/api/v1/testing/samples/{sample_id}/result"): lambda w, r: {"result": "negative"},
    ("post", "/api/v1/testing/sampling/batch"): lambda w, r: {
        "tubes": [
            {
                "tube_code": "G07-0005",
                "kind": "single",
                "sampled_at": timezone.localtime().isoformat(),
                "people": [r["li"].id_number],
            }
        ]
    },
    ("post", "/api/v1/testing/results"): lambda w, r: {
        "results": [{"tube_code": "G07-0001", "result": "negative"}]
    },
    ("post", "/api/v1/testing/key-groups"): lambda w, r: {"person": r["zhang"].pk, "group": "cold_chain"},
    ("post", "/api/v1/testing/rounds"): lambda w, r: {"starts_on": "2022-04-10", "name": "第七网格第二轮"},
    ("post", "/api/v1/persons"): lambda w, r: {"id_number": make_id("371502", dt.date(2001, 2, 3), 77)},
    ("post", "/api/v1/persons/{person_id}/move"): lambda w, r: {"household": r["h08"].pk},
    # 张伟 is under home quarantine (red): he is turned back, not let through.
    ("post", "/api/v1/checkpoints/{checkpoint_id}/passages"): lambda w, r: {"outcome": "turned_back"},
    # 李秀英 of grid 07 reported as a case; 张伟's case edited, discharged, its trajectory and candidates.
    ("post", "/api/v1/cases"): lambda w, r: {
        "kind": "suspected",
        "person": r["li"].pk,
        "diagnosed_at": timezone.localtime().isoformat(),
    },
    ("put", "/api/v1/cases/{case_id}"): lambda w, r: {
        "diagnosed_at": r["case"].diagnosed_at.isoformat(),
        "hospital": "第七网格卫生室",
    },
    ("post", "/api/v1/cases/{case_id}/events"): lambda w, r: {
        "kind": "discharged",
        "at": timezone.localtime().isoformat(),
    },
    ("post", "/api/v1/cases/{case_id}/entries"): lambda w, r: {
        "kind": "home",
        "starts_at": (timezone.localtime() - dt.timedelta(hours=2)).isoformat(),
        "place": "前屯村七组12号",
    },
    ("post", "/api/v1/fever-clinic-visits"): lambda w, r: {
        "clinic": r["fever_clinic"].pk,
        "day": timezone.localdate().isoformat(),
        "visits": 4,
    },
    ("post", "/api/v1/supply-stores/{store_id}/receipts"): lambda w, r: {
        "item": r["supply_item"].pk,
        "quantity": "10",
        "on": timezone.localdate().isoformat(),
        "source": "bought",
    },
    ("post", "/api/v1/supply-stores/{store_id}/issues"): lambda w, r: {
        "item": r["supply_item"].pk,
        "quantity": "10",
        "on": timezone.localdate().isoformat(),
        "approver": "七组审批",
        "recipient": "七组小学",
    },
    ("post", "/api/v1/supply-stores/{store_id}/transfers"): lambda w, r: {
        "item": r["supply_item"].pk,
        "quantity": "10",
        "on": timezone.localdate().isoformat(),
        "target": r["store"].__class__.objects.get(name="前屯村物资点").pk,
    },
    ("post", "/api/v1/supply-stores/{store_id}/stocktakes"): lambda w, r: {
        "item": r["supply_item"].pk,
        "counted": "90",
        "on": timezone.localdate().isoformat(),
    },
    ("post", "/api/v1/disinfection-places/{place_id}/entries"): lambda w, r: {
        "started_at": _an_hour_ago(),
        "ended_at": _an_hour_ago(),
        "agent": "84消毒液",
        "method": "spray",
        "done_by": "李师傅",
    },
    ("post", "/api/v1/cases/{case_id}/decisions"): lambda w, r: {
        "decision": "close",
        "candidates": [r["candidate"].pk],
    },
    # Inspections and command of grid 07.
    ("post", "/api/v1/inspections"): lambda w, r: {
        "unit": r["kindergarten"].pk,
        "inspected_at": timezone.localtime().isoformat(),
        "inspectors": "第七网格督查员",
        "results": [{"text": "第七网格测温点", "passed": True}],
    },
    ("post", "/api/v1/inspections/reinspections"): lambda w, r: {
        "unit": r["kindergarten"].pk,
        "inspected_at": timezone.localtime().isoformat(),
        "inspectors": "第七网格督查员",
        "checks": [{"order": r["order"].pk, "passed": True}],
    },
    # Market supervision of grid 07 (its pharmacy, 张伟's follow-up) and of its township (gatherings).
    ("post", "/api/v1/pharmacies"): lambda w, r: {
        "node": w.grid07.code,
        "name": "第七网格二药房",
        "licence_no": "鲁AA0700002",
    },
    ("post", "/api/v1/pharmacies/{pharmacy_id}/purchases"): lambda w, r: {
        "buyer_name": "李秀英",
        "id_number": r["li"].id_number,
        "drug": "布洛芬",
        "drug_class": "fever",
    },
    ("post", "/api/v1/pharmacies/{pharmacy_id}/weekly-reports"): lambda w, r: {
        "week_start": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "fever": 1,
        "cough": 0,
        "antiviral": 0,
        "antibiotic": 0,
    },
    ("post", "/api/v1/fever-followups/{followup_id}/done"): lambda w, r: {"outcome": "第七网格已核查"},
    ("post", "/api/v1/gatherings"): lambda w, r: {
        "node": w.township.code,
        "day": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "reported": 2,
        "cancelled": 1,
    },
    ("post", "/api/v1/closures"): lambda w, r: {
        "unit": r["kindergarten"].pk,
        "reason": "第七网格停业整顿",
        "closed_at": timezone.localtime().isoformat(),
    },
    ("post", "/api/v1/closures/{closure_id}/reopen"): lambda w, r: {
        "reopened_at": timezone.localtime().isoformat()
    },
    ("post", "/api/v1/command/tasks"): lambda w, r: {
        "node": w.grid07.code,
        "title": "第七网格任务",
        "owner": "第七网格员",
        "deadline": timezone.localtime().isoformat(),
    },
    ("post", "/api/v1/command/tasks/{task_id}/status"): lambda w, r: {"status": "done"},
    ("post", "/api/v1/command/duty"): lambda w, r: {
        "node": w.grid07.code,
        "day": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
        "leader": "第七网格组长",
        "officers": "第七网格员",
    },
    ("post", "/api/v1/command/duty/{shift_id}/entries"): lambda w, r: {
        "at": (timezone.localtime() - dt.timedelta(days=1)).isoformat(),
        "text": "第七网格值班记录",
    },
    ("post", "/api/v1/command/duty/{shift_id}/handover"): lambda w, r: {"received_by": "第七网格员"},
}


def api_body(operation, schema, w, r) -> dict:
    """A body with every property the schema lists that api_values can fill."""
    ref = (
        operation.get("requestBody", {})
        .get("content", {})
        .get("application/json", {})
        .get("schema", {})
        .get("$ref")
    )
    if not ref:
        return {}
    properties = schema["components"]["schemas"][ref.rsplit("/", 1)[1]].get("properties", {})
    values = api_values(w, r)
    return {key: values[key] for key in properties if key in values}


def api_requests(w, r):
    """(method, path with grid 07's ids, body or None) of every API operation in the schema."""
    schema = Client().get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        concrete = re.sub(r"\{(\w+)\}", lambda m: str(API_IDS[m.group(1)](w, r)), path)
        for method, operation in operations.items():
            if method == "get":
                yield method, concrete, None
            else:
                extra = API_BODIES.get((method, path), lambda w, r: {})(w, r)
                yield method, concrete, {**api_body(operation, schema, w, r), **extra}


def walk_api(walk, w, r):
    walk.route = "api"
    for method, path, body in api_requests(w, r):
        if body is None:
            walk.read("get", path)
            for query in filters(w, r):
                walk.read("get", f"{path}?{query}")
        else:
            walk.write(method, path, data=body, content_type="application/json")


def walk_own_checkpoint(walk, w, r, checkpoint):
    """On duty elsewhere, grid 07's resident passes this worker's own checkpoint: the check shows the
    colour and a masked name, nothing of grid 07 (the sighting it records is the worker's own)."""
    walk.route = "own_checkpoint"
    zhang = r["zhang"]
    token = make_token(identity_for_person(zhang))
    for data in ({"id_number": zhang.id_number}, {"token": token}):
        page = walk.write(
            "post", reverse("checkpoint_verify", kwargs={"pk": checkpoint.pk}), data=data, allowed=True
        )
        api = walk.write(
            "post",
            f"/api/v1/checkpoints/{checkpoint.pk}/verify",
            data=data,
            content_type="application/json",
            allowed=True,
        )
        if page.status_code != 200 or api.status_code != 200 or zhang.masked_name not in api.json()["name"]:
            walk.fail(
                f"own checkpoint did not check 张伟: {page.status_code} {api.status_code} {api.content}"
            )


def run_walk(persona, world, grid07, strangers):
    client = Client()
    client.force_login(strangers[persona])
    walk = Walk(client, markers(persona, grid07))
    bodies = harvest(world, grid07)
    walk_pages(walk, world, grid07, bodies)
    walk_api(walk, world, grid07)
    if persona == "checkpoint_elsewhere":
        walk_own_checkpoint(walk, world, grid07, strangers["checkpoint2"])
    return walk


@pytest.mark.parametrize("persona", [*PERSONAS, VIEWER])
def test_it_shows_and_changes_nothing_of_grid_07_with_real_bodies_and_filters(
    world, grid07, strangers, persona
):
    walk = run_walk(persona, world, grid07, strangers)
    print(f"{persona}: {walk.requests} requests")
    assert walk.requests >= 400
    assert not walk.failures, "\n".join(message for _, message in walk.failures)


def test_its_bodies_are_ones_grid_07s_admin_gets_accepted(world, grid07, strangers):
    """The walk could pass with bodies every form refuses: the county admin, who may change grid 07, sees
    them change something (each in a transaction rolled back afterwards)."""
    bodies = harvest(world, grid07)
    baseline = snapshot(audit=True)
    refused = []
    for name, (url, body, user) in bodies.items():
        if name in SEARCHES:
            continue
        client = Client()
        client.force_login(user)
        with transaction.atomic():
            response = client.post(url, data=body, follow=name in PREVIEWS)
            if name in PREVIEWS:
                if PREVIEWS[name] not in text_of(response):
                    refused.append(f"{name} shows no preview")
            elif not changes(baseline, snapshot(audit=True)):
                refused.append(f"{name} {response.status_code}")
            transaction.set_rollback(True)
    assert not refused, f"bodies refused to grid 07's own users: {refused}"


def test_its_json_bodies_are_ones_grid_07s_admin_gets_accepted(world, grid07, strangers):
    """As above for the API: each write operation's body, sent by the county admin, is answered 2xx."""
    client = Client()
    client.force_login(world.county_admin)
    refused = []
    for method, path, body in api_requests(world, grid07):
        if body is None:
            continue
        with transaction.atomic():
            response = getattr(client, method)(path, data=body, content_type="application/json")
            transaction.set_rollback(True)
        if response.status_code >= 300:
            refused.append(f"{method.upper()} {path} {response.status_code} {response.content[:200]!r}")
    assert not refused, "\n".join(refused)


def test_it_reads_grid_07_inside_its_exports_documents_and_pdfs(world, grid07, strangers):
    """The walk reads downloads as a person would: the county admin finds grid 07 in the cells of each
    .xlsx, the paragraphs and tables of the .docx and the text of each PDF (not only in the raw bytes)."""
    client = Client()
    client.force_login(world.county_admin)
    names = ["export_returnees", "daily_export", "passage_export", "venue_poster_pdf", "situation_download"]
    formats = set()
    for name in names:
        for url in page_urls(name, world, grid07):
            response = client.get(url)
            assert response.status_code == 200, url
            kind, text = document_text(body_of(response))
            if kind:
                formats.add(kind)
                assert any(m in text for m in NAMES_AND_PLACES), f"{url}: no grid 07 in its {kind} text"
    assert formats == {"xlsx", "docx", "pdf"}


def identify_on_a_phone(world, grid07, phone):
    """A resident's phone, no account: name and ID number of 张伟 with this phone number."""
    zhang = grid07["zhang"]
    walk = Walk(Client(), [])
    response = walk.write(
        "post",
        reverse("resident_code_add"),
        data={"name": zhang.name, "id_number": zhang.id_number, "phone": phone},
    )
    # The code page names who is shown by their identity (the person's record on residents' phones).
    who = identity_for_person(zhang).pk
    opened = response.status_code == 302 and response["Location"].endswith(f"who={who}")
    return opened, walk.failures


def test_it_opens_a_residents_code_with_name_id_and_their_phone(world, grid07):
    """The control for the case below: the resident's own details open their code."""
    opened, _ = identify_on_a_phone(world, grid07, grid07["zhang"].phone)
    assert opened


def test_name_and_id_with_another_phone_do_not_open_grid_07s_code(world, grid07):
    opened, failures = identify_on_a_phone(world, grid07, "13900001111")
    # Opened, and the phone number on record replaced by the stranger's: both are the leak.
    assert not opened and not failures, (
        f"张伟's code opened ({opened}) on a phone that gave his name and ID but not his number; {failures}"
    )
