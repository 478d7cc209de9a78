"""Writes for venues (场所). Keyword-only arguments, a required actor whose right to write at the venue's
node is checked, one transaction with its audit row.

A venue's `code` is the only thing its poster's QR code carries (`/r/v/<code>/`): it is random and
unguessable so that nobody can check in at venues they have never been to by walking through ids, and
it never changes, so that a printed poster stays valid for the venue's life.

Writes for check-ins (扫码登记): a resident scanning a venue's poster on their phone, for themselves and
family members, a venue kiosk posting one scan, a device uploading a batch.

Rules:
- A second scan of the same person at the same venue within DUPLICATE_WINDOW of an open check-in is the
  same check-in (people scan twice when the page is slow, or at the door and again at the till).
- Device uploads carry a `client_id`: sending the same item again creates nothing and answers with the
  same check-in id, so a kiosk can retry after a lost answer without counting anyone twice.
- A batch is not all-or-nothing: each item is checked on its own and the invalid ones come back by index
  with their reasons while the valid ones are written (a kiosk that lost its network for an hour should
  not lose 200 scans for one mistyped ID number).

- A check-in that shows a red code alerts at once the caretakers of the person's measure and the area of
  the venue (measures.actions.raise_outing_alert: 居家隔离期间擅自外出), once per check-in, so a retried or
  repeated scan raises no second alert. Only where the colour is computed: the phone and the kiosk (a
  batch of past scans has no colour).

Check-ins are not written to the audit log: they are the resident's own record, and an audit row per
scan would keep people's whereabouts beyond the retention period that the purge enforces."""

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.api_auth import note_token_use, user_for_token
from fangkong.grid.models import Jurisdiction, Level
from fangkong.healthcodes import colours, identity
from fangkong.healthcodes.models import Colour, Identity
from fangkong.lib import idcard
from fangkong.lib.errors import RuleError
from fangkong.lib.group_commit import GroupCommit
from fangkong.lib.phones import InvalidPhone, normalize_phone
from fangkong.measures import actions as measure_actions
from fangkong.venues import sql
from fangkong.venues.models import CheckIn, Venue, VenueKind
from fangkong.venues.queries import retention_days

# A market belongs to a township, a school to a county, a shop to a grid: any node from the county down.
VENUE_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GRID)
MAX_DWELL_MINUTES = 24 * 60
CODE_BYTES = 12  # 16 URL-safe characters, 96 random bits


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def _clean(
    *,
    node: Jurisdiction,
    name: str,
    kind: str,
    address: str,
    contact_name: str,
    contact_phone: str,
    dwell_minutes: int | None,
    venue: Venue | None = None,
) -> dict:
    """The venue's fields, normalised, or a RuleError with every reason at once."""
    errors: dict[str, str] = {}
    if node.level not in VENUE_LEVELS:
        errors["node"] = "场所须属于县（区）、乡镇（街道）、村（社区）或网格"
    name = (name or "").strip()
    if not name:
        errors["name"] = "场所名称不能为空"
    else:
        same = Venue.objects.filter(node=node, name=name, active=True)
        if venue is not None:
            same = same.exclude(pk=venue.pk)
        if same.exists():
            errors["name"] = "该辖区已有同名场所"
    if kind not in VenueKind.values:
        errors["kind"] = "请选择场所类型"
    phone = ""
    if (contact_phone or "").strip():
        try:
            phone = normalize_phone(contact_phone)
        except InvalidPhone as exc:
            errors["contact_phone"] = f"联系电话：{exc}"
    if dwell_minutes is not None and not 1 <= dwell_minutes <= MAX_DWELL_MINUTES:
        errors["dwell_minutes"] = f"默认停留时间应在1至{MAX_DWELL_MINUTES}分钟之间，留空则按政策默认值"
    if errors:
        raise RuleError(errors)
    return {
        "node": node,
        "name": name,
        "kind": kind,
        "address": (address or "").strip(),
        "contact_name": (contact_name or "").strip(),
        "contact_phone": phone,
        "dwell_minutes": dwell_minutes or None,
    }


@transaction.atomic
def create_venue(
    *,
    actor,
    node: Jurisdiction,
    name: str,
    kind: str,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    dwell_minutes: int | None = None,
    request=None,
) -> Venue:
    scoping.require(actor, scoping.WRITE, node, "无权在该辖区登记场所", field="node")
    fields = _clean(
        node=node,
        name=name,
        kind=kind,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
        dwell_minutes=dwell_minutes,
    )
    venue = Venue.objects.create(code=new_code(), **fields)
    record(actor=actor, action=Action.CREATE, target=venue, node_path=node.path, request=request)
    return venue


