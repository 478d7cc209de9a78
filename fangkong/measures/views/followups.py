"""Follow-up pages: a caretaker's 今日待随访 on the phone (one card per person, an inline form per card),
entering a reading for a given time, the self-report link with its QR code, open alerts with transfer
and resolution, and the township overview. Each view parses, finds through the scoped queries (404 for
"missing" and "not yours" alike), calls one action and renders; an HTMX request to the same URL gets the
card fragment."""

import datetime as dt

import segno
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import is_htmx, posted
from fangkong.measures import actions, queries, rules, selfreport
from fangkong.measures.forms import followups as forms
from fangkong.measures.models import Alert, AlertKind, Caretaker, FollowUp, Measure, Slot
from fangkong.measures.views.keypersons import now_to_the_minute
from fangkong.policy.models import Kind
from fangkong.registry.forms import add_rule_errors

WORKLIST = "measures/worklist.html"
OVERVIEW_ROWS = 10  # each list of the overview is short; its count says how many there are in all

# Cards of the worklist -----------------------------------------------------------------------------------


def slot_cell(measure: Measure, day: dt.date, slot: str, reading: FollowUp | None, now: dt.datetime) -> dict:
    """One of today's two slots as the card shows it: done (or abnormal), missed, open now, later, or
    not owed. Missed slots are derived here from the rules, never stored."""
    start, end = rules.slot_bounds(day, slot)
    label = Slot(slot).label
    if reading is not None:
        text = f"{reading.temperature}℃" + ("，" + "、".join(reading.symptoms) if reading.symptoms else "")
        return {"label": label, "text": text, "css": "alert" if reading.is_abnormal else "ok"}
    if slot not in rules.due_slots(measure.started_at, measure.released_at, day):
        return {"label": label, "text": _("无需随访"), "css": ""}
    if end <= now:
        return {"label": label, "text": _("漏访"), "css": "warn"}
    if start <= now:
        return {"label": label, "text": _("待随访"), "css": "warn"}
    return {"label": label, "text": _("未到时间"), "css": ""}


def places(measures: list[Measure]) -> dict[int, str]:
    """Where each person is, "村 · 网格" for a grid: one query for all the cards."""
    parent_ids = {m.node.parent_id for m in measures if m.node.level == Level.GRID and m.node.parent_id}
    villages = Jurisdiction.objects.in_bulk(parent_ids)
    return {
        m.pk: f"{villages[m.node.parent_id].name} · {m.node.name}"
        if m.node.parent_id in villages
        else m.node.name
        for m in measures
    }


def worklist_cards(measures: list[Measure], now: dt.datetime) -> list[dict]:
    """The cards of these measures for today (Asia/Shanghai): two queries whatever their number. A
    reading counts for the person, as in queries.worklist (a transfer keeps the morning's reading); a
    slot with several readings shows its telling one (a fever before a later normal reading)."""
    day, current = rules.slot_of(now)
    where = places(measures)
    readings: dict[tuple[int, str], list[FollowUp]] = {}
    for f in FollowUp.objects.filter(person__in=[m.person_id for m in measures], slot_date=day):
        readings.setdefault((f.person_id, f.slot), []).append(f)
    cards = []
    for measure in measures:
        mine = {
            slot: rules.telling_reading(readings.get((measure.person_id, slot), []))
            for slot in (rules.MORNING, rules.EVENING)
        }
        owed_now = current in rules.due_slots(measure.started_at, measure.released_at, day)
        cards.append(
            {
                "measure": measure,
                "person": measure.person,
                "place": where[measure.pk],
                "day": queries.measure_day(measure, now),
                "slots": [slot_cell(measure, day, slot, reading, now) for slot, reading in mine.items()],
                "current": Slot(current).label,
                "done_now": mine[current] is not None,
                "open_now": owed_now and mine[current] is None,
            }
        )
    return cards


def worklist_summary(user, now: dt.datetime) -> dict:
    """How many people the user cares for today and how many still owe the current slot's reading."""
    day, current = rules.slot_of(now)
    rows = queries.worklist(user, day=day)
    return {
        "rows": rows,
        "date": now,
        "people": len(rows),
        "open_now": sum(1 for row in rows if current in row["due"] and not row[current]),
    }


