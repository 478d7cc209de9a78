// Draws the transmission chain from the JSON in #chain-data with the vendored ECharts: cases and
// contacts as nodes (one category each), "infected by" and "contact of" as edges. Without JavaScript
// (or ECharts) the table under the chart holds the same relations.
(function () {
  "use strict";
  var source = document.getElementById("chain-data");
  var element = document.getElementById("chain-graph");
  if (!source || !element || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  if (!data.nodes.length) {
    return;
  }
  element.hidden = false;
  var chart = window.echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    tooltip: { formatter: function (p) { return p.dataType === "edge" ? p.data.label : p.data.tooltip || p.name; } },
    legend: { data: data.categories.map(function (c) { return c.name; }), top: 0 },
    series: [
      {
        type: "graph",
        layout: "force",
        roam: true,
        draggable: true,
        force: { repulsion: 160, edgeLength: 70 },
        categories: data.categories,
        label: { show: true, position: "right", formatter: "{b}" },
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 8,
        lineStyle: { color: "source", opacity: 0.7 },
        data: data.nodes,
        links: data.edges,
      },
    ],
  });
  chart.on("click", function (params) {
    if (params.dataType === "node" && params.data.url) {
      window.location.href = params.data.url;
    }
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
