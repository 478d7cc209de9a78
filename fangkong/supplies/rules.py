"""The arithmetic of stock as pure functions: no database. The actions and queries feed them numbers."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")


def check_quantity(value) -> Decimal:
    """A quantity as typed or imported: positive, at most two decimals. ValueError (Chinese) otherwise."""
    try:
        quantity = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except Exception:
        raise ValueError(f"数量“{value}”不是数字") from None
    if not quantity.is_finite():
        raise ValueError(f"数量“{value}”不是数字")
    if quantity <= 0:
        raise ValueError("数量须大于0")
    if quantity != quantity.quantize(CENT):
        raise ValueError("数量最多两位小数")
    if quantity >= Decimal("1e12"):
        raise ValueError("数量过大")
    return quantity.quantize(CENT)


def lowest_after(
    opening: Decimal, deltas: Iterable[tuple[dt.date, Decimal]], *, on: dt.date, change: Decimal
) -> Decimal:
    """The lowest balance from `on` onwards if `change` is added on that day: `opening` is the balance at
    the end of the day before `on`, `deltas` the net movements of each later day (and of `on`), in any
    order. A write that makes it negative would make some day's balance negative, and is refused."""
    by_day: dict[dt.date, Decimal] = {}
    for day, delta in deltas:
        by_day[day] = by_day.get(day, ZERO) + delta
    by_day[on] = by_day.get(on, ZERO) + change
    balance = opening
    lowest = None
    for day in sorted(by_day):
        balance += by_day[day]
        lowest = balance if lowest is None else min(lowest, balance)
    return lowest


def days_of_supply(balance: Decimal, used: Decimal, days: int) -> Decimal | None:
    """Balance ÷ mean daily use over the last `days` days; None when nothing was used (no end in sight)."""
    if used <= 0 or days <= 0:
        return None
    return (balance * days / used).quantize(Decimal("0.1"))


def first_expiring(
    available: list[tuple[int, dt.date | None, Decimal]], quantity: Decimal
) -> list[tuple[int | None, Decimal]]:
    """Take `quantity` from batches first-expiry-first (batches without expiry last, then by id); what no
    batch holds is taken unbatched (batch None). `available`: (batch id, expires on, quantity held)."""
    order = sorted(available, key=lambda b: (b[1] is None, b[1] or dt.date.max, b[0]))
    taken: list[tuple[int | None, Decimal]] = []
    left = quantity
    for batch_id, _expires, held in order:
        if left <= 0:
            break
        if held <= 0:
            continue
        part = min(held, left)
        taken.append((batch_id, part))
        left -= part
    if left > 0:
        taken.append((None, left))
    return taken


def is_low(balance: Decimal, threshold: Decimal) -> bool:
    """Below the warning level (a threshold of 0 means none is set)."""
    return threshold > 0 and balance < threshold


def near_expiry(expires_on: dt.date | None, *, day: dt.date, warning_days: int) -> bool:
    """Expired, or expiring within `warning_days` after `day`."""
    return expires_on is not None and expires_on <= day + dt.timedelta(days=warning_days)
