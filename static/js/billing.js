/* The usage chart of the billing page: data from json_script, Chart.js vendored in static/js/vendor. */
(function () {
  "use strict";
  function draw() {
    var data = document.getElementById("usage-series");
    var canvas = document.getElementById("usage-chart");
    if (!data || !canvas || typeof Chart === "undefined") { return; }
    var series = JSON.parse(data.textContent);
    var labels = JSON.parse(document.getElementById("usage-labels").textContent);
    var primary = getComputedStyle(document.documentElement).getPropertyValue("--primary").trim() || "#4f46e5";
    var chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: series.labels,
        datasets: [
          { type: "bar", label: labels.questions, data: series.questions, backgroundColor: primary, yAxisID: "y" },
          { type: "line", label: labels.tokens, data: series.tokens, borderColor: "#0ea5e9", backgroundColor: "#0ea5e9", yAxisID: "y1", tension: 0.25, pointRadius: 2 }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { beginAtZero: true, title: { display: true, text: labels.questions }, ticks: { precision: 0 } },
          y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: labels.tokens } }
        }
      }
    });
    canvas.setAttribute("data-chart-ready", "true");
    canvas.chart = chart;
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
