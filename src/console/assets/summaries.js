// The department summaries' charts (src/console/summaries.ts). Each <canvas data-chart="..."> carries its chart as
// JSON (type, labels, datasets, axis); Chart.js (chart.umd.min.js, loaded before this script) draws it. No inline
// script or style: the CSP allows only the console's own files. Once drawn, the canvas gets data-drawn="yes".
const PALETTE = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b7791f', '#c53030', '#2c7a7b', '#97266d', '#4a5568', '#276749'];

for (const canvas of document.querySelectorAll('canvas[data-chart]')) {
  let spec;
  try {
    spec = JSON.parse(canvas.getAttribute('data-chart'));
  } catch {
    canvas.setAttribute('data-drawn', 'error');
    continue;
  }
  if (typeof window.Chart !== 'function') {
    canvas.setAttribute('data-drawn', 'no-chart-library');
    continue;
  }
  const datasets = spec.datasets.map((d, i) => ({
    label: d.label,
    data: d.data,
    backgroundColor: PALETTE[i % PALETTE.length],
    borderColor: PALETTE[i % PALETTE.length],
  }));
  if (!datasets.length) canvas.closest('figure')?.classList.add('empty');
  // eslint-disable-next-line no-new
  new window.Chart(canvas, {
    type: spec.type,
    data: { labels: spec.labels, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { stacked: Boolean(spec.stacked), ticks: { autoSkip: true, maxRotation: 60 } },
        y: { stacked: Boolean(spec.stacked), beginAtZero: true, title: { display: true, text: spec.axis } },
      },
      plugins: { legend: { display: datasets.length > 0, position: 'bottom' } },
    },
  });
  canvas.setAttribute('data-drawn', 'yes');
}
