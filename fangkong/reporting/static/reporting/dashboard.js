// Draws the dashboard's charts from the JSON in #dashboard-data with the vendored ECharts. Without
// JavaScript (or ECharts) the tables under each chart stay open: they hold the same numbers.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function draw(element, option) {
    element.hidden = false;
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
    var table = element.nextElementSibling;
    if (table && table.tagName === "DETAILS") {
      table.open = false; // the chart shows it; the table is a tap away
    }
    return chart;
  }

  data.trends.forEach(function (trend) {
    var element = document.getElementById(trend.id);
    if (!element) {
      return;
    }
    draw(element, {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.days, boundaryGap: false },
      yAxis: { type: "value", minInterval: 1 },
      series: trend.series.map(function (line) {
        return { name: line.name, type: "line", data: line.data, showSymbol: false, connectNulls: true };
      }),
    });
  });

  var children = data.children;
  var bars = document.getElementById("children-chart");
  if (bars && children.names.length) {
    // One band per child, tall enough for its bars, so a county's 20-odd townships stay readable.
    bars.style.height = Math.max(200, 60 + children.names.length * 32) + "px";
    var chart = draw(bars, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: children.names, inverse: true },
      series: children.series.map(function (bar) {
        return { name: bar.name, type: "bar", data: bar.data };
      }),
    });
    chart.on("click", function (params) {
      var link = children.links[params.dataIndex];
      if (link) {
        window.location.href = link;
      }
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      chart.resize();
    });
  });
})();
