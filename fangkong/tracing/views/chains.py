"""Clusters (聚集性疫情) and the transmission chain of the user's area."""

from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.tracing import queries
from fangkong.tracing.models import Case
from fangkong.tracing.views import common

UNITS = {
    "household": gettext_lazy("同住家庭"),
    "workplace": gettext_lazy("工作单位"),
    "venue": gettext_lazy("场所"),
    "vehicle": gettext_lazy("交通工具"),
}
EDGES = {
    "infected_by": gettext_lazy("传染"),
    "venue": gettext_lazy("场所时空交集"),
    "household": gettext_lazy("同住"),
    "named": gettext_lazy("病例提供"),
}


def cluster_list(request):
    node = common.view_node(request)
    clusters = queries.clusters_in(node)
    cases = Case.objects.in_bulk({pk for cluster in clusters for pk in cluster.case_ids})
    rows = [
        {
            "cluster": cluster,
            "unit": UNITS.get(cluster.unit, cluster.unit),
            "cases": [cases[pk] for pk in cluster.case_ids if pk in cases],
        }
        for cluster in clusters
    ]
    return render(request, "tracing/cluster_list.html", {"rows": rows, "node": node})


def chain_data(graph) -> tuple[dict, list[dict]]:
    """The graph as chain.js draws it (a link on each case), and the same relations as table rows."""
    names = {n["id"]: " ".join(filter(None, (n["name"], n.get("label")))) for n in graph.nodes}
    nodes = []
    for n in graph.nodes:
        node = {"id": n["id"], "name": names[n["id"]], "category": n["category"]}
        if n["id"].startswith("case-"):
            node["url"] = reverse("case_detail", kwargs={"pk": int(n["id"].removeprefix("case-"))})
            node["symbolSize"] = 22
        else:
            node["symbolSize"] = 12
        nodes.append(node)
    edges = [
        {"source": e["source"], "target": e["target"], "label": str(EDGES.get(e["kind"], e["kind"]))}
        for e in graph.edges
        if e["source"] in names and e["target"] in names
    ]
    categories = [{"name": _("病例")}, {"name": _("密切接触者")}, {"name": _("密接的密接")}]
    table = [{"source": names[e["source"]], "target": names[e["target"]], "label": e["label"]} for e in edges]
    return {"nodes": nodes, "edges": edges, "categories": categories}, table


def chain(request):
    """The chain as an ECharts graph (chain.js) over the same nodes and edges as the table under it."""
    node = common.view_node(request)
    graph_json, table = chain_data(queries.chain_in(node))
    context = {"graph_json": graph_json, "table": table, "node": node}
    return render(request, "tracing/chain.html", context)


urlpatterns = [
    path("clusters/", cluster_list, name="cluster_list"),
    path("chain/", chain, name="case_chain"),
]
