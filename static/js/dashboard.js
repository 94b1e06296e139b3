// Draws the dashboard's RAG chart from the JSON the page embeds; the table above it
// carries the same figures for people who cannot see the chart.
(function () {
  const source = document.getElementById("rag-chart-data");
  const canvas = document.getElementById("rag-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map((s) => ({
        label: s.label,
        data: s.data,
        backgroundColor: s.colour,
        borderColor: "#0b0c0c",
        borderWidth: 1,
        borderDash: s.dash,
      })),
    },
    options: {
      indexAxis: "y",
      responsive: true,
      scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } },
      plugins: { legend: { position: "bottom" } },
    },
  });
})();
