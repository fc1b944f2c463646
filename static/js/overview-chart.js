// Draws "pledges by donor over time" from the numbers the server embedded in the page.
(function () {
  var data = JSON.parse(document.getElementById("donor-chart-data").textContent);
  var canvas = document.getElementById("donor-chart");
  if (!window.Chart || !canvas || !data.labels.length) {
    if (canvas) canvas.parentNode.insertAdjacentHTML("beforeend", "<p>No dated pledges with a USD value to draw.</p>");
    return;
  }
  var palette = ["#b03a2e", "#1f618d", "#b7950b", "#1e8449", "#6c3483", "#ca6f1e", "#117a65", "#566573"];
  var money = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.datasets.map(function (set, i) {
        return { label: set.label, data: set.data, backgroundColor: palette[i % palette.length] };
      }),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { stacked: true },
        y: { stacked: true, ticks: { callback: function (v) { return "USD " + money.format(v); } } },
      },
      plugins: {
        tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ": USD " + money.format(ctx.raw); } } },
      },
    },
  });
})();
