"""Reads of supplies, scoped through grid.scoping: stores by their node, movements by their store's node.
Balances at a date are sums of movements dated on or before it, worked out by the database."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core import signing
from django.db.models import Count, ExpressionWrapper, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.policy.queries import policy_for, supplies_values

from . import rules
from .models import Batch, Item, Movement, MovementKind, Stock, Store, SupplySource

ZERO = Decimal("0")


def stores_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[Store]:
    return scoping.visible_to(
        user, Store.objects.select_related("node", "unit"), path_field="node__path", capability=capability
    )


def movements_visible_to(user) -> QuerySet[Movement]:
    return scoping.visible_to(
        user,
        Movement.objects.select_related("store", "item", "batch", "recipient_unit", "other_store"),
        path_field="store__node__path",
    )


def access_store(user, pk, *, write: bool = False) -> Store:
    return scoping.access(
        user, Store.objects.select_related("node", "unit"), pk, path_field="node__path", write=write
    )


def access_movement(user, pk) -> Movement:
    return scoping.access(
        user, Movement.objects.select_related("store", "item"), pk, path_field="store__node__path"
    )


def items() -> QuerySet[Item]:
    """The catalogue of items is shared by every area (a mask is a mask everywhere)."""
    return Item.objects.all()


def in_subtree(path: str) -> Q:
    return Q(store__node__path__startswith=path)


def balances(where: Q, day: dt.date) -> dict[tuple[int, int], Decimal]:
    """(store id, item id) → balance at the end of `day`, for the movements `where` selects."""
    rows = (
        Movement.objects.filter(where, on__lte=day)
        .order_by()
        .values("store_id", "item_id")
        .annotate(total=Sum("quantity"))
    )
    return {(r["store_id"], r["item_id"]): r["total"] for r in rows}


def used(where: Q, day: dt.date, days: int) -> dict[tuple[int, int], Decimal]:
    """(store id, item id) → quantity issued (领用) in the `days` days ending with `day`."""
    since = day - dt.timedelta(days=days - 1)
    rows = (
        Movement.objects.filter(where, kind=MovementKind.ISSUE, on__gte=since, on__lte=day)
        .order_by()
        .values("store_id", "item_id")
        .annotate(total=Sum("quantity"))
    )
    return {(r["store_id"], r["item_id"]): -r["total"] for r in rows}


def batch_holdings(where: Q, day: dt.date) -> dict[tuple[int, int], Decimal]:
    """(store id, batch id) → quantity of the batch held at the end of `day`."""
    rows = (
        Movement.objects.filter(where, on__lte=day, batch__isnull=False)
        .order_by()
        .values("store_id", "batch_id")
        .annotate(total=Sum("quantity"))
    )
    return {(r["store_id"], r["batch_id"]): r["total"] for r in rows}


@dataclass
class Line:
    """One store's balance of one item, with its use and alerts."""

    store: Store
    item: Item
    balance: Decimal
    used: Decimal
    days_of_supply: Decimal | None
    low: bool


@dataclass
class ItemTotal:
    item: Item
    balance: Decimal
    used: Decimal
    days_of_supply: Decimal | None
    stores: int
    low_stores: int


@dataclass
class Expiring:
    store: Store
    batch: Batch
    quantity: Decimal


def settings_for(node: Jurisdiction, day: dt.date) -> dict:
    return supplies_values(policy_for(node, day).values)


def stock_lines(stores: QuerySet[Store], day: dt.date, *, use_days: int) -> list[Line]:
    """Every store's balance of every item it has moved, at the end of `day`."""
    store_by_id = {s.pk: s for s in stores}
    where = Q(store__in=list(store_by_id))
    held = balances(where, day)
    use = used(where, day, use_days)
    item_by_id = Item.objects.in_bulk({item_id for _, item_id in held})
    lines = []
    for (store_id, item_id), balance in held.items():
        item = item_by_id[item_id]
        spent = use.get((store_id, item_id), ZERO)
        lines.append(
            Line(
                store=store_by_id[store_id],
                item=item,
                balance=balance,
                used=spent,
                days_of_supply=rules.days_of_supply(balance, spent, use_days),
                low=rules.is_low(balance, item.threshold),
            )
        )
    lines.sort(key=lambda line: (line.store.node.path, line.store.name, line.item.name, line.item.spec))
    return lines


def item_totals(lines: list[Line], use_days: int) -> list[ItemTotal]:
    by_item: dict[int, ItemTotal] = {}
    for line in lines:
        total = by_item.setdefault(line.item.pk, ItemTotal(line.item, ZERO, ZERO, None, 0, 0))
        total.balance += line.balance
        total.used += line.used
        total.stores += 1
        total.low_stores += line.low
    for total in by_item.values():
        total.days_of_supply = rules.days_of_supply(total.balance, total.used, use_days)
    return sorted(by_item.values(), key=lambda t: (t.item.name, t.item.spec))


