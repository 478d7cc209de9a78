"""The ledgers as Excel, scoped and audited: the 返乡人员登记表 of a node's subtree and, per person under
a measure, the 居家隔离人员体温检测登记表. ID and phone numbers are masked unless the user may reveal
them and asks for the full numbers; every export is an audit row either way."""

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone, translation

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.imports.values import format_date
from fangkong.imports.writing import LedgerSheet
from fangkong.lib.errors import RuleError
from fangkong.lib.masking import mask_id_number, mask_phone
from fangkong.measures import rules
from fangkong.measures.ledgers.rows import EXPORT_COLUMNS, LABELS, LEDGER, SYMPTOMS_NOTE
from fangkong.measures.models import ARRIVAL_REASONS, FollowUp, Measure, TestResult
from fangkong.measures.queries import screenings_visible_to
from fangkong.policy.models import Kind


def _check_export(actor, node: Jurisdiction, full: bool) -> None:
    if not scoping.can(actor, scoping.VIEW, node):
        raise RuleError({"node": "无权导出该辖区的台账"}, code="forbidden")
    if full and not scoping.can(actor, scoping.REVEAL, node):
        raise RuleError({"full": "无权导出完整的证件号码和电话"}, code="forbidden")


def _shown(value: str, mask, full: bool) -> str:
    return value if full else mask(value)


def _caretaker_names(measure: Measure | None) -> str:
    if measure is None:
        return ""
    return "、".join(
        f"{c.user.get_full_name() or c.user.first_name or c.user.get_username()}（{c.get_role_display()}）"
        for c in measure.caretakers.all()
    )


def _split_notes(notes: str) -> tuple[str, str]:
    """(symptoms as the ledger gave them, the other notes)."""
    if notes.startswith(SYMPTOMS_NOTE):
        first, _, rest = notes.partition("；")
        return first.removeprefix(SYMPTOMS_NOTE), rest
    return "", notes


def returnee_rows(*, actor, node: Jurisdiction, full: bool = False) -> list[list]:
    """The ledger's rows for a node's subtree, oldest arrival first, in EXPORT_COLUMNS order."""
    abnormal = FollowUp.objects.filter(measure__screening=OuterRef("pk"), is_abnormal=True)
    screenings = (
        screenings_visible_to(actor)
        .filter(node__path__startswith=node.path, reason__in=ARRIVAL_REASONS)
        .select_related("person__household")
        .prefetch_related(
            Prefetch(
                "measures",
                queryset=Measure.objects.order_by("started_at").prefetch_related("caretakers__user"),
            )
        )
        .annotate(had_symptoms=Exists(abnormal))
        .order_by("arrived_on", "screened_on", "id")
    )
    rows = []
    for number, s in enumerate(screenings, start=1):
        person, measures = s.person, list(s.measures.all())
        latest = measures[-1] if measures else None
        measure = ""
        if latest is not None:
            measure = latest.get_kind_display() + ("（已解除）" if latest.released_at else "")
        symptoms, notes = _split_notes(s.notes)
        symptoms = symptoms or ("有" if s.had_symptoms else "无")
        rows.append(
            [
                number,
                person.name,
                person.get_sex_display(),
                _shown(person.id_number, mask_id_number, full),
                _shown(person.phone, mask_phone, full),
                person.household.address if person.household else "",
                s.origin_text,
                s.arrived_on,
                f"{s.transport} {s.trip_number}".strip(),
                symptoms,
                measure,
                _caretaker_names(latest),
                notes,
                s.departed_on,
                s.route,
            ]
        )
    return rows


def export_returnees(*, actor, node: Jurisdiction, full: bool = False, request=None) -> tuple[str, bytes]:
    """返乡人员登记表 of a node's subtree as .xlsx: (file name, content). Audited, masked or not."""
    _check_export(actor, node, full)
    today = timezone.localdate()
    # The ledgers are Chinese forms (their headers are, and they are imported back): their labels are in
    # Chinese whatever the interface language.
    with translation.override("zh-hans"):
        rows = returnee_rows(actor=actor, node=node, full=full)
    headers = [LABELS[k] for k in EXPORT_COLUMNS]
    sheet = LedgerSheet(LEDGER)
    sheet.title(f"{node.name}{LEDGER}", width=len(headers))
    sheet.line(f"导出日期：{format_date(today)}　共{len(rows)}人", width=len(headers))
    sheet.header(headers, widths=[6, 10, 6, 22, 15, 28, 20, 12, 18, 10, 16, 22, 30, 12, 20])
    text_columns = [EXPORT_COLUMNS.index("id_number"), EXPORT_COLUMNS.index("phone")]
    sheet.rows(rows, text_columns=text_columns)
    content = sheet.save()
    record(
        actor=actor,
        action=Action.EXPORT,
        target=node,
        node_path=node.path,
        request=request,
        ledger=LEDGER,
        rows=len(rows),
        full=full,
    )
    return f"{LEDGER}_{node.name}_{today:%Y%m%d}.xlsx", content


