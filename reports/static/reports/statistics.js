/* The statistics page's two charts, drawn with Chart.js (served from reports/static, no CDN). */
(function () {
  var source = document.getElementById("statistics-chart-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var colours = {enrolled: "#3f51b5", suspended: "#fb8c00", dropped_out: "#e53935"};
  var font = {family: '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif'};
  Chart.defaults.font.family = font.family;

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    var existing = Chart.getChart(canvas);
    if (existing) existing.destroy();
    var chart = new Chart(canvas, config);
    // Tests and people can tell the chart is there: the canvas says how many bars it drew.
    canvas.dataset.drawn = String(chart.data.datasets.reduce(function (n, d) { return n + d.data.length; }, 0));
  }

  draw("chart-enrolment", {
    type: "bar",
    data: {
      labels: data.enrolment.labels,
      datasets: data.enrolment.datasets.map(function (d) {
        return {label: d.label, data: d.data, backgroundColor: colours[d.key] || "#9e9e9e"};
      })
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, ticks: {precision: 0}}},
      plugins: {legend: {position: "bottom"}}
    }
  });
  draw("chart-changes", {
    type: "bar",
    data: {labels: data.changes.labels, datasets: [{label: "人次", data: data.changes.data, backgroundColor: "#26a69a"}]},
    options: {
      indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
      scales: {x: {beginAtZero: true, ticks: {precision: 0}}},
      plugins: {legend: {display: false}}
    }
  });
})();
