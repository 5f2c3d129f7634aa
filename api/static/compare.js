// The compare page's charts (Apache ECharts, served by Quanze at /vendor/echarts/).
(function () {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const colours = {3: "#cf222e", 2: "#d4a72c", 1: "#2da44e"};
  const charts = [];
  function chart(id, option) {
    const el = document.getElementById(id);
    if (!el || !window.echarts) return;
    const c = window.echarts.init(el);
    c.setOption(Object.assign({animation: false, tooltip: {trigger: "axis"}}, option));
    charts.push(c);
  }
  chart("chart-types", {
    legend: {type: "scroll", top: 0}, grid: {left: 50, right: 20, top: 60, bottom: 30},
    xAxis: {type: "category", data: data.types.categories}, yAxis: {type: "value", minInterval: 1},
    series: data.types.series.map((s) => ({name: s.name, type: "bar", stack: "types", data: s.data, label: {show: false}})),
  });
  chart("chart-stages", {
    legend: {top: 0}, grid: {left: 50, right: 20, top: 40, bottom: 60},
    xAxis: {type: "category", data: data.stages.categories, axisLabel: {rotate: 30}}, yAxis: {type: "value", minInterval: 1},
    series: data.stages.series.map((s) => ({name: s.name, type: "bar", stack: "levels", data: s.data, itemStyle: {color: colours[s.rank]}})),
  });
  chart("chart-articles", {
    grid: {left: 260, right: 30, top: 10, bottom: 20},
    xAxis: {type: "value", minInterval: 1}, yAxis: {type: "category", data: data.articles.labels, inverse: true, axisLabel: {width: 250, overflow: "truncate"}},
    series: [{type: "bar", data: data.articles.counts, itemStyle: {color: "#12355b"}}],
  });
  charts.length && charts[charts.length - 1].on("click", (p) => { if (data.articles.links[p.dataIndex]) location.href = data.articles.links[p.dataIndex]; });
  chart("chart-similarity", {
    tooltip: {position: "top"}, grid: {left: 80, right: 20, top: 10, bottom: 60},
    xAxis: {type: "category", data: data.jurisdictions}, yAxis: {type: "category", data: data.jurisdictions},
    visualMap: {min: 0, max: 1, calculable: true, orient: "horizontal", left: "center", bottom: 0, inRange: {color: ["#f6f8fa", "#12355b"]}},
    series: [{type: "heatmap", data: data.similarity, label: {show: true}}],
  });
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  window.quanzeCharts = charts;
})();
