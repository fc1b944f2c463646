// Draws "pledges by donor over time" from the numbers the server embedded in the page
// (json_script: no inline script). "All other donors" is grey; the year axis is continuous.
(function () {
  var source = document.getElementById("donor-chart-data");
  var canvas = document.getElementById("donor-chart");
  if (!source || !canvas) return;
  var data = JSON.parse(source.textContent);
  if (!window.Chart || !data.labels.length) {
    canvas.parentNode.insertAdjacentHTML("beforeend", "<p>No dated pledges with a USD value to draw.</p>");
    return;
  }
  var palette = ["#b03a2e", "#1f618d", "#b7950b", "#1e8449", "#6c3483", "#ca6f1e", "#117a65", "#2e4053"];
  var otherColour = "#bfc5ca";
  var money = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
  var colourIndex = 0;
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.datasets.map(function (set) {
        var colour = set.other ? otherColour : palette[colourIndex++ % palette.length];
        return { label: set.label, data: set.data, backgroundColor: colour };
      }),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { stacked: true, ticks: { autoSkip: true, maxRotation: 0 } },
        y: { stacked: true, ticks: { callback: function (v) { return "USD " + money.format(v); } } },
      },
      plugins: {
        tooltip: {
          callbacks: {
            label: function (ctx) {
              return ctx.raw === null ? null : ctx.dataset.label + ": USD " + money.format(ctx.raw);
            },
          },
        },
      },
    },
  });
})();