@transaction.atomic
def update_venue(
    *,
    actor,
    venue: Venue,
    node: Jurisdiction,
    name: str,
    kind: str,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    dwell_minutes: int | None = None,
    request=None,
) -> Venue:
    """Change a venue's details; moving it to another node needs the right to write at both. The code
    (and so the printed poster) stays the same."""
    scoping.require(actor, scoping.WRITE, venue.node, "无权修改该场所", field="node")
    if node.pk != venue.node_id:
        scoping.require(actor, scoping.WRITE, node, "无权将场所移至该辖区", field="node")
    fields = _clean(
        node=node,
        name=name,
        kind=kind,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
        dwell_minutes=dwell_minutes,
        venue=venue,
    )
    changed = sorted(key for key, value in fields.items() if getattr(venue, key) != value)
    for key, value in fields.items():
        setattr(venue, key, value)
    venue.save()
    record(
        actor=actor,
        action=Action.UPDATE,
        target=venue,
        node_path=venue.node.path,
        request=request,
        changed=changed,
    )
    return venue


@transaction.atomic
def set_venue_active(*, actor, venue: Venue, active: bool, request=None) -> Venue:
    """Deactivate a venue (closed, moved away): its poster stops accepting check-ins; the check-ins it
    has are kept until their retention period ends. Reactivating checks the name is still free."""
    scoping.require(actor, scoping.WRITE, venue.node, "无权修改该场所", field="node")
    if active and not venue.active:
        if Venue.objects.filter(node=venue.node, name=venue.name, active=True).exists():
            raise RuleError({"name": "该辖区已有同名场所，请先修改名称"})
    if venue.active != active:
        venue.active = active
        venue.save(update_fields=["active"])
        record(
            actor=actor,
            action=Action.UPDATE,
            target=venue,
            node_path=venue.node.path,
            request=request,
            active=active,
        )
    return venue


DUPLICATE_WINDOW = dt.timedelta(minutes=5)
FUTURE_TOLERANCE = dt.timedelta(minutes=5)  # a device clock a little ahead of the server's
MAX_BATCH = 500
MAX_PEOPLE_AT_ONCE = 10  # one phone checking in a family


class Source:
    PHONE = "phone"
    KIOSK = "kiosk"
    BATCH = "batch"


@dataclass
class Recorded:
    checkin: CheckIn
    duplicate: bool  # an earlier scan within the window: nothing new was written
    code: object = None  # colours.CodeResult when the colour was computed


def _open_checkin_near(venue: Venue, person: Identity, at: dt.datetime) -> CheckIn | None:
    """A check-in of this person at this venue within the window around `at` that was still open then."""
    return (
        CheckIn.objects.filter(
            venue=venue,
            identity=person,
            at__gt=at - DUPLICATE_WINDOW,
            at__lt=at + DUPLICATE_WINDOW,
        )
        .filter(Q(checked_out_at__isnull=True) | Q(checked_out_at__gt=at))
        .order_by("at")
        .first()
    )


def _alert_if_red(*, actor, checkin: CheckIn, person: Identity, colour: str, venue: Venue) -> None:
    """A red code at a venue: someone who should not be out (see the module's docstring)."""
    if colour != Colour.RED or person.person_id is None:
        return
    measure_actions.raise_outing_alert(
        actor=actor,
        person=person.person,
        at=checkin.at,
        place=venue.node,
        place_name=venue.name,
        reference=f"checkin:{checkin.pk}",
    )


@transaction.atomic
def check_in(
    *,
    actor,
    venue: Venue,
    people: list[Identity],
    scanned_by: Identity | None = None,
    at: dt.datetime | None = None,
    source: str = Source.PHONE,
    with_colour: bool = True,
) -> list[Recorded]:
    """Check these people in at the venue. `actor` is None for a resident on their own phone; a staff
    account (a kiosk's token) must be able to write at the venue's node. `scanned_by` is the phone's
    owner when they check in someone else (a child, an elderly parent)."""
    if actor is not None and not scoping.can(actor, scoping.WRITE, venue.node):
        raise RuleError({"venue": "场所不存在或无权登记"}, code="forbidden")
    if not venue.active:
        raise RuleError({"venue": "该场所码已停用"})
    if not people:
        raise RuleError({"people": "请选择要登记的人员"})
    if len(people) > MAX_PEOPLE_AT_ONCE:
        raise RuleError({"people": f"一次最多为{MAX_PEOPLE_AT_ONCE}人登记"})
    at = at or timezone.now()
    # One person's scans are serialised (two taps at once must not make two check-ins).
    list(Identity.objects.select_for_update().filter(pk__in=[p.pk for p in people]).values_list("pk"))
    recorded = []
    for person in people:
        code = colours.colour_of(person, at=at) if with_colour else None
        existing = _open_checkin_near(venue, person, at)
        if existing is not None:
            recorded.append(Recorded(checkin=existing, duplicate=True, code=code))
            continue
        checkin = CheckIn.objects.create(
            venue=venue,
            identity=person,
            at=at,
            scanned_by=scanned_by if scanned_by is not None and scanned_by.pk != person.pk else None,
            source=source,
            colour_shown=code.colour if code is not None else "",
        )
        _alert_if_red(actor=actor, checkin=checkin, person=person, colour=checkin.colour_shown, venue=venue)
        recorded.append(Recorded(checkin=checkin, duplicate=False, code=code))
    return recorded


