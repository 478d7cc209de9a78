"""The vaccination pages: the sites, the entry of a dose on a phone (find the person by ID number,
name or pinyin, pick the product; the dose number is suggested from the history), deferrals, the
ledger import, the coverage table by child node and age band, and the list of who is not (fully)
vaccinated for the grid workers. Every read goes through queries.py (scoped); every write through
actions.py or ledgers.py."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.imports import uploads
from fangkong.imports.writing import XLSX_CONTENT_TYPE
from fangkong.lib.errors import RuleError
from fangkong.lib.masking import mask_id_number, mask_name
from fangkong.lib.pages import posted, render_page
from fangkong.registry.queries import access_person

from . import actions, ledgers, queries, rules
from .forms import CorrectionForm, DeferralForm, DoseForm, SiteForm, UploadForm, VoidForm

PAGE_SIZE = 100


def _xlsx(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _day(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


def _node(request):
    """The node asked for (?node=code, 404 if not the user's), else the user's first."""
    code = request.GET.get("node")
    if code:
        return scoping.access_jurisdiction(request.user, code)
    tops = scoping.nodes_with(request.user)
    if not tops:
        raise Http404
    return tops[0]


def _errors(form, exc: RuleError) -> None:
    for field, reason in exc.errors.items():
        form.add_error(field if field in form.fields else None, reason)


# Sites ---------------------------------------------------------------------------------------------------


def site_list(request):
    sites = list(queries.sites_visible_to(request.user))
    today = timezone.localdate()
    counts = queries.counts_by_site(queries.sites_visible_to(request.user), today)
    nodes = list(scoping.visible_jurisdictions(request.user, scoping.WRITE)[:500])
    form = SiteForm(posted(request), nodes=nodes) if nodes else None
    if form is not None and form.is_valid():
        try:
            actions.create_site(
                actor=request.user,
                node=form.nodes[form.cleaned_data["node"]],
                name=form.cleaned_data["name"],
                address=form.cleaned_data["address"],
                request=request,
            )
        except RuleError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("已添加接种点"))
            return redirect("vaccination_sites")
    elif request.method == "POST" and form is None:
        raise PermissionDenied
    rows = [{"site": s, "today": counts.get(s.pk, 0)} for s in sites]
    return render(request, "vaccination/site_list.html", {"rows": rows, "form": form, "today": today})


def site_export(request, pk):
    site = queries.access_site(request.user, pk)
    today = timezone.localdate()
    try:
        date_from = dt.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        date_from = today
    try:
        date_to = dt.date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        date_to = today
    try:
        name, content = ledgers.export_doses(
            actor=request.user,
            site=site,
            date_from=date_from,
            date_to=date_to,
            full=request.GET.get("full") == "1",
            request=request,
        )
    except RuleError as exc:
        raise PermissionDenied(exc) from None
    return _xlsx(name, content)


# Entering a dose -----------------------------------------------------------------------------------------


def _person_card(request, person, products):
    doses = queries.history(person)
    facts = actions.facts(doses)
    today = timezone.localdate()
    return {
        "person": person,
        "shown_name": person.name,
        "shown_id": mask_id_number(person.id_number),
        "age": rules.age_on(person.birth_date, today) if person.birth_date else None,
        "doses": [
            {
                "dose": d,
                "product": products.get(d.product),
                "why": rules.NOT_COUNTED_WORDS.get(d.not_counted, ""),
            }
            for d in doses
        ],
        "status": rules.status_on(facts, products, today),
        "suggested": rules.suggested_dose_number(facts, products),
        "deferral": queries.deferral_in_force(person, today),
        "last_product": doses[-1].product if doses else "",
    }


def entry(request):
    sites = list(queries.sites_for_entry(request.user))
    if not sites:  # nothing to record at yet: the sites page says so and, to a writer, offers to add one
        if request.method == "POST":
            raise PermissionDenied(_("没有可以登记接种的接种点"))
        messages.info(request, _("没有可以登记接种的接种点，请先添加接种点"))
        return redirect("vaccination_sites")
    text = request.GET.get("q", "").strip()
    context = {"q": text, "sites": sites, "found": queries.find_people(request.user, text) if text else []}
    person = None
    if request.GET.get("person") or request.POST.get("person"):
        person = access_person(request.user, request.GET.get("person") or request.POST.get("person"))
    if person is None:
        return render_page(request, "vaccination/entry.html", context, fragment="results")
    products = actions.products_at(person.node)
    card = _person_card(request, person, products)
    site_id = request.GET.get("site") or request.COOKIES.get("vaccination_site") or str(sites[0].pk)
    form = DoseForm(
        posted(request),
        sites=sites,
        products=products,
        initial={
            "site": site_id,
            "given_on": timezone.localdate(),
            "dose_number": card["suggested"],
            "product": card["last_product"],
        },
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            dose, created = actions.record_dose(
                actor=request.user,
                person=person,
                site=form.sites[data["site"]],
                product=data["product"],
                given_on=data["given_on"],
                dose_number=data["dose_number"],
                lot=data["lot"],
                request=request,
            )
        except RuleError as exc:
            _errors(form, exc)
        else:
            if created:
                messages.success(
                    request,
                    _("已登记：%(name)s 第%(n)s剂") % {"name": mask_name(person.name), "n": dose.dose_number},
                )
            else:
                messages.info(request, _("该剂次已登记过，未重复登记"))
            if dose.not_counted:
                messages.warning(request, rules.NOT_COUNTED_WORDS.get(dose.not_counted, ""))
            response = redirect(reverse("vaccination_entry"))
            response.set_cookie("vaccination_site", data["site"], max_age=30 * 86400, samesite="Lax")
            return response
    context.update(card, form=form, deferral_form=DeferralForm())
    return render(request, "vaccination/entry.html", context)


@require_POST
def deferral_add(request, pk):
    person = access_person(request.user, pk, write=True)
    form = DeferralForm(request.POST)
    if form.is_valid():
        try:
            actions.record_deferral(
                actor=request.user,
                person=person,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                until=form.cleaned_data["until"],
                request=request,
            )
        except RuleError as exc:
            messages.error(request, "；".join(exc.errors.values()))
        else:
            messages.success(request, _("已登记暂缓或禁忌"))
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect(reverse("vaccination_entry") + "?" + urlencode({"person": person.pk}))


def _back_to_person(person) -> str:
    return reverse("vaccination_entry") + "?" + urlencode({"person": person.pk})


def dose_correct(request, pk):
    """Correct a recorded dose (values and a reason) or void it; completion is read again after either."""
    dose = queries.access_dose(request.user, pk)
    sites = list(queries.sites_for_entry(request.user))
    if dose.site not in sites:
        sites.insert(0, dose.site)
    products = actions.products_at(dose.person.node)
    initial = {k: getattr(dose, k) for k in ("product", "given_on", "dose_number", "lot")}
    form = CorrectionForm(
        posted(request), sites=sites, products=products, initial={**initial, "site": dose.site_id}
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.correct_dose(
                actor=request.user,
                dose=dose,
                reason=data["reason"],
                site=form.sites[data["site"]],
                product=data["product"],
                given_on=data["given_on"],
                dose_number=data["dose_number"],
                lot=data["lot"],
                request=request,
            )
        except RuleError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("已更正接种记录"))
            return redirect(_back_to_person(dose.person))
    context = {"dose": dose, "form": form, "void_form": VoidForm(), "shown_name": mask_name(dose.person.name)}
    status = 422 if request.method == "POST" else 200
    return render(request, "vaccination/dose_correct.html", context, status=status)


@require_POST
def dose_void(request, pk):
    dose = queries.access_dose(request.user, pk)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            actions.void_dose(
                actor=request.user, dose=dose, reason=form.cleaned_data["reason"], request=request
            )
        except RuleError as exc:
            messages.error(request, "；".join(exc.errors.values()))
        else:
            messages.success(request, _("已作废该接种记录"))
            return redirect(_back_to_person(dose.person))
    else:
        messages.error(request, _("请填写作废原因"))
    return redirect("vaccination_dose_correct", pk=dose.pk)


# Coverage and the list of who is not vaccinated -------------------------------------------------------


def coverage(request):
    node = _node(request)
    day = _day(request)
    if request.GET.get("format") == "xlsx":
        name, content = ledgers.export_coverage(actor=request.user, node=node, day=day, request=request)
        return _xlsx(name, content)
    whole, children = queries.coverage(node, day)
    bands = [(code, queries.band_label(code)) for code, *_ in rules.AGE_BANDS]

    def line(row, link):
        return {
            "name": row.node.name,
            "link": link,
            "total": row.total,
            "pcts": [row.total.pct(m) for m in rules.MILESTONES],
            "bands": [(row.bands[code].registered, row.bands[code].pct("full")) for code, _ in bands],
        }

    rows = [
        line(
            c,
            reverse("vaccination_coverage") + "?" + urlencode({"node": c.node.code, "date": day.isoformat()}),
        )
        for c in children
    ]
    context = {
        "node": node,
        "day": day,
        "rows": rows,
        "whole": line(whole, ""),
        "bands": bands,
        "nodes": scoping.nodes_with(request.user),
        "unvaccinated_link": reverse("vaccination_unvaccinated") + "?" + urlencode({"node": node.code}),
    }
    return render(request, "vaccination/coverage.html", context)


def unvaccinated(request):
    node = _node(request)
    day = _day(request)
    status = request.GET.get("status") or queries.NOT_FULL
    if status not in (queries.NOT_FULL, queries.NO_DOSE, queries.NO_BOOSTER):
        status = queries.NOT_FULL
    band = request.GET.get("band", "")
    if band not in {code for code, *_ in rules.AGE_BANDS}:
        band = ""
    if request.GET.get("format") == "xlsx":
        try:
            name, content = ledgers.export_unvaccinated(
                actor=request.user,
                node=node,
                day=day,
                status=status,
                band=band,
                full=request.GET.get("full") == "1",
                request=request,
            )
        except RuleError as exc:
            raise PermissionDenied(exc) from None
        return _xlsx(name, content)
    people = queries.unvaccinated(request.user, node, day, status=status, band=band)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "person": p,
            "name": mask_name(p.name),
            "id_number": mask_id_number(p.id_number),
            "age": rules.age_on(p.birth_date, day) if p.birth_date else None,
            "status": _("已完成全程") if p.has_full else _("未完成全程") if p.has_first else _("未接种"),
        }
        for p in page.object_list
    ]
    query = {"node": node.code, "status": status, "band": band}
    context = {
        "node": node,
        "day": day,
        "page": page,
        "rows": rows,
        "status": status,
        "band": band,
        "bands": [(code, queries.band_label(code)) for code, *_ in rules.AGE_BANDS],
        "query": urlencode(query),
        "export": reverse("vaccination_unvaccinated") + "?" + urlencode({**query, "format": "xlsx"}),
        "can_reveal": scoping.can(request.user, scoping.REVEAL, node),
        "children": node.children.order_by("path") if hasattr(node, "children") else [],
    }
    return render(request, "vaccination/unvaccinated.html", context)


# Import --------------------------------------------------------------------------------------------------


def _site_and_upload(request, site_id, token):
    site = queries.access_site(request.user, site_id, write=True)
    upload = uploads.load_upload(request.user, token)
    if upload.node_code != site.node.code:
        raise Http404
    return site, upload


def import_upload(request):
    sites = list(queries.sites_for_entry(request.user))
    if not sites:
        if request.method == "POST":
            raise PermissionDenied(_("没有可以登记接种的接种点"))
        messages.info(request, _("没有可以登记接种的接种点，请先添加接种点"))
        return redirect("vaccination_sites")
    form = UploadForm(posted(request), request.FILES or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        site = form.sites[form.cleaned_data["site"]]
        file = form.cleaned_data["file"]
        upload = uploads.save_upload(
            user=request.user, node_code=site.node.code, filename=file.name, data=file.read()
        )
        return redirect("vaccination_import_preview", site_id=site.pk, token=upload.token)
    return render(request, "vaccination/import_upload.html", {"form": form})


def import_preview(request, site_id, token):
    site, upload = _site_and_upload(request, site_id, token)
    context = {"site": site, "upload": upload, "done": upload.result is not None}
    if upload.result is not None:
        context.update(summary=upload.result, plan=upload.plan)
    else:
        try:
            with uploads.read_once(upload):
                result = ledgers.import_doses(
                    actor=request.user,
                    site=site,
                    data=uploads.upload_data(upload),
                    filename=upload.filename,
                    dry_run=True,
                )
        except RuleError as exc:
            context["error"] = "；".join(exc.errors.values())
        else:
            context.update(summary=result.summary(), plan=result.plan[:200], refused=result.refused)
    return render(request, "vaccination/import_preview.html", context)


@require_POST
def import_confirm(request, site_id, token):
    site, upload = _site_and_upload(request, site_id, token)
    if upload.result is None:
        try:
            with uploads.read_once(upload):
                result = ledgers.import_doses(
                    actor=request.user,
                    site=site,
                    data=uploads.upload_data(upload),
                    filename=upload.filename,
                    request=request,
                )
        except RuleError as exc:
            messages.error(request, "；".join(exc.errors.values()))
            return redirect("vaccination_import_preview", site_id=site.pk, token=token)
        if not result.written:
            messages.error(request, result.refused)
            return redirect("vaccination_import_preview", site_id=site.pk, token=token)
        uploads.mark_done(upload, result=result.summary(), plan=result.plan[:200])
        messages.success(
            request,
            _("已导入：新增%(created)s剂次，已有%(unchanged)s剂次")
            % {"created": result.created, "unchanged": result.unchanged},
        )
    return redirect("vaccination_import_preview", site_id=site.pk, token=token)


def import_rejected(request, site_id, token):
    site, upload = _site_and_upload(request, site_id, token)
    try:
        with uploads.read_once(upload):
            content = ledgers.rejected_rows_workbook(
                actor=request.user, site=site, data=uploads.upload_data(upload), filename=upload.filename
            )
    except RuleError:
        content = None
    if content is None:
        raise Http404
    return _xlsx(f"{upload.filename.rsplit('.', 1)[0]}_未导入的行.xlsx", content)


urlpatterns = [
    path("", entry, name="vaccination_entry"),
    path("sites/", site_list, name="vaccination_sites"),
    path("sites/<int:pk>/export/", site_export, name="vaccination_site_export"),
    path("people/<int:pk>/deferral/", deferral_add, name="vaccination_deferral_add"),
    path("doses/<int:pk>/correct/", dose_correct, name="vaccination_dose_correct"),
    path("doses/<int:pk>/void/", dose_void, name="vaccination_dose_void"),
    path("coverage/", coverage, name="vaccination_coverage"),
    path("unvaccinated/", unvaccinated, name="vaccination_unvaccinated"),
    path("import/", import_upload, name="vaccination_import"),
    path("import/<int:site_id>/<str:token>/", import_preview, name="vaccination_import_preview"),
    path("import/<int:site_id>/<str:token>/confirm/", import_confirm, name="vaccination_import_confirm"),
    path("import/<int:site_id>/<str:token>/rejected/", import_rejected, name="vaccination_import_rejected"),
]
