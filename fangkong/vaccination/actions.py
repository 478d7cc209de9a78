"""Writes of the vaccination ledger: sites, doses, deferrals. Each takes an actor, runs in one
transaction and writes its audit row; recording a dose also writes, on every dose of the person, what
the rules make of the history (rules.milestones), so the indicators and lists read it directly."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.lib.errors import RuleError
from fangkong.policy.queries import PoliciesInForce, policy_for, vaccination_values
from fangkong.registry.models import Person

from . import rules
from .models import Deferral, DeferralKind, Dose, Site


def products_at(node: Jurisdiction, day: dt.date | None = None) -> dict[str, rules.Product]:
    """The product table of the policy in force at the node (today by default)."""
    day = day or timezone.localdate()
    return rules.products_of(vaccination_values(policy_for(node, day).values))


def facts(doses) -> list[rules.DoseFact]:
    return [rules.DoseFact(given_on=d.given_on, product=d.product, key=d.pk) for d in doses]


def apply_milestones(doses: list[Dose], products: dict[str, rules.Product]) -> list[Dose]:
    """Set counted / reaches_* on one person's doses from the rules; returns those that changed."""
    outcomes = rules.milestones(facts(doses), products)
    changed = []
    for dose in doses:
        o = outcomes[dose.pk]
        new = (
            o.counted,
            o.reason,
            rules.FIRST in o.reaches,
            rules.FULL in o.reaches,
            rules.BOOSTER in o.reaches,
        )
        old = (dose.counted, dose.not_counted, dose.reaches_first, dose.reaches_full, dose.reaches_booster)
        if new != old:
            (dose.counted, dose.not_counted, dose.reaches_first, dose.reaches_full, dose.reaches_booster) = (
                new
            )
            changed.append(dose)
    return changed


MILESTONE_FIELDS = ["counted", "not_counted", "reaches_first", "reaches_full", "reaches_booster"]


def refresh_person(person: Person, products: dict[str, rules.Product] | None = None) -> None:
    """Write the rules' reading of the person's whole history (call inside the writing transaction)."""
    products = products if products is not None else products_at(person.node)
    doses = list(Dose.objects.filter(person=person).order_by("given_on", "pk"))
    changed = apply_milestones(doses, products)
    if changed:
        Dose.objects.bulk_update(changed, MILESTONE_FIELDS)


@transaction.atomic
def create_site(*, actor, node: Jurisdiction, name: str, address: str = "", request=None) -> Site:
    scoping.require(actor, scoping.WRITE, node, "无权在该辖区设置接种点", field="node")
    name = name.strip()
    if not name:
        raise RuleError({"name": "请填写接种点名称"})
    if Site.objects.filter(node=node, name=name).exists():
        raise RuleError({"name": f"{node.name}已有名为“{name}”的接种点"})
    site = Site.objects.create(node=node, name=name, address=address.strip())
    record(actor=actor, action=Action.CREATE, target=site, node_path=node.path, request=request)
    return site


def _check_person(actor, person: Person) -> None:
    if not scoping.can(actor, scoping.VIEW, person.node):
        raise RuleError({"person": "未找到该人员"}, code="forbidden")


def check_dose(
    *, person: Person, product: str, given_on: dt.date, products: dict[str, rules.Product], today: dt.date
) -> dict[str, str]:
    """What is wrong with a dose before it is written: {field: reason}."""
    errors = {}
    if product not in products:
        errors["product"] = f"未知的疫苗产品“{product}”，请从产品表中选择"
    if given_on > today:
        errors["given_on"] = "接种日期不能晚于今天"
    elif person.birth_date and given_on < person.birth_date:
        errors["given_on"] = "接种日期早于出生日期"
    return errors