def quick_form(measure: Measure, data=None) -> forms.QuickFollowUpForm:
    """The card's form, always blank: opened again in a slot already recorded, it adds another reading
    (a check again after a fever); the ones already taken stay as they are."""
    # One form per card on the same page: ids must not collide.
    return forms.QuickFollowUpForm(data, auto_id=f"fu{measure.pk}_%s")


# Worklist ------------------------------------------------------------------------------------------------


def worklist(request):
    now = timezone.now()
    summary = worklist_summary(request.user, now)
    cards = worklist_cards([row["measure"] for row in summary["rows"]], now)
    cards.sort(key=lambda card: not card["open_now"])  # who still needs this slot's reading first
    return render(request, WORKLIST, {"cards": cards, "summary": summary})


def worklist_card(request, pk):
    """GET: the card with its form open; POST: record the reading taken now, then the updated card (with
    a red notice for a fever or a symptom). Without HTMX the same URL is a page of its own."""
    measure = queries.access_measure(request.user, pk, write=True)
    now = timezone.now()
    form = quick_form(measure, posted(request))
    follow_up = None
    if form.is_valid():
        try:
            follow_up = actions.record_follow_up(
                actor=request.user, measure=measure, taken_at=now, request=request, **form.cleaned_data
            )
        except RuleError as exc:  # abc, 45 ℃, or the measure was released meanwhile
            add_rule_errors(form, exc)
        else:
            if not is_htmx(request):
                messages.success(request, recorded_message(follow_up))
                return redirect("worklist")
    card = worklist_cards([measure], now)[0]
    card["form"] = form if measure.is_active and not follow_up else None
    if follow_up and follow_up.is_abnormal:
        card["alert"] = Alert.objects.filter(follow_up=follow_up).first()
    if is_htmx(request) and follow_up:  # the card, and the count at the top of the page (out of band)
        return render(
            request, f"{WORKLIST}#recorded", {"card": card, "summary": worklist_summary(request.user, now)}
        )
    if is_htmx(request):
        return render(request, f"{WORKLIST}#card", {"card": card})
    return render(request, WORKLIST, {"cards": [card], "single": True})


def recorded_message(follow_up: FollowUp) -> str:
    day = follow_up.slot_date
    return _("已登记{name} {month}月{day}日{slot}体温 {t}℃").format(
        name=follow_up.person.name,
        month=day.month,
        day=day.day,
        slot=follow_up.get_slot_display(),
        t=follow_up.temperature,
    )


# A reading for a given time ------------------------------------------------------------------------------


def followup_create(request, pk):
    """Staff back-entering a reading: the slot follows from the time it was taken; it is added to the
    slot's readings, never put in place of one."""
    measure = queries.access_measure(request.user, pk, write=True)
    form = forms.FollowUpForm(posted(request), initial={"taken_at": now_to_the_minute()})
    if form.is_valid():
        try:
            follow_up = actions.record_follow_up(
                actor=request.user, measure=measure, request=request, **form.cleaned_data
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, recorded_message(follow_up))
            if follow_up.is_abnormal:
                messages.warning(request, _("体温或症状异常，已发出预警"))
            return redirect("measure_detail", pk=measure.pk)
    return render(request, "measures/followup_create.html", {"form": form, "measure": measure})


# Self-report link ----------------------------------------------------------------------------------------


def selfreport_link(request, pk):
    """The link (and its QR code) a caretaker sends to the person; it works while the measure is active."""
    measure = queries.access_measure(request.user, pk, write=True)
    link = request.build_absolute_uri(reverse("selfreport", args=[selfreport.make_token(measure)]))
    # segno draws the code from the link; its SVG holds no text taken from the request.
    qr = mark_safe(segno.make(link, error="m").svg_inline(scale=4, omitsize=True))
    return render(request, "measures/selfreport_link.html", {"measure": measure, "link": link, "qr": qr})


# Alerts --------------------------------------------------------------------------------------------------


def access_alert(user, pk, *, write: bool = False) -> Alert:
    qs = Alert.objects.select_related("measure__node", "measure__person", "person")
    return scoping.access(user, qs, pk, path_field="measure__node__path", write=write)


