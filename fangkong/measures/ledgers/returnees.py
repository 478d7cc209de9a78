"""Writing a 返乡人员登记表: people matched by ID number (created, or updated where the importer may
write; someone registered elsewhere keeps their node), a screening (reason arrival) matched by (person,
arrival date) through `Screening.source_key` so that a re-import creates nothing, and a measure when
the 管控措施 column names one, with the planned end `start_measure` would compute. Everything is
worked out with a handful of queries and written with bulk inserts, with one audit row for the
import: in one transaction, or on SQLite in short chunks that are undone if the import does not finish
(fangkong.imports.batches). 10,000 rows in a few seconds."""

import datetime as dt
import re

from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Membership, Role
from fangkong.imports.batches import Writer
from fangkong.imports.reading import read_table
from fangkong.imports.results import ImportResult
from fangkong.imports.values import compact, format_date
from fangkong.imports.writing import rejected_workbook
from fangkong.lib.errors import RuleError
from fangkong.lib.masking import mask_id_number, mask_name
from fangkong.lib.sorting import natural_key
from fangkong.measures import rules
from fangkong.measures.ledgers.rows import (
    LABELS,
    LEDGER,
    MAX_CARETAKERS,
    REQUIRED,
    RETURNEE_COLUMNS,
    Returnee,
    read_returnees,
)
from fangkong.measures.models import (
    ARRIVAL_REASONS,
    Caretaker,
    CaretakerRole,
    Measure,
    QuarantineSite,
    Screening,
)
from fangkong.policy.models import Kind, Reason
from fangkong.policy.queries import policy_for
from fangkong.registry.actions import RESIDENTIAL_LEVELS
from fangkong.registry.models import DocumentType, DwellingType, Household, Person, Residence


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def source_key(person_id: int, arrived_on: dt.date | None) -> str:
    return f"returnees:{person_id}:{arrived_on.isoformat() if arrived_on else '-'}"


def measure_start(arrived_on: dt.date | None, now: dt.datetime) -> dt.datetime:
    """A ledger gives the day, not the hour: the measure counts from the start of the arrival day."""
    return min(rules.local_midnight(arrived_on), now) if arrived_on else now