@dataclass
class AreaStock:
    """What the area's page shows: the totals per item, and the low lines, the most short first (the
    first `shown` of them when asked for fewer), with how many there are in all."""

    totals: list[ItemTotal]
    low: list[Line]
    low_count: int


def later(store_ids: list[int], day: dt.date) -> dict[tuple[int, int], Decimal]:
    """(store id, item id) → the net of the movements dated after `day` (a kept balance less this is the
    balance at the end of `day`). Few for today (a movement may be dated tomorrow), more the further back.
    Read through the date index and summed here: asked to group by store and item, a database would
    rather walk every movement of the stores in that order."""
    wanted = set(store_ids)
    out: dict[tuple[int, int], Decimal] = {}
    rows = Movement.objects.filter(on__gt=day).order_by().values_list("store_id", "item_id", "quantity")
    for store_id, item_id, quantity in rows.iterator(chunk_size=5000):
        if store_id in wanted:
            out[(store_id, item_id)] = out.get((store_id, item_id), ZERO) + quantity
    return out


def area_stock(
    stores: QuerySet[Store], day: dt.date, *, use_days: int, shown: int | None = None
) -> AreaStock:
    """The same totals and low lines as `item_totals(stock_lines(...))` and its lines under their
    threshold sorted by balance ÷ threshold, from the kept balances (`Stock`) instead of summing every
    movement: per item, the kept balances less what was moved after `day`; a line is low when its
    balance at `day` is under the item's threshold. The database groups by item and returns only the lines
    under their threshold (through the item × quantity index); the lines moved after `day` are corrected
    one by one. Only the `shown` lowest lines are made into Lines (with their use)."""
    store_by_id = {s.pk: s for s in stores}
    ids = list(store_by_id)
    where = Q(store__in=ids)
    after = later(ids, day)
    kept = Stock.objects.filter(store__in=ids).order_by()
    by_item = {
        r["item_id"]: r
        for r in kept.values("item_id").annotate(
            total=Sum("quantity"), lines=Count("pk", filter=Q(since__lte=day))
        )
        if r["lines"]
    }
    item_by_id = Item.objects.in_bulk(list(by_item))
    spent_by_item = {
        r["item_id"]: -r["total"]
        for r in Movement.objects.filter(
            where,
            kind=MovementKind.ISSUE,
            on__gte=day - dt.timedelta(days=use_days - 1),
            on__lte=day,
        )
        .order_by()
        .values("item_id")
        .annotate(total=Sum("quantity"))
    }
    # The lines under their threshold at `day`. Those not moved after `day` are the database's: counted
    # by item, and the lowest of them fetched (by balance ÷ threshold in floating point, with a margin:
    # the exact order is made here). Those moved after `day` are corrected one by one.
    under = kept.filter(since__lte=day, item__threshold__gt=0, quantity__lt=F("item__threshold"))
    low_by_item: dict[int, int] = dict(
        under.values("item_id").annotate(n=Count("pk")).values_list("item_id", "n")
    )
    held: dict[tuple[int, int], Decimal] = {}  # the candidates for the lowest shown, and the corrected
    if after:
        stores_moved = {s for s, _ in after}
        items_moved = {i for _, i in after}
        corrected = kept.filter(since__lte=day)
        if len(stores_moved) < len(ids):
            corrected = corrected.filter(store__in=stores_moved)
        if len(items_moved) < len(by_item):
            corrected = corrected.filter(item__in=items_moved)
        for s, i, q in corrected.values_list("store_id", "item_id", "quantity"):
            if (s, i) not in after:
                continue
            threshold = item_by_id[i].threshold
            if rules.is_low(q, threshold):  # counted by the database, as it stands now
                low_by_item[i] -= 1
            balance = q - after[(s, i)]
            if rules.is_low(balance, threshold):
                held[(s, i)] = balance
                low_by_item[i] = low_by_item.get(i, 0) + 1
    ratio = ExpressionWrapper(
        Cast("quantity", FloatField()) / Cast("item__threshold", FloatField()), output_field=FloatField()
    )
    candidates = under.annotate(ratio=ratio)
    if shown is not None:
        bound = candidates.order_by("ratio").values_list("ratio", flat=True)[shown + len(after) - 1 :][:1]
        if bound:
            candidates = candidates.filter(ratio__lte=bound[0] * (1 + 1e-9) + 1e-12)
    for s, i, q in candidates.values_list("store_id", "item_id", "quantity"):
        if (s, i) not in after:
            held[(s, i)] = q
    low_count = sum(low_by_item.values())

    def order(key):  # as stock_lines sorts, then the stable sort by balance ÷ threshold
        store, item = store_by_id[key[0]], item_by_id[key[1]]
        return (held[key] / item.threshold, store.node.path, store.name, item.name, item.spec)

    lowest = sorted(held, key=order)[:shown]
    use = (
        used(Q(store__in={s for s, _ in lowest}, item__in={i for _, i in lowest}), day, use_days)
        if lowest
        else {}
    )
    low = []
    for store_id, item_id in lowest:
        balance, spent = held[(store_id, item_id)], use.get((store_id, item_id), ZERO)
        low.append(
            Line(
                store=store_by_id[store_id],
                item=item_by_id[item_id],
                balance=balance,
                used=spent,
                days_of_supply=rules.days_of_supply(balance, spent, use_days),
                low=True,
            )
        )
    later_by_item: dict[int, Decimal] = {}
    for (_s, i), q in after.items():
        later_by_item[i] = later_by_item.get(i, ZERO) + q
    totals = []
    for item_id, row in by_item.items():
        balance = row["total"] - later_by_item.get(item_id, ZERO)
        spent = spent_by_item.get(item_id, ZERO)
        totals.append(
            ItemTotal(
                item=item_by_id[item_id],
                balance=balance,
                used=spent,
                days_of_supply=rules.days_of_supply(balance, spent, use_days),
                stores=row["lines"],
                low_stores=low_by_item.get(item_id, 0),
            )
        )
    totals.sort(key=lambda t: (t.item.name, t.item.spec))
    return AreaStock(totals=totals, low=low, low_count=low_count)


