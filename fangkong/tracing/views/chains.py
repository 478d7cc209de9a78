"""Clusters (聚集性疫情) and the transmission chain of the user's area."""

from django.shortcuts import render
from django.urls import path

from fangkong.tracing import queries
from fangkong.tracing.views import common


def cluster_list(request):
    node = common.view_node(request)
    return render(request, "tracing/cluster_list.html", {"clusters": queries.clusters_in(node), "node": node})


def chain(request):
    """The chain as an ECharts graph (chain.js) over the same nodes and edges as the table under it."""
    node = common.view_node(request)
    graph = queries.chain_in(node)
    return render(request, "tracing/chain.html", {"graph": graph, "node": node})


urlpatterns = [
    path("clusters/", cluster_list, name="cluster_list"),
    path("chain/", chain, name="case_chain"),
]
