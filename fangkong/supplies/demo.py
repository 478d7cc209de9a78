"""The demo county's supplies: the catalogue, the county reserve and each township's store, three weeks
of allocations, donations, transfers down to the townships and issues to their units and villages, and
one stock-take; a couple of items end below their threshold and one batch near its expiry."""

import datetime as dt
import random

from django.utils import timezone

from fangkong.lib.dates import SHANGHAI
from fangkong.registry.models import Unit
from fangkong.supplies import actions
from fangkong.supplies.models import Item, Movement, Store, StoreKind, SupplySource

DAYS = 21
ITEMS = [
    ("医用外科口罩", "", "只", 5000),
    ("KN95口罩", "", "只", 1000),
    ("N95口罩", "1860", "只", 500),
    ("医用防护服", "XL", "套", 200),
    ("护目镜", "", "副", 100),
    ("一次性乳胶手套", "M", "副", 2000),
    ("84消毒液", "500ml", "瓶", 300),
    ("红外额温枪", "", "把", 20),
]
DONORS = ["聊城市爱心企业商会", "东昌府区红十字会", "鲁西化工集团", "在外乡贤王某某", "聊城市慈善总会"]


def is_loaded(context) -> bool:
    return Store.objects.filter(node__path__startswith=context.county.path).exists()


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    if is_loaded(context):
        return None
    rng = random.Random(f"{seed}-supplies")
    admin = context.users["county"]
    today = timezone.localdate(now or timezone.now())
    start = today - dt.timedelta(days=DAYS)
    items = []
    for name, spec, unit, threshold in ITEMS:
        item = Item.objects.filter(name=name, spec=spec).first()
        items.append(
            item or actions.create_item(actor=admin, name=name, spec=spec, unit=unit, threshold=threshold)
        )
    reserve = actions.create_store(
        actor=admin,
        node=context.county,
        name="区防疫物资储备库",
        kind=StoreKind.COUNTY_RESERVE,
        keeper="储备库保管员",
    )
    stores = [
        actions.create_store(actor=admin, node=t, name=f"{t.name}防疫物资点", kind=StoreKind.TOWNSHIP)
        for t in context.townships
    ]
    counts = {"stores": 1 + len(stores), "receipts": 0, "donations": 0, "transfers": 0, "issues": 0}
    for n, item in enumerate(items):
        amount = int(item.threshold) * rng.choice([6, 8, 10])
        actions.receive(
            actor=admin,
            store=reserve,
            item=item,
            quantity=amount,
            on=start,
            source=SupplySource.ALLOCATED,
            batch_number=f"2020{n + 1:02d}01",
            expires_on=today + dt.timedelta(days=20 if n == 6 else 700),
            document=f"RK{n + 1:04d}",
            handler="储备库保管员",
        )
        counts["receipts"] += 1
    for day_offset in range(1, DAYS + 1):
        day = start + dt.timedelta(days=day_offset)
        if rng.random() < 0.3:
            item = rng.choice(items)
            actions.receive(
                actor=admin,
                store=reserve,
                item=item,
                quantity=int(item.threshold) * rng.choice([1, 2]),
                on=day,
                source=SupplySource.DONATED,
                donor=rng.choice(DONORS),
                handler="储备库保管员",
            )
            counts["receipts"] += 1
            counts["donations"] += 1
        if day_offset % 5 == 1:
            for store in stores:
                item = rng.choice(items[:4])
                actions.transfer(
                    actor=admin,
                    source=reserve,
                    target=store,
                    item=item,
                    quantity=int(item.threshold) // 2,
                    on=day,
                    handler="储备库保管员",
                )
                counts["transfers"] += 1
        for store in stores:
            units = list(Unit.objects.filter(node__path__startswith=store.node.path).order_by("pk")[:5])
            for item in rng.sample(items, 2):
                held = store.stocks.filter(item=item).values_list("quantity", flat=True).first() or 0
                amount = min(int(held), rng.randint(5, max(5, int(item.threshold) // 10)))
                if amount <= 0:
                    continue
                unit = rng.choice(units) if units else None
                actions.issue(
                    actor=admin,
                    store=store,
                    item=item,
                    quantity=amount,
                    on=day,
                    recipient_unit=unit,
                    recipient="" if unit else rng.choice(store.node.children.all()).name,
                    receiver="领用人",
                    approver=f"{store.node.name}分管领导",
                    handler="物资点保管员",
                )
                counts["issues"] += 1
    held = reserve.stocks.filter(item=items[5]).values_list("quantity", flat=True).first() or 0
    if held > 10:
        actions.stocktake(
            actor=admin, store=reserve, item=items[5], counted=held - 10, on=today, note="盘点发现破损10副"
        )
    _entered_on_their_day(context, now or timezone.now())
    return counts


def _entered_on_their_day(context, now: dt.datetime) -> None:
    """The demo's movements were entered on the day they are dated (18:00), as a keeper would, so a report
    as of a past moment counts them as a daily report of that day does."""
    rows = Movement.objects.filter(store__node__path__startswith=context.county.path)
    for on in rows.values_list("on", flat=True).distinct():
        entered = min(dt.datetime.combine(on, dt.time(18), tzinfo=SHANGHAI), now)
        rows.filter(on=on).update(created_at=entered)