TEMPERATURE_HEADERS = ("日期", "第N天", "上午体温", "下午体温", "症状", "核酸采样与结果", "监测人")


def temperature_rows(measure: Measure, *, today: dt.date | None = None) -> list[list]:
    """One row per day of the measure: from its start day to its release, planned end or today. A slot
    with several readings shows the highest of them."""
    today = today or timezone.localdate()
    start = measure.started_at.astimezone(rules.SHANGHAI).date()
    if measure.released_at:
        last = measure.released_at.astimezone(rules.SHANGHAI).date()
    elif measure.planned_end:
        last = (measure.planned_end - dt.timedelta(microseconds=1)).astimezone(rules.SHANGHAI).date()
    else:
        last = max(today, start)
    reference = (
        measure.screening.reference_date if measure.screening and measure.screening.reference_date else None
    ) or start - dt.timedelta(days=1)
    readings: dict[tuple[dt.date, str], list[FollowUp]] = {}
    for f in measure.follow_ups.select_related("recorded_by").order_by("taken_at"):
        readings.setdefault((f.slot_date, f.slot), []).append(f)
    tests: dict[dt.date, list[str]] = {}
    for t in TestResult.objects.filter(
        person=measure.person,
        sampled_at__gte=rules.local_midnight(start),
        sampled_at__lt=rules.local_midnight(last + dt.timedelta(days=1)),
    ).order_by("sampled_at"):
        local = t.sampled_at.astimezone(rules.SHANGHAI)
        tests.setdefault(local.date(), []).append(f"{local:%H:%M}采样，{t.get_outcome_display()}")
    rows = []
    day = start
    while day <= last:
        slots = [readings.get((day, rules.MORNING), []), readings.get((day, rules.EVENING), [])]
        # The form has one cell per half-day: it gets the highest reading of the slot, so a fever is
        # never hidden by a later normal reading; symptoms and takers are those of every reading.
        highest = [max((f.temperature for f in slot), default=None) for slot in slots]
        every = [f for slot in slots for f in slot]
        symptoms = sorted({s for f in every for s in f.symptoms})
        takers = []
        for f in every:
            who = (
                "本人上报"
                if f.self_reported
                else (
                    f.recorded_by.get_full_name() or f.recorded_by.first_name or f.recorded_by.get_username()
                    if f.recorded_by
                    else ""
                )
            )
            if who and who not in takers:
                takers.append(who)
        rows.append(
            [
                day,
                f"第{(day - reference).days}天",
                float(highest[0]) if highest[0] is not None else None,
                float(highest[1]) if highest[1] is not None else None,
                "、".join(symptoms) if symptoms else ("无" if every else ""),
                "；".join(tests.get(day, [])),
                "、".join(takers),
            ]
        )
        day += dt.timedelta(days=1)
    return rows


def export_temperature(*, actor, measure: Measure, full: bool = False, request=None) -> tuple[str, bytes]:
    """居家隔离人员体温检测登记表 for one person under a measure: header block, then one row per day."""
    _check_export(actor, measure.node, full)
    person, screening = measure.person, measure.screening
    with translation.override("zh-hans"):  # a Chinese form, like the returnees' ledger
        rows = temperature_rows(measure)
        reason = screening.get_reason_display() if screening else ""
        kind = measure.get_kind_display()
        caretakers = _caretaker_names(measure)
    start = measure.started_at.astimezone(rules.SHANGHAI).date()
    end = rows[-1][0] if rows else start
    if screening and screening.origin_text:
        reason += f"：{screening.origin_text}"
    title = (
        "居家隔离人员体温检测登记表" if measure.kind == Kind.HOME_QUARANTINE else f"{kind}人员体温检测登记表"
    )
    width = len(TEMPERATURE_HEADERS)
    sheet = LedgerSheet("体温检测登记表")
    sheet.title(title, width=width)
    sheet.pairs(
        [
            ("姓名", person.name),
            ("身份证号", _shown(person.id_number, mask_id_number, full)),
            ("住址", person.household.address if person.household else ""),
            ("管控类型与原因", f"{kind}（{reason}）" if reason else kind),
            ("观察起止日期", f"{format_date(start)}至{format_date(end)}"),
            ("包保人员", caretakers),
        ],
        width=width,
    )
    sheet.header(TEMPERATURE_HEADERS, widths=[12, 8, 10, 10, 18, 24, 16])
    sheet.rows(rows)
    content = sheet.save()
    record(
        actor=actor,
        action=Action.EXPORT,
        target=measure,
        node_path=measure.node.path,
        request=request,
        ledger=title,
        rows=len(rows),
        full=full,
    )
    return f"{title}_{person.name}_{start:%Y%m%d}.xlsx", content