def alert_list(request):
    caretakers = Prefetch("measure__caretakers", queryset=Caretaker.objects.select_related("user"))
    alerts = (
        queries.open_alerts(request.user)
        .select_related("follow_up", "measure__transferred_to")
        .prefetch_related(caretakers)
        .order_by("-raised_at", "-pk")
    )
    page = Paginator(alerts, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    for alert in page:
        alert.may_act = scoping.can(request.user, scoping.WRITE, alert.measure.node)
        alert.may_transfer = (
            alert.may_act
            and alert.kind == AlertKind.FEVER  # to the fever clinic: not for someone seen out
            and alert.measure.is_active
            and alert.measure.kind != Kind.HOSPITAL
        )
    return render(request, "measures/alert_list.html", {"page": page, "query": ""})


@require_POST
def alert_transfer(request, pk):
    """转运至发热门诊: the measure becomes a hospital stay and the alert is closed as handled, together."""
    alert = access_alert(request.user, pk, write=True)
    form = forms.TransferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请刷新页面后重试"))
        return redirect("alert_list")
    try:
        with transaction.atomic():
            actions.transfer_measure(
                actor=request.user,
                measure=alert.measure,
                version=form.cleaned_data["version"],
                kind=Kind.HOSPITAL,
                reason=_("预警：{summary}").format(summary=alert.summary),
                request=request,
            )
            actions.resolve_alert(
                actor=request.user, alert=alert, resolution=_("已转运至发热门诊"), request=request
            )
    except RuleError as exc:  # already transferred, released or resolved by someone else
        messages.error(request, "；".join(exc.errors.values()))
    else:
        messages.success(request, _("{name}已转运至发热门诊").format(name=alert.person.name))
    return redirect("alert_list")


@require_POST
def alert_resolve(request, pk):
    alert = access_alert(request.user, pk, write=True)
    form = forms.ResolveAlertForm(request.POST)
    try:
        if not form.is_valid():
            raise RuleError({"resolution": _("请填写处置结果")})
        actions.resolve_alert(actor=request.user, alert=alert, request=request, **form.cleaned_data)
    except RuleError as exc:
        messages.error(request, "；".join(exc.errors.values()))
    else:
        messages.success(request, _("已处置{name}的预警").format(name=alert.person.name))
    return redirect("alert_list")


# Township overview ---------------------------------------------------------------------------------------


def short_list(queryset, *order) -> dict:
    """A count and the first few rows: two queries whatever the size."""
    return {"count": queryset.count(), "rows": list(queryset.order_by(*order)[:OVERVIEW_ROWS])}


def overview(user, now: dt.datetime) -> dict:
    local = now.astimezone(rules.SHANGHAI)
    sites = queries.site_occupancy(user)
    return {
        # queries.overdue chases the most recent slot that has ended: this morning after 12:00,
        # otherwise last evening.
        "overdue_slot": _("今日上午") if local.hour >= 12 else _("昨日下午"),
        "overdue": short_list(queries.overdue(user, now=now), "node__path", "person__name_pinyin", "pk"),
        "alerts": short_list(queries.open_alerts(user), "-raised_at", "-pk"),
        "release": short_list(
            queries.due_for_release(user, day=local.date()), "planned_end", "node__path", "pk"
        ),
        "sites": sites,
        "site_totals": queries.site_totals(sites),
        "now": now,
    }


def township_overview(request):
    return render(request, "measures/township_overview.html", overview(request.user, timezone.now()))


urlpatterns = [
    path("worklist/", worklist, name="worklist"),
    path("worklist/<int:pk>/", worklist_card, name="worklist_card"),
    path("<int:pk>/followups/new/", followup_create, name="followup_create"),
    path("<int:pk>/selfreport-link/", selfreport_link, name="selfreport_link"),
    path("alerts/", alert_list, name="alert_list"),
    path("alerts/<int:pk>/transfer/", alert_transfer, name="alert_transfer"),
    path("alerts/<int:pk>/resolve/", alert_resolve, name="alert_resolve"),
    path("overview/", township_overview, name="township_overview"),
]
