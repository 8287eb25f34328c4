// Analytics: requests by day and the top endpoints over a period (24h, 7d, 30d, 90d), and
// coverage per collection (operations, response statuses, parameters hit).

import { all, api } from './api.js';
import { barChart, hbarChart } from './charts.js';
import { field, fill, h, table } from './dom.js';

const PERIODS = [
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
  ['90d', 'Last 90 days'],
];

export async function renderAnalytics(main) {
  const collections = await all(api.collections.iter());
  const period = field('Period', h('select', { name: 'period' }, PERIODS.map(([v, t]) => h('option', { value: v, selected: v === '30d' }, t))));
  const collection = field(
    'Collection',
    h('select', { name: 'collection' }, h('option', { value: '' }, 'All'), collections.map((c) => h('option', { value: c.id }, c.name))),
  );
  const body = h('div', { 'aria-live': 'polite' });
  const draw = async () => {
    const wanted = collection.input.value || undefined;
    const [report, coverage] = await Promise.all([
      api.analytics.requests({ time_period: period.input.value, collection_id: wanted }),
      api.coverage(wanted, { timePeriod: period.input.value }),
    ]);
    fill(body, summary(report), charts(report), coverageTable(coverage));
  };
  period.input.addEventListener('change', draw);
  collection.input.addEventListener('change', draw);
  fill(main, h('h1', {}, 'Analytics'), h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() }, period.wrap, collection.wrap), body);
  await draw();
}

function summary(report) {
  return h(
    'dl',
    { class: 'facts big' },
    h('dt', {}, 'Requests (all time)'),
    h('dd', {}, String(report.total_requests)),
    h('dt', {}, 'Endpoints requested'),
    h('dd', {}, String(report.unique_endpoints)),
  );
}

function charts(report) {
  const days = report.requests_by_day.map((d) => ({ label: d.date, value: d.count }));
  const top = report.top_endpoints.map((e) => ({ label: `${e.method} ${e.path}`, value: e.requests_count }));
  return h(
    'div',
    { class: 'columns' },
    h('section', { class: 'card' }, days.length ? barChart('Requests by day', days) : h('p', {}, 'No requests in this period.')),
    h('section', { class: 'card' }, top.length ? hbarChart('Top endpoints', top) : h('p', {}, 'No endpoint requested yet.')),
  );
}

const pct = (part) => `${part.hit} of ${part.declared} (${part.percent}%)`;

function coverageTable(coverage) {
  const rows = coverage.collections.map((c) =>
    h(
      'tr',
      {},
      h('td', { 'data-label': 'Collection' }, c.title || c.slug),
      h('td', { 'data-label': 'Operations' }, meter(c.operations), pct(c.operations)),
      h('td', { 'data-label': 'Statuses' }, meter(c.responses), pct(c.responses)),
      h('td', { 'data-label': 'Parameters' }, meter(c.parameters), pct(c.parameters)),
      h('td', { class: 'num', 'data-label': 'Requests' }, String(c.requests)),
      h('td', { class: 'num', 'data-label': 'Violations' }, String(c.violations)),
    ),
  );
  return h(
    'section',
    { 'aria-labelledby': 'coverage-title' },
    h('h2', { id: 'coverage-title' }, 'Coverage per collection'),
    h('p', { class: 'hint' }, 'Over every request the server has counted, whatever the period.'),
    rows.length ? table(null, ['Collection', 'Operations', 'Statuses', 'Parameters', 'Requests', 'Violations'], rows) : h('p', { class: 'muted' }, 'No collection with a document yet.'),
  );
}

function meter(part) {
  return h('meter', { min: 0, max: 100, value: String(part.percent), 'aria-label': `${part.percent}%` });
}