@transaction.atomic
def check_out(*, checkins: list[CheckIn], at: dt.datetime | None = None) -> int:
    """Record leaving. Check-ins already closed keep their time. Returns how many were closed now."""
    at = at or timezone.now()
    return CheckIn.objects.filter(
        pk__in=[c.pk for c in checkins], checked_out_at__isnull=True, at__lte=at
    ).update(checked_out_at=at)


# ── device uploads ───────────────────────────────────────────────────────────────────────────────────
@dataclass
class Item:
    """One scan as a device sends it."""

    client_id: str
    venue_code: str
    id_number: str
    name: str
    phone: str = ""
    at: dt.datetime | None = None


@dataclass
class ItemOutcome:
    index: int
    client_id: str
    checkin: CheckIn | None = None
    duplicate: bool = False
    errors: dict[str, str] = field(default_factory=dict)


class _Venues:
    """The venues a batch names, looked up once each and checked against the actor's area."""

    def __init__(self, actor):
        self.actor, self.found = actor, {}

    def get(self, code: str) -> Venue:
        if code not in self.found:
            venue = Venue.objects.select_related("node").filter(code=code).first()
            if venue is not None and not scoping.can(self.actor, scoping.WRITE, venue.node):
                venue = None  # the same answer as for a code that does not exist
            self.found[code] = venue
        venue = self.found[code]
        if venue is None:
            raise RuleError({"venue_code": "场所码不存在或无权登记"})
        if not venue.active:
            raise RuleError({"venue_code": "该场所码已停用"})
        return venue


def _check_time(at: dt.datetime | None, venue: Venue, now: dt.datetime) -> dt.datetime:
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)  # a device's local clock: Asia/Shanghai
    if at > now + FUTURE_TOLERANCE:
        raise RuleError({"at": "扫码时间不能晚于当前时间"})
    days = retention_days(venue.node, timezone.localdate(now))
    if at < now - dt.timedelta(days=days):
        raise RuleError({"at": f"扫码时间已超过{days}天的保存期限，不再接收"})
    return at


def _same_scan(checkin: CheckIn, item: Item, venue_code: str) -> bool:
    return checkin.venue.code == venue_code and checkin.identity.id_number == idcard.normalize(
        item.id_number or ""
    )


def _record_item(
    actor, venues: _Venues, item: Item, index: int, source: str, now, with_colour
) -> ItemOutcome:
    outcome = ItemOutcome(index=index, client_id=(item.client_id or "").strip())
    if not outcome.client_id:
        raise RuleError({"client_id": "client_id 不能为空"})
    if len(outcome.client_id) > 64:
        raise RuleError({"client_id": "client_id 不能超过64个字符"})
    venue_code = (item.venue_code or "").strip()
    earlier = (
        CheckIn.objects.select_related("venue__node", "identity").filter(client_id=outcome.client_id).first()
    )
    if earlier is not None:
        # A retry: answer as the first time, provided it is the same scan.
        if not _same_scan(earlier, item, venue_code) or not scoping.can(
            actor, scoping.WRITE, earlier.venue.node
        ):
            raise RuleError({"client_id": "该 client_id 已用于另一条扫码记录"})
        outcome.checkin, outcome.duplicate = earlier, True
        return outcome
    venue = venues.get(venue_code)
    at = _check_time(item.at, venue, now)
    person = identity.identify(id_number=item.id_number, name=item.name, phone=item.phone)
    existing = _open_checkin_near(venue, person, at)
    if existing is not None:
        outcome.checkin, outcome.duplicate = existing, True
        return outcome
    colour = colours.colour_of(person, at=at).colour if with_colour else ""
    try:
        with transaction.atomic():
            outcome.checkin = CheckIn.objects.create(
                venue=venue,
                identity=person,
                at=at,
                source=source,
                client_id=outcome.client_id,
                colour_shown=colour,
            )
            _alert_if_red(actor=actor, checkin=outcome.checkin, person=person, colour=colour, venue=venue)
    except IntegrityError:
        # The same item arrived twice at once (a retry racing the original): the other one won.
        outcome.checkin, outcome.duplicate = CheckIn.objects.get(client_id=outcome.client_id), True
    return outcome


