// A daily bar chart drawn as inline SVG (no chart library): one bar per day, a rounded axis,
// a label every few days, and each bar's figure as its tooltip. Scales to its container.
import { axisMax } from '../state/usage_series';

const svgNs = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

export interface ChartPoint {
  label: string;
  value: number;
}

export function barChart(opts: { id: string; title: string; summary: string; points: ChartPoint[]; format: (n: number) => string; dayLabel: (label: string) => string; whole: boolean }): SVGSVGElement {
  const width = 640;
  const height = 220;
  const pad = { left: 56, right: 8, top: 12, bottom: 30 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const top = axisMax(Math.max(0, ...opts.points.map((p) => p.value)));
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', id: opts.id, role: 'img', 'aria-label': `${opts.title}: ${opts.summary}`, preserveAspectRatio: 'xMidYMid meet' });
  svg.append(el('title', {}, opts.title));
  // Grid lines and axis figures at 0, ½ and the top.
  for (const f of [0, 0.5, 1]) {
    if (opts.whole && !Number.isInteger(top * f)) continue; // no "0.5 meetings" line
    const y = pad.top + plotH * (1 - f);
    svg.append(el('line', { x1: pad.left, x2: width - pad.right, y1: y, y2: y, class: 'chart-grid' }));
    svg.append(el('text', { x: pad.left - 6, y: y + 4, 'text-anchor': 'end', class: 'chart-axis' }, opts.format(top * f)));
  }
  const n = opts.points.length;
  const slot = n ? plotW / n : plotW;
  const barW = Math.max(1, Math.min(28, slot * 0.7));
  const every = Math.max(1, Math.ceil(n / 6));
  opts.points.forEach((p, i) => {
    const x = pad.left + slot * i + (slot - barW) / 2;
    const h = (p.value / top) * plotH;
    const bar = el('rect', { x: x.toFixed(1), y: (pad.top + plotH - h).toFixed(1), width: barW.toFixed(1), height: Math.max(0, h).toFixed(1), rx: 2, class: p.value > 0 ? 'chart-bar' : 'chart-bar zero', 'data-day': p.label, 'data-value': p.value });
    bar.append(el('title', {}, `${opts.dayLabel(p.label)}: ${opts.format(p.value)}`));
    svg.append(bar);
    if (i % every !== 0) return;
    // The first and last labels align with the plot's edges so that they are not cut off.
    const [lx, anchor] = i === 0 ? [pad.left + slot * i, 'start'] : i === n - 1 ? [pad.left + slot * n, 'end'] : [pad.left + slot * i + slot / 2, 'middle'];
    svg.append(el('text', { x: lx.toFixed(1), y: height - 8, 'text-anchor': anchor, class: 'chart-axis' }, opts.dayLabel(p.label)));
  });
  return svg;
}
