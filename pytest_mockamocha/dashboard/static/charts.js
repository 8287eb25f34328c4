// Small SVG charts drawn with DOM calls (no library): vertical bars over days and
// horizontal bars for a top list. Each has a title and a text table twin for screen readers.

import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  for (const child of children) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

/** Vertical bars: `points` are `{label, value}`. */
export function barChart(title, points) {
  const width = 640;
  const height = 220;
  const pad = 28;
  const max = Math.max(1, ...points.map((p) => p.value));
  const step = (width - pad * 2) / Math.max(1, points.length);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart', 'aria-label': title });
  chart.append(svg('title', {}, title));
  chart.append(svg('line', { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, class: 'axis' }));
  chart.append(svg('text', { x: 2, y: pad - 8, class: 'tick' }, String(max)));
  points.forEach((p, n) => {
    const barHeight = ((height - pad * 2) * p.value) / max;
    const barWidth = Math.max(1, Math.min(48, step * 0.8));
    const x = pad + n * step + (step - barWidth) / 2;
    chart.append(
      svg('rect', { x, y: height - pad - barHeight, width: barWidth, height: barHeight, class: 'bar' }, svg('title', {}, `${p.label}: ${p.value}`)),
    );
    if (points.length <= 14 || n % Math.ceil(points.length / 10) === 0) {
      chart.append(svg('text', { x: x + barWidth / 2, y: height - 8, class: 'tick', 'text-anchor': 'middle' }, p.label.slice(5)));
    }
  });
  return figure(title, chart, points);
}

/** Horizontal bars, one a row, for a top-N list. */
export function hbarChart(title, points) {
  const width = 640;
  const rowHeight = 26;
  const labelWidth = 260;
  const height = Math.max(rowHeight, points.length * rowHeight) + 8;
  const max = Math.max(1, ...points.map((p) => p.value));
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart', 'aria-label': title });
  chart.append(svg('title', {}, title));
  points.forEach((p, n) => {
    const y = n * rowHeight + 4;
    const barWidth = ((width - labelWidth - 50) * p.value) / max;
    const label = p.label.length > 38 ? `${p.label.slice(0, 37)}…` : p.label;
    chart.append(svg('text', { x: 0, y: y + 16, class: 'label' }, label));
    chart.append(svg('rect', { x: labelWidth, y, width: Math.max(1, barWidth), height: rowHeight - 8, class: 'bar' }));
    chart.append(svg('text', { x: labelWidth + barWidth + 6, y: y + 16, class: 'tick' }, String(p.value)));
  });
  return figure(title, chart, points);
}

function figure(title, chart, points) {
  return h(
    'figure',
    { class: 'chart-figure' },
    h('figcaption', {}, title),
    chart,
    h(
      'details',
      {},
      h('summary', {}, 'As a table'),
      h('table', { class: 'grid' }, h('tbody', {}, points.map((p) => h('tr', {}, h('th', { scope: 'row' }, p.label), h('td', { class: 'num' }, String(p.value)))))),
    ),
  );
}