class _Import:
    """What the import will do, worked out with a handful of queries; `write` does it."""

    def __init__(self, *, actor, node: Jurisdiction, returnees: list[Returnee], result: ImportResult, now):
        self.actor, self.node, self.result, self.now = actor, node, result, now
        self.returnees = returnees
        self._writable: dict[int, bool] = {}
        self._policies: dict[tuple[int, dt.date], object] = {}
        self._staff: dict[int, dict[str, list[tuple[object, str]]]] = {}
        self.new_people: list[tuple[Returnee, Person]] = []
        self.changed_people: list[Person] = []
        self.new_screenings: list[tuple[Returnee, Screening]] = []
        self.changed_screenings: list[Screening] = []
        self.new_measures: list[tuple[Returnee, Screening, Measure, list[tuple[object, str]]]] = []
        self.households: dict[str, Household | None] = {}
        self.rooms: list = []
        self.taken: dict[int, int] = {}  # room id → beds taken
        self._prefetch()
        for returnee in returnees:
            self._plan(returnee)

    def _prefetch(self) -> None:
        ids = [r.person["id_number"] for r in self.returnees]
        self.people: dict[str, Person] = {}
        for chunk in _chunks(ids):
            for person in Person.objects.filter(
                document_type=DocumentType.RESIDENT_ID, id_number__in=chunk
            ).select_related("node"):
                self.people[person.id_number] = person
        person_ids = [p.pk for p in self.people.values()]
        self.screenings: dict[tuple, Screening] = {}
        self.measured: dict[int, str] = {}  # screening id → kind of its latest measure
        self.active: dict[int, Measure] = {}  # person id → active measure
        for chunk in _chunks(person_ids):
            arrivals = Screening.objects.filter(person_id__in=chunk, reason__in=ARRIVAL_REASONS)
            for s in arrivals.select_related("node"):
                if s.source_key:
                    self.screenings[("key", s.source_key)] = s
                if s.arrived_on:
                    self.screenings.setdefault(("day", s.person_id, s.arrived_on), s)
            for m in Measure.objects.filter(person_id__in=chunk).order_by("started_at"):
                if m.screening_id:
                    self.measured[m.screening_id] = m.kind
                if m.released_at is None:
                    self.active[m.person_id] = m
        addresses = {r.address for r in self.returnees if r.address}
        for chunk in _chunks(sorted(addresses)):
            for household in Household.objects.filter(node=self.node, address__in=chunk):
                self.households.setdefault(household.address, household)
        if any(r.kind == Kind.CENTRAL_QUARANTINE for r in self.returnees):
            self.rooms = self._rooms()

    def writable(self, node: Jurisdiction) -> bool:
        if node.pk not in self._writable:
            self._writable[node.pk] = scoping.can(self.actor, scoping.WRITE, node)
        return self._writable[node.pk]

    def policy(self, node: Jurisdiction, day: dt.date):
        """policy_for once per node and start day, not once per row."""
        if (node.pk, day) not in self._policies:
            self._policies[(node.pk, day)] = policy_for(node, day)
        return self._policies[(node.pk, day)]

    def _plan(self, r: Returnee) -> None:
        id_label = LABELS["id_number"]
        person = self.people.get(r.person["id_number"])
        changes: list[str] = []
        if person is None:
            person = Person(node=self.node, **r.person)
            self.new_people.append((r, person))
            if r.address and r.address not in self.households:
                self.households[r.address] = None  # to be created
            home = self.node
            status = "created"
            changes.append("新增人员")
        else:
            status = "unchanged"
            home = person.node if self.writable(person.node) else self.node
            if home.pk != person.node_id:
                self.result.warn(
                    r.row,
                    id_label,
                    f"该人员已在其他辖区登记，未修改其登记信息；排查和措施记在{self.node.name}",
                )
            else:
                if r.person["phone"] and r.person["phone"] != person.phone:
                    person.phone, person.phone_last4 = r.person["phone"], r.person["phone_last4"]
                    person.version, person.updated_at = F("version") + 1, self.now
                    self.changed_people.append(person)
                    changes.append("更新电话")
                if r.person["name"] != person.name:
                    self.result.warn(
                        r.row,
                        LABELS["name"],
                        f"与已登记的姓名（{mask_name(person.name)}）不一致，未修改姓名，请核实",
                    )
        screening = self._screening(r, person, home, changes)
        if r.kind:
            self._measure(r, person, screening, changes)
        if changes and status == "unchanged":
            status = "updated"
        setattr(self.result, status, getattr(self.result, status) + 1)
        self.result.plan.append(
            {
                "row": r.row,
                "name": mask_name(r.person["name"]),
                "id_number": mask_id_number(r.person["id_number"]),
                "status": status,
                "changes": "、".join(changes) or "无变化",
            }
        )

    def _screening(self, r: Returnee, person: Person, home: Jurisdiction, changes: list[str]) -> Screening:
        found = None
        if person.pk:
            found = self.screenings.get(("key", source_key(person.pk, r.arrived_on)))
            if found is None and r.arrived_on:
                found = self.screenings.get(("day", person.pk, r.arrived_on))
        values = {
            "origin_text": r.origin_text,
            "origin_province": r.place.province,
            "origin_city": r.place.city,
            "origin_county": r.place.county,
            "departed_on": r.departed_on,
            "transport": r.transport,
            "trip_number": r.trip_number,
            "route": r.route,
            "notes": r.notes,
        }
        if found is not None:
            # A screening an earlier import wrote follows the ledger; one typed in by hand is kept.
            if found.source_key.startswith("returnees:") and any(
                getattr(found, k) != v for k, v in values.items()
            ):
                for k, v in values.items():
                    setattr(found, k, v)
                self.changed_screenings.append(found)
                changes.append("更新排查信息")
            return found
        screened_on = r.arrived_on or self.now.astimezone(rules.SHANGHAI).date()
        screening = Screening(
            person=person,
            node=home,
            reason=Reason.ARRIVAL,
            screened_on=screened_on,
            reference_date=screened_on,
            arrived_on=r.arrived_on,
            recorded_by=self.actor,
            **values,
        )
        self.new_screenings.append((r, screening))
        changes.append("新增排查")
        return screening

    def _measure(self, r: Returnee, person: Person, screening: Screening, changes: list[str]) -> None:
        column = LABELS["measure"]
        if screening.pk and screening.pk in self.measured:
            if self.measured[screening.pk] != r.kind:
                self.result.warn(
                    r.row,
                    column,
                    f"系统中该次返乡已有措施（{Kind(self.measured[screening.pk]).label}），未按表格修改；"
                    "如需变更请在系统中转换措施",
                )
            return
        if person.pk in self.active:
            self.result.warn(
                r.row,
                column,
                f"该人员已有在管措施（{self.active[person.pk].get_kind_display()}），未新增措施",
            )
            return
        room = None
        if r.kind == Kind.CENTRAL_QUARANTINE:
            room = self._room(r.measure_text)
            if room is None:
                self.result.warn(
                    r.row,
                    column,
                    "集中隔离须指定隔离点和房间：表格中未写明可用的隔离点和房间号，未建立措施，请在系统中安排",
                )
                return
        started_at = measure_start(r.arrived_on, self.now)
        in_force = self.policy(screening.node, started_at.astimezone(rules.SHANGHAI).date())
        end, days = None, None
        if r.kind != Kind.HOSPITAL:
            end, days = rules.planned_end(
                kind=r.kind,
                reason=screening.reason,
                reference_date=screening.reference_date,
                started_at=started_at,
                policy=in_force.values,
            )
        if end is not None and end <= self.now:
            self.result.warn(
                r.row,
                column,
                f"按政策观察期已于{format_date(end.astimezone(rules.SHANGHAI).date())}期满，请核实后解除",
            )
        measure = Measure(
            person=person,
            screening=screening,
            node=screening.node,
            kind=r.kind,
            started_at=started_at,
            planned_end=end,
            period_days=days,
            policy=in_force.policy,
            policy_label=in_force.label,
            room=room,
            recorded_by=self.actor,
        )
        self.new_measures.append((r, screening, measure, self._caretakers(r, screening.node)))
        changes.append(f"新增措施：{Kind(r.kind).label}")

    def _rooms(self) -> list:
        """Rooms of the active sites the importer can see, with how many beds are taken now."""
        sites = scoping.visible_to(
            self.actor, QuarantineSite.objects.filter(active=True), path_field="node__path"
        ).prefetch_related("rooms")
        for room_id in Measure.objects.filter(room__site__in=sites, released_at=None).values_list(
            "room_id", flat=True
        ):
            self.taken[room_id] = self.taken.get(room_id, 0) + 1
        return [(site, room) for site in sites for room in site.rooms.all()]

    def _room(self, measure_text: str):
        """集中隔离（如家酒店 305）: a visible site named in the text and one of its rooms with a free bed."""
        words = compact(measure_text)
        for site, room in sorted(self.rooms, key=lambda sr: -len(sr[0].name)):
            if site.name in words and re.search(
                rf"(?<![0-9A-Za-z]){re.escape(room.number)}(?![0-9A-Za-z])", words
            ):
                if self.taken.get(room.pk, 0) < room.capacity:
                    self.taken[room.pk] = self.taken.get(room.pk, 0) + 1
                    return room
        return None

    def _caretakers(self, r: Returnee, node: Jurisdiction) -> list[tuple[object, str]]:
        """Names in 包保责任人 matched to staff who can see the node (assign_caretaker's rule)."""
        found: list[tuple[object, str]] = []
        staff = self._staff_at(node)
        for name, hint in r.caretakers:
            matches = {user.pk: (user, role) for user, role in staff.get(name, [])}
            if len(matches) != 1:
                reason = "不是本辖区的工作人员账号" if not matches else "有多个同名工作人员账号"
                self.result.warn(r.row, LABELS["caretakers"], f"“{name}”{reason}，未指定为包保责任人")
                continue
            user, role = next(iter(matches.values()))
            if any(u.pk == user.pk for u, _ in found):
                continue
            if len(found) >= MAX_CARETAKERS:
                self.result.warn(
                    r.row, LABELS["caretakers"], f"每人最多{MAX_CARETAKERS}名包保责任人，“{name}”未指定"
                )
                continue
            found.append((user, hint or role))
        return found

    def _staff_at(self, node: Jurisdiction) -> dict[str, list[tuple[object, str]]]:
        if node.pk not in self._staff:
            index: dict[str, list[tuple[object, str]]] = {}
            codes = node.path.strip("/").split("/")
            for m in Membership.objects.filter(node__code__in=codes, user__is_active=True).select_related(
                "user"
            ):
                role = CaretakerRole.GRID_WORKER if m.role == Role.GRID_WORKER else CaretakerRole.CADRE
                user = m.user
                for name in {user.first_name, user.last_name + user.first_name, user.get_username()}:
                    if name:
                        index.setdefault(name, []).append((user, role))
            self._staff[node.pk] = index
        return self._staff[node.pk]

    def write(self, writer: Writer) -> None:
        """Everything, through the writer: in one transaction, or in chunks it can undo (SQLite)."""
        new_addresses = [a for a, h in self.households.items() if h is None]
        for household in writer.create(
            Household,
            [
                Household(
                    node=self.node, address=a, address_key=natural_key(a), dwelling_type=DwellingType.OTHER
                )
                for a in new_addresses
            ],
        ):
            self.households[household.address] = household
        for r, person in self.new_people:
            person.household = self.households.get(r.address)
            person.created_at = self.now
        writer.create(Person, [p for _, p in self.new_people])
        writer.create(
            Residence,
            [
                Residence(
                    person=p, node=p.node, household=p.household, started_at=self.now, recorded_by=self.actor
                )
                for _, p in self.new_people
            ],
        )
        writer.update(Person, self.changed_people, ["phone", "phone_last4", "version", "updated_at"])
        for _, screening in self.new_screenings:
            screening.source_key = source_key(screening.person.pk, screening.arrived_on)
        writer.create(Screening, [s for _, s in self.new_screenings])
        writer.update(
            Screening,
            self.changed_screenings,
            ["origin_text", "origin_province", "origin_city", "origin_county", "departed_on"]
            + ["transport", "trip_number", "route", "notes"],
        )
        writer.create(Measure, [m for _, _, m, _ in self.new_measures])
        writer.create(
            Caretaker,
            [
                Caretaker(measure=m, user=u, role=role)
                for _, _, m, people in self.new_measures
                for u, role in people
            ],
        )


