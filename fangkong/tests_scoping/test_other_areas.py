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

To extend: a new page route goes into ROUTES (apps/<app>.py, the app's part of every table here) and is
walked here too; its POST body is harvested from the page that shows its form, and BODIES adds what a
form cannot say (or the whole body when no page shows one). New API operations are read from the schema;
api_values fills their fields by name and API_BODIES adds what it cannot. The two "accepted" tests below
fail when a body is one that even grid 07's own admin would be refused, so the walk cannot pass by sending
junk.
"""

import datetime as dt
import re
from urllib.parse import parse_qsl, urlsplit

import lxml.html
import pytest
from django.apps import apps
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
from fangkong.measures import actions as measure_actions
from fangkong.registry import actions as registry_actions

from .apps import API_BODIES, API_IDS, BODIES, BODY_URLS, MORE_URLS, PREVIEWS, ROUTES
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
# The dashboard keeps the figures of closed days it counted (reporting.KeptFigures): a cache, no record.
NOT_COMPARED_MODELS = {
    "healthcodes.VerificationCount",
    "healthcodes.IdentifyAttempt",
    "reporting.KeptFigures",
}
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