def expiring(stores: QuerySet[Store], day: dt.date, *, warning_days: int) -> list[Expiring]:
    """Batches held at a store at the end of `day` that are expired or expire within the warning days."""
    store_by_id = {s.pk: s for s in stores}
    until = day + dt.timedelta(days=warning_days)
    where = Q(store__in=list(store_by_id), batch__expires_on__lte=until)
    held = {key: q for key, q in batch_holdings(where, day).items() if q > 0}
    batch_by_id = Batch.objects.select_related("item").in_bulk({b for _, b in held})
    rows = [Expiring(store_by_id[s], batch_by_id[b], q) for (s, b), q in held.items()]
    return sorted(rows, key=lambda e: (e.batch.expires_on, e.store.name))


def donations(where: Q) -> QuerySet[Movement]:
    """The donations ledger: receipts of donated supplies, newest first."""
    return (
        Movement.objects.filter(where, kind=MovementKind.RECEIPT, source=SupplySource.DONATED)
        .select_related("store", "item")
        .order_by("-on", "-id")
    )


# The public donations list (捐赠物资公示): a signed link per node, opened without an account. It shows
# the date, the item and quantity, the receiving area and the donor's name only where the donor agreed to
# be thanked publicly (donor_public); handlers, receivers, notes and documents never.
DONATIONS_SALT = "fangkong.supplies.donations"


def donations_token(node: Jurisdiction) -> str:
    return signing.dumps(node.code, salt=DONATIONS_SALT)


def donations_node(token: str) -> Jurisdiction | None:
    """The node a public donations link was made for; None for a token not made here."""
    try:
        code = signing.loads(token, salt=DONATIONS_SALT)
    except signing.BadSignature:
        return None
    return Jurisdiction.objects.filter(code=code).first()


@dataclass(frozen=True)
class PublicDonation:
    on: dt.date
    donor: str  # "" when the donor did not agree to be named
    item: str
    quantity: Decimal
    unit: str
    area: str


def public_donations(node: Jurisdiction) -> list[PublicDonation]:
    rows = donations(in_subtree(node.path)).select_related("store__node")
    return [
        PublicDonation(
            on=m.on,
            donor=m.donor if m.donor_public else "",
            item=f"{m.item.name} {m.item.spec}".strip(),
            quantity=m.quantity,
            unit=m.item.unit,
            area=m.store.node.name,
        )
        for m in rows
    ]


def filter_movements(
    rows: QuerySet[Movement], *, store=None, item=None, kind=None, date_from=None, date_to=None
):
    if store:
        rows = rows.filter(store=store)
    if item:
        rows = rows.filter(item=item)
    if kind:
        rows = rows.filter(kind=kind)
    if date_from:
        rows = rows.filter(on__gte=date_from)
    if date_to:
        rows = rows.filter(on__lte=date_to)
    return rows