def import_returnees(
    *,
    actor,
    node: Jurisdiction,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    strict: bool = False,
    request=None,
    today: dt.date | None = None,
) -> ImportResult:
    """Read a 返乡人员登记表 and write it (unless `dry_run`, or `strict` and a row was rejected)."""
    if node.level not in RESIDENTIAL_LEVELS:
        raise RuleError({"node": "请选择村（社区）或网格"})
    if not scoping.can(actor, scoping.WRITE, node):
        raise RuleError({"node": "无权在该辖区登记"}, code="forbidden")
    now = timezone.now()
    today = today or now.astimezone(rules.SHANGHAI).date()
    table = read_table(data, filename, RETURNEE_COLUMNS, required=REQUIRED)
    result = ImportResult(rows=len(table.rows), dry_run=dry_run, table=table)
    returnees = read_returnees(table, result, today=today)
    if dry_run:
        _Import(actor=actor, node=node, returnees=returnees, result=result, now=now)
        return result
    if strict and result.rejected:
        result.refused = f"有{len(result.rejected_rows)}行未通过校验，按 --strict 要求未写入任何数据"
        return result
    writer = Writer(ledger=LEDGER, actor=actor, node_path=node.path)
    try:
        # In one transaction the plan is worked out inside it, so that what it matched is what it writes
        # over. In chunks (SQLite) it is worked out before taking the write lock; someone registering the
        # same ID number meanwhile fails a chunk on the unique number, and the batch is undone.
        with writer.writing():
            plan = _Import(actor=actor, node=node, returnees=returnees, result=result, now=now)
            plan.write(writer)
            writer.finish(
                lambda: record(
                    actor=actor,
                    action=Action.IMPORT,
                    target=node,
                    node_path=node.path,
                    request=request,
                    ledger=LEDGER,
                    filename=filename[:200],
                    rows=result.rows,
                    created=result.created,
                    updated=result.updated,
                    unchanged=result.unchanged,
                    rejected=len(result.rejected_rows),
                    screenings=len(plan.new_screenings),
                    measures=len(plan.new_measures),
                )
            )
    except IntegrityError:
        raise RuleError(
            {"file": "导入期间有人登记了表中的同一证件号码，未写入任何数据，请重新导入"}
        ) from None
    result.written = True
    return result


def rejected_rows_workbook(*, data: bytes, filename: str, today: dt.date | None = None) -> bytes | None:
    """The rows of a file that would be rejected, as a workbook to fix and import again (None when
    every row passes). Needs no database: the row rules do not depend on what is registered."""
    table = read_table(data, filename, RETURNEE_COLUMNS, required=REQUIRED)
    result = ImportResult(rows=len(table.rows), table=table)
    read_returnees(table, result, today=today or timezone.localdate())
    if not result.rejected:
        return None
    return rejected_workbook(table, result.rejected_rows, title=f"{LEDGER}（未导入的行，改正后可重新导入）")
