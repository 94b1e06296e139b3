// Draws the dashboard's RAG chart from the JSON the page embeds; the table above it
// carries the same figures for people who cannot see the chart.
(function () {
  const source = document.getElementById("rag-chart-data");
  const canvas = document.getElementById("rag-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = { red: "#d4351c", amber: "#f47738", green: "#00703c", grey: "#505a5f" };
  const patterns = { red: [], amber: [6, 3], green: [2, 2], grey: [8, 2, 2, 2] };
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map((s) => ({
        label: s.label,
        data: s.data,
        backgroundColor: colours[s.rag],
        borderColor: "#0b0c0c",
        borderWidth: 1,
        borderDash: patterns[s.rag],
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
