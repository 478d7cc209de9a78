"""JSON API for the jurisdiction tree. Every query goes through grid.scoping: a node outside the
user's area answers 404, exactly like a node that does not exist."""

from django.db.models import Exists, OuterRef, QuerySet
from ninja import Query, Router

from . import scoping
from .models import Jurisdiction
from .schemas import Code, JurisdictionFilterIn, JurisdictionOut, error_responses

router = Router(tags=["辖区"])

SEARCH_LIMIT = 200


def _with_details(nodes: QuerySet) -> QuerySet:
    return nodes.select_related("parent").annotate(
        has_children=Exists(Jurisdiction.objects.filter(parent=OuterRef("pk")))
    )


@router.get(
    "/jurisdictions",
    response={200: list[JurisdictionOut], **error_responses(401, 404, 422)},
    summary="本账号的辖区、某辖区的下级，或按名称查找",
    description=f"不带参数时返回本账号所在的顶层辖区；parent 给出下级；q 按名称查找（最多 {SEARCH_LIMIT} 条）。",
)
def list_jurisdictions(request, filters: Query[JurisdictionFilterIn]):
    visible = scoping.visible_jurisdictions(request.auth)
    if filters.parent:
        parent = scoping.access_jurisdiction(request.auth, filters.parent)
        nodes = visible.filter(path__startswith=parent.path) if filters.q else visible.filter(parent=parent)
    elif filters.q:
        nodes = visible
    else:
        nodes = visible.filter(pk__in=[node.pk for node in scoping.nodes_with(request.auth)])
    nodes = _with_details(nodes)
    if filters.q:
        nodes = nodes.filter(name__contains=filters.q.strip())[:SEARCH_LIMIT]
    return list(nodes)


@router.get(
    "/jurisdictions/{code}",
    response={200: JurisdictionOut, **error_responses(401, 404, 422)},
    summary="一个辖区",
)
def get_jurisdiction(request, code: Code):
    node = scoping.access_jurisdiction(request.auth, code)
    return _with_details(Jurisdiction.objects.filter(pk=node.pk)).get()