@transaction.atomic
def record_dose(
    *,
    actor,
    person: Person,
    site: Site,
    product: str,
    given_on: dt.date,
    dose_number: int | None = None,
    lot: str = "",
    manufacturer: str = "",
    client_key: str | None = None,
    request=None,
) -> tuple[Dose, bool]:
    """Record a dose (dose, created). The same dose sent again — the same client key, or the same
    person, day and product — is found, not recorded twice; another product on a day that already has a
    dose is refused (one dose a day)."""
    scoping.require(actor, scoping.WRITE, site.node, "无权在该接种点登记接种", field="site")
    _check_person(actor, person)
    if client_key:
        found = Dose.objects.filter(client_key=client_key).first()
        if found is not None:
            if found.person_id != person.pk or found.given_on != given_on or found.product != product:
                raise RuleError({"client_key": "该客户端编号已用于另一条接种记录"}, code="conflict")
            return found, False
    found = Dose.objects.filter(person=person, given_on=given_on).first()
    if found is not None:
        if found.product != product:
            raise RuleError({"given_on": f"该人员{given_on:%Y-%m-%d}已有一条接种记录（{found.product}）"})
        return found, False
    products = products_at(person.node)
    errors = check_dose(
        person=person, product=product, given_on=given_on, products=products, today=timezone.localdate()
    )
    if errors:
        raise RuleError(errors)
    chosen = products[product]
    if dose_number is None:
        earlier = Dose.objects.filter(person=person, given_on__lt=given_on)
        dose_number = rules.suggested_dose_number(facts(earlier), products)
    if dose_number < 1 or dose_number > 9:
        raise RuleError({"dose_number": "剂次应为1到9"})
    try:
        with transaction.atomic():
            dose = Dose.objects.create(
                person=person,
                site=site,
                product=product,
                kind=chosen.kind,
                manufacturer=(manufacturer or chosen.manufacturer).strip()[:100],
                lot=lot.strip()[:40],
                dose_number=dose_number,
                given_on=given_on,
                client_key=client_key or None,
                recorded_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:  # the same dose, sent twice at once
        found = Dose.objects.filter(person=person, given_on=given_on, product=product).first()
        if found is None:
            raise RuleError({"given_on": "该人员当天已有接种记录"}) from None
        return found, False
    refresh_person(person, products)
    dose.refresh_from_db()
    record(
        actor=actor,
        action=Action.CREATE,
        target=dose,
        node_path=person.node.path,
        request=request,
        site=site.pk,
        product=product,
        dose_number=dose_number,
    )
    return dose, True


CORRECTABLE = ("site", "product", "given_on", "dose_number", "lot", "manufacturer")


def _snapshot(dose: Dose) -> dict:
    return {
        "person": dose.person_id,
        "site": dose.site_id,
        "product": dose.product,
        "given_on": dose.given_on.isoformat(),
        "dose_number": dose.dose_number,
        "lot": dose.lot,
        "manufacturer": dose.manufacturer,
    }


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RuleError({"reason": "请填写更正原因"})
    return reason[:200]


@transaction.atomic
def correct_dose(
    *,
    actor,
    dose: Dose,
    reason: str,
    site: Site | None = None,
    product: str | None = None,
    given_on: dt.date | None = None,
    dose_number: int | None = None,
    lot: str | None = None,
    manufacturer: str | None = None,
    request=None,
) -> Dose:
    """Correct a recorded dose (a wrong day, product, lot or dose number typed at the site): the values
    given replace the recorded ones, with a reason; the audit row keeps both; what the person's history
    counts (first dose, full series, booster) is read again from the rules."""
    reason = _reason(reason)
    scoping.require(actor, scoping.WRITE, dose.site.node, "无权更正该接种点的记录", field="dose")
    if site is not None:
        scoping.require(actor, scoping.WRITE, site.node, "无权在该接种点登记接种", field="site")
    before = _snapshot(dose)
    products = products_at(dose.person.node)
    new_product = product if product is not None else dose.product
    new_day = given_on if given_on is not None else dose.given_on
    errors = check_dose(
        person=dose.person,
        product=new_product,
        given_on=new_day,
        products=products,
        today=timezone.localdate(),
    )
    if dose_number is not None and not 1 <= dose_number <= 9:
        errors["dose_number"] = "剂次应为1到9"
    if (
        new_day != dose.given_on
        and Dose.objects.filter(person=dose.person, given_on=new_day).exclude(pk=dose.pk).exists()
    ):
        errors["given_on"] = f"该人员{new_day:%Y-%m-%d}已有一条接种记录"
    if errors:
        raise RuleError(errors)
    if site is not None:
        dose.site = site
    if new_product != dose.product:
        dose.product, dose.kind = new_product, products[new_product].kind
        if manufacturer is None:
            manufacturer = products[new_product].manufacturer
    dose.given_on = new_day
    if dose_number is not None:
        dose.dose_number = dose_number
    if lot is not None:
        dose.lot = lot.strip()[:40]
    if manufacturer is not None:
        dose.manufacturer = manufacturer.strip()[:100]
    after = _snapshot(dose)
    if after == before:
        raise RuleError({"__all__": "没有需要更正的内容"})
    dose.save(update_fields=["site", "product", "kind", "given_on", "dose_number", "lot", "manufacturer"])
    refresh_person(dose.person, products)
    dose.refresh_from_db()
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    record(
        actor=actor,
        action=Action.UPDATE,
        target=dose,
        node_path=dose.person.node.path,
        request=request,
        correction=reason,
        changed=changed,
    )
    return dose


@transaction.atomic
def void_dose(*, actor, dose: Dose, reason: str, request=None) -> None:
    """Void a dose recorded by mistake (the wrong person, a dose never given): the row goes, the audit
    row keeps everything it held and why; the person's other doses are read again from the rules."""
    reason = _reason(reason)
    scoping.require(actor, scoping.WRITE, dose.site.node, "无权更正该接种点的记录", field="dose")
    person, before = dose.person, _snapshot(dose)
    record(
        actor=actor,
        action=Action.UPDATE,
        target=dose,
        node_path=person.node.path,
        request=request,
        voided=reason,
        dose=before,
    )
    dose.delete()
    refresh_person(person)


@transaction.atomic
def record_deferral(
    *,
    actor,
    person: Person,
    kind: str,
    reason: str,
    decided_on: dt.date | None = None,
    until: dt.date | None = None,
    site: Site | None = None,
    client_key: str | None = None,
    request=None,
) -> tuple[Deferral, bool]:
    """Postponed (暂缓, until a date or open) or contraindicated (禁忌), with the reason."""
    scoping.require(actor, scoping.WRITE, person.node, "无权登记该人员的暂缓或禁忌", field="person")
    if client_key:
        found = Deferral.objects.filter(client_key=client_key).first()
        if found is not None:
            if found.person_id != person.pk:
                raise RuleError({"client_key": "该客户端编号已用于另一条记录"}, code="conflict")
            return found, False
    decided_on = decided_on or timezone.localdate()
    errors = {}
    if kind not in DeferralKind.values:
        errors["kind"] = "请选择暂缓接种或禁忌"
    if not reason.strip():
        errors["reason"] = "请填写原因"
    if decided_on > timezone.localdate():
        errors["decided_on"] = "判定日期不能晚于今天"
    if until is not None and until < decided_on:
        errors["until"] = "暂缓截止日期不能早于判定日期"
    if kind == DeferralKind.CONTRAINDICATED and until is not None:
        errors["until"] = "禁忌不设截止日期"
    if site is not None and not scoping.can(actor, scoping.VIEW, site.node):
        errors["site"] = "未找到该接种点"
    if errors:
        raise RuleError(errors)
    deferral = Deferral.objects.create(
        person=person,
        kind=kind,
        reason=reason.strip()[:200],
        decided_on=decided_on,
        until=until,
        site=site,
        client_key=client_key or None,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    record(actor=actor, action=Action.CREATE, target=deferral, node_path=person.node.path, request=request)
    return deferral, True


def recount(*, actor, node: Jurisdiction | None = None) -> int:
    """Apply the product table in force today to every history (after a policy change); returns the
    doses whose reading changed. One audit row."""
    today = timezone.localdate()
    policies = PoliciesInForce.for_subtree(node, today)
    people = Person.objects.filter(doses__isnull=False).distinct().select_related("node")
    if node is not None:
        people = people.filter(node__path__startswith=node.path)
    changed = 0
    with transaction.atomic():
        for person in people.iterator(chunk_size=500):
            products = rules.products_of(vaccination_values(policies.values(person.node.path, today)))
            doses = list(Dose.objects.filter(person=person).order_by("given_on", "pk"))
            updated = apply_milestones(doses, products)
            if updated:
                Dose.objects.bulk_update(updated, MILESTONE_FIELDS)
                changed += len(updated)
        record(
            actor=actor,
            action=Action.UPDATE,
            target=node,
            node_path=node.path if node else "",
            change="vaccination_recount",
            doses=changed,
        )
    return changed


def write_doses(*, actor, site: Site, rows: list[dict], products: dict[str, rules.Product]) -> int:
    """Insert many new doses at a site (a ledger import, the demo) and write the rules' reading of every
    history they touch; each row: person, product, given_on, and optionally manufacturer, lot,
    dose_number (empty: the count of doses counted by then, plus one). The caller has checked the rows
    (ledgers.read_doses), runs this in its transaction and writes the audit row of the whole batch."""
    person_ids = {r["person"].pk for r in rows}
    histories: dict[int, list[Dose]] = {pid: [] for pid in person_ids}
    for start in range(0, len(person_ids), 500):
        chunk = sorted(person_ids)[start : start + 500]
        for dose in Dose.objects.filter(person_id__in=chunk).order_by("given_on", "pk"):
            histories[dose.person_id].append(dose)
    recorder = actor if getattr(actor, "pk", None) else None
    created = Dose.objects.bulk_create(
        [
            Dose(
                person=r["person"],
                site=site,
                product=r["product"],
                kind=products[r["product"]].kind,
                manufacturer=(r.get("manufacturer") or products[r["product"]].manufacturer)[:100],
                lot=(r.get("lot") or "")[:40],
                dose_number=r.get("dose_number") or 0,
                given_on=r["given_on"],
                recorded_by=recorder,
            )
            for r in rows
        ],
        batch_size=1000,
    )
    if any(d.pk is None for d in created):  # a database that does not return keys from bulk inserts
        created = list(Dose.objects.filter(site=site, person_id__in=person_ids, dose_number=0))
    for dose in created:
        histories[dose.person_id].append(dose)
    changed: dict[int, Dose] = {}
    for doses in histories.values():
        doses.sort(key=lambda d: (d.given_on, d.pk))
        for dose in apply_milestones(doses, products):
            changed[dose.pk] = dose
        counted = 0
        for dose in doses:
            if dose.dose_number == 0:
                dose.dose_number = counted + 1
                changed[dose.pk] = dose
            if dose.counted:
                counted += 1
    if changed:
        Dose.objects.bulk_update(list(changed.values()), [*MILESTONE_FIELDS, "dose_number"], batch_size=1000)
    return len(created)
