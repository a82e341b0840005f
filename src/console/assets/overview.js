// The traffic overview's script (/console/overview): draws the two charts and keeps every figure current by
// asking /console/overview.json every few seconds while the tab is visible (short requests: nothing stays open).
// The page is complete without it; it only updates the elements marked data-field, by their key.
(() => {
  const root = document.getElementById('overview');
  if (!root) return;
  const source = root.dataset.source;
  const pollMs = Math.max(2, Number(root.dataset.pollSeconds) || 5) * 1000;
  const live = document.querySelector('[data-testid=live]');
  const COLOURS = { received: '#1f5fbf', delivered: '#2e7d32', failed: '#b3261e', refused: '#b06f00' };
  const charts = new Map();
  let timer;
  let failures = 0;
  let stopped = false;
  let busy = false;

  function say(text, state) {
    if (!live) return;
    live.textContent = text;
    live.dataset.state = state;
  }

  function labels(chart) {
    const start = Date.parse(chart.start);
    const step = chart.bucketSeconds * 1000;
    const length = chart.series.received.length;
    return Array.from({ length }, (_, i) => new Date(start + i * step).toISOString().slice(11, 16));
  }

  function drawCharts(data) {
    if (typeof window.Chart !== 'function') return;
    for (const canvas of root.querySelectorAll('canvas[data-chart]')) {
      const chart = data.charts[canvas.dataset.chart];
      if (!chart) continue;
      const datasets = Object.keys(COLOURS).map((outcome) => ({
        label: outcome,
        data: chart.series[outcome],
        borderColor: COLOURS[outcome],
        backgroundColor: COLOURS[outcome],
        borderWidth: 1.5,
        pointRadius: 0,
        tension: 0.2,
      }));
      const existing = charts.get(canvas);
      if (existing) {
        existing.data.labels = labels(chart);
        existing.data.datasets.forEach((d, i) => (d.data = datasets[i].data));
        existing.update('none');
      } else {
        charts.set(
          canvas,
          new window.Chart(canvas, {
            type: 'line',
            data: { labels: labels(chart), datasets },
            options: {
              animation: false,
              maintainAspectRatio: false,
              interaction: { mode: 'index', intersect: false },
              scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { maxTicksLimit: 12 } } },
              plugins: { legend: { position: 'bottom' } },
            },
          }),
        );
      }
    }
  }

  function updateFields(data) {
    for (const element of root.querySelectorAll('[data-field]')) {
      const key = element.dataset.field;
      if (key in data.fields && element.textContent !== data.fields[key]) element.textContent = data.fields[key];
      if (key in data.states) element.dataset.state = data.states[key];
    }
  }

  function updateRefusalCodes(data) {
    const list = root.querySelector('[data-testid=refusal-codes]');
    if (!list) return;
    const entries = [];
    for (const [partner, codes] of Object.entries(data.refusalCodes)) for (const [code, n] of Object.entries(codes)) entries.push({ partner, code, n });
    entries.sort((a, b) => b.n - a.n || a.partner.localeCompare(b.partner) || a.code.localeCompare(b.code));
    const items = entries.map((e) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = `/console/refusals?${new URLSearchParams({ partner: e.partner, code: e.code, from: data.refusalsFrom })}`;
      a.textContent = `${e.partner}: ${e.code}`;
      const n = document.createElement('span');
      n.className = 'count';
      n.textContent = e.n.toLocaleString('en-US');
      li.append(a, ' ', n);
      return li;
    });
    if (!items.length) {
      const li = document.createElement('li');
      li.className = 'muted';
      li.textContent = 'No refusal in the last 24 hours.';
      items.push(li);
    }
    list.replaceChildren(...items);
  }

  async function poll() {
    timer = undefined;
    if (stopped || busy || document.visibilityState === 'hidden') return;
    busy = true;
    try {
      // A session that ended answers with a redirect to the sign-in: stop asking then, and say so.
      const response = await fetch(source, { headers: { accept: 'application/json' }, redirect: 'manual', cache: 'no-store' });
      if (response.type === 'opaqueredirect' || response.status === 401 || response.status === 403) {
        stopped = true;
        say('Updates stopped: your session has ended. Reload the page to sign in again.', 'stopped');
        return;
      }
      if (!response.ok) throw new Error(`status ${response.status}`);
      const data = await response.json();
      updateFields(data);
      updateRefusalCodes(data);
      drawCharts(data);
      failures = 0;
      say(`updated every ${pollMs / 1000} s while this page is open.`, 'live');
    } catch (error) {
      failures++;
      say(`The hub did not answer the last ${failures === 1 ? 'update' : `${failures} updates`} (${error.message}); these figures are older. Trying again.`, 'stale');
    } finally {
      busy = false;
    }
    schedule();
  }

  function schedule() {
    if (stopped || timer !== undefined) return;
    // After failures, wait longer (up to a minute) so a hub that is down is not asked every few seconds.
    timer = setTimeout(poll, Math.min(60_000, pollMs * 2 ** Math.min(failures, 4)));
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && timer === undefined) void poll();
  });

  // The first drawing uses the figures the page came with; the same JSON then keeps them current.
  void poll();
})();