def check_batch_size(count: int) -> None:
    if count == 0:
        raise RuleError({"items": "没有要登记的扫码记录"})
    if count > MAX_BATCH:
        raise RuleError({"items": f"一次最多上传{MAX_BATCH}条，现为{count}条"})


@transaction.atomic
def record_checkins(
    *, actor, items: list[Item], source: str = Source.BATCH, with_colour: bool = False
) -> list[ItemOutcome]:
    """Write a device's scans. Each item is its own savepoint: invalid ones come back with their reasons
    (field → Chinese reason) by index, valid ones are written. `with_colour`: a kiosk shows the colour at
    the door, so it is computed and kept with the check-in; a batch of past scans has none. Retrying the same items
    is harmless, and so is an item sent twice in one batch: the second answers with the first's id."""
    if not scoping.nodes_with(actor, scoping.WRITE):
        raise RuleError({"__all__": "该账号无权登记扫码记录"}, code="forbidden")
    check_batch_size(len(items))
    now, venues, outcomes = timezone.now(), _Venues(actor), []
    for index, item in enumerate(items):
        client_id = (item.client_id or "").strip()
        try:
            with transaction.atomic():
                outcomes.append(_record_item(actor, venues, item, index, source, now, with_colour))
        except RuleError as exc:
            outcomes.append(ItemOutcome(index=index, client_id=client_id, errors=exc.errors))
    return outcomes


# ── a kiosk's scans, the common case ─────────────────────────────────────────────────────────────────
# A kiosk at a door sends one scan at a time and shows the colour. Nearly all are the common case
# (sql.py): a known resident, an active venue in the token's area, nothing within the duplicate
# window. Those are written together with the other kiosks' scans of the same moment (group commit),
# the token checked in the same statement. What the statement does not write goes the way of every
# other write, record_checkins, which has the rules and the reasons.


def _write_scans(scans: list[sql.Scan]) -> list[sql.Written | None]:
    written = sql.insert_scans(
        scans,
        at=timezone.now(),
        source=Source.KIOSK,
        window=DUPLICATE_WINDOW,
        write_roles=scoping.roles_with(scoping.WRITE),
    )
    return [written.get(scan.client_id) for scan in scans]


def _must_not_share_a_batch(a: sql.Scan, b: sql.Scan) -> bool:
    # Within one statement two scans cannot see each other: a duplicate, or a retry, waits for the next.
    return a.client_id == b.client_id or (a.venue_code, a.id_number) == (b.venue_code, b.id_number)


_kiosk_scans = GroupCommit(_write_scans, conflicts=_must_not_share_a_batch)


@dataclass(frozen=True)
class Scanned:
    """A kiosk's scan written in the common case: what the kiosk is answered."""

    id: int
    client_id: str
    venue_code: str
    venue_name: str
    at: dt.datetime
    name: str
    colour: str


def write_common_scan(*, token, item: Item) -> Scanned | None:
    """Write a kiosk's scan if it is the common case, `token` (an UncheckedToken) checked with it; None
    when it is not (nothing written: the caller authenticates and calls record_checkins).

    For a request in autocommit (the API's): the scan may be written on another request's connection,
    in its statement, so it would not be part of a transaction the caller holds."""
    client_id = (item.client_id or "").strip()
    if item.at is not None or not client_id or len(client_id) > 64:
        return None
    try:
        phone = normalize_phone(item.phone)
    except InvalidPhone:
        return None
    name = identity.clean_name(item.name)
    scan = sql.Scan(
        client_id=client_id,
        token_digest=token.digest,
        venue_code=(item.venue_code or "").strip(),
        id_number=idcard.normalize(item.id_number or ""),
        name=name,
        phone=phone,
    )
    written = _kiosk_scans.write(scan)
    if written is None:
        return None
    at = written.at
    note_token_use(scan.token_digest, at)
    colour = written.colour_shown
    if not colour:  # the resident has records: the rules decide
        person = Identity.objects.select_related("person__node").get(pk=written.identity_id)
        colour = colours.colour_of(person, at=at).colour
        CheckIn.objects.filter(pk=written.id).update(colour_shown=colour)
        if colour == Colour.RED:  # not the common case: the plainly green scans never come here
            _alert_if_red(
                actor=user_for_token(token.raw),
                checkin=CheckIn(pk=written.id, at=at),
                person=person,
                colour=colour,
                venue=Venue.objects.select_related("node").get(pk=written.venue_id),
            )
    return Scanned(
        id=written.id,
        client_id=client_id,
        venue_code=scan.venue_code,
        venue_name=written.venue_name,
        at=at,
        name=name,
        colour=colour,
    )
