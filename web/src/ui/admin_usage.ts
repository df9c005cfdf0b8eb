// Admin: usage from metering. Per UTC day: participant-minutes, meetings and peak concurrency as
// SVG bar charts and a table, totals for the range, and the JSON and CSV reports as downloads.
import type { UsageReport } from '../protocol/admin_api';
import { dayValue, defaultRange, fillDays, totals, usageMetrics } from '../state/usage_series';
import type { AdminPage } from './admin_screen';
import { download, h, replace } from './dom';
import { barChart } from './usage_chart';

export function adminUsage(page: AdminPage, root: HTMLElement) {
  const { ctx, api } = page;
  const { t } = ctx;
  const range = defaultRange(Date.now());
  const from = h('input', { id: 'usage-from', type: 'date', value: range.from, required: true });
  const to = h('input', { id: 'usage-to', type: 'date', value: range.to, required: true });
  const status = h('p', { class: 'admin-status', id: 'usage-status', role: 'status', 'aria-live': 'polite' });
  const out = h('div', { class: 'usage-out', id: 'usage-out' });
  const number = new Intl.NumberFormat(ctx.locale, { maximumFractionDigits: 1 });
  const dayLabel = (day: string) => new Date(`${day}T00:00:00Z`).toLocaleDateString(ctx.locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });

  function draw(report: UsageReport) {
    const days = fillDays(report.days, report.from, report.to);
    const sum = totals(report.days);
    replace(
      out,
      h(
        'dl',
        { class: 'usage-totals', id: 'usage-totals' },
        usageMetrics.map((m) => h('div', { 'data-metric': m }, h('dt', null, t(`admin.usage.total.${m}`)), h('dd', { class: 'mono' }, number.format(sum[m])))),
      ),
      report.pending_events > 0 && h('p', { class: 'hint', id: 'usage-pending' }, t('admin.usage.pending', { n: report.pending_events })),
      h(
        'div',
        { class: 'usage-charts' },
        usageMetrics.map((m) =>
          h(
            'figure',
            { class: 'usage-chart' },
            h('figcaption', null, t(`admin.usage.${m}`)),
            barChart({
              id: `chart-${m}`,
              title: t(`admin.usage.${m}`),
              summary: t('admin.usage.chartSummary', { total: number.format(sum[m]), from: report.from, to: report.to }),
              points: days.map((d) => ({ label: d.day, value: dayValue(d, m) })),
              format: (n) => number.format(n),
              whole: m !== 'participant_minutes',
              dayLabel,
            }),
          ),
        ),
      ),
      h(
        'details',
        { class: 'usage-table' },
        h('summary', null, t('admin.usage.asTable')),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'admin-table', id: 'usage-table' },
            h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('admin.usage.day')), usageMetrics.map((m) => h('th', { scope: 'col' }, t(`admin.usage.${m}`))))),
            h(
              'tbody',
              null,
              report.days.length
                ? report.days.map((d) => h('tr', { 'data-day': d.day }, h('th', { scope: 'row' }, d.day), usageMetrics.map((m) => h('td', { 'data-metric': m }, number.format(dayValue(d, m))))))
                : h('tr', null, h('td', { colspan: 4, class: 'empty' }, t('admin.usage.none'))),
            ),
          ),
        ),
      ),
    );
  }

  async function load() {
    status.textContent = t('admin.loading');
    status.className = 'admin-status';
    try {
      draw(await api.usage(from.value, to.value));
      status.textContent = t('admin.usage.updated', { time: new Date().toLocaleTimeString(ctx.locale) });
    } catch (e) {
      status.textContent = page.fail(e);
      status.className = 'admin-status error';
    }
  }

  async function save(format: 'json' | 'csv') {
    try {
      const text = await api.usageText(from.value, to.value, format);
      download(`parley-usage-${from.value}-${to.value}.${format}`, text, format === 'csv' ? 'text/csv' : 'application/json');
    } catch (e) {
      status.textContent = page.fail(e);
      status.className = 'admin-status error';
    }
  }

  replace(
    root,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'usage-title' },
      h('h2', { id: 'usage-title' }, t('admin.tab.usage')),
      h('p', { class: 'hint' }, t('admin.usage.intro')),
      h(
        'form',
        {
          class: 'admin-filters',
          id: 'usage-form',
          onsubmit: (e: Event) => {
            e.preventDefault();
            void load();
          },
        },
        h('div', null, h('label', { for: 'usage-from' }, t('admin.usage.from')), from),
        h('div', null, h('label', { for: 'usage-to' }, t('admin.usage.to')), to),
        h(
          'div',
          { class: 'filter-actions' },
          h('button', { type: 'submit', class: 'primary', id: 'usage-refresh' }, t('admin.usage.show')),
          h('button', { type: 'button', id: 'usage-json', onclick: () => void save('json') }, t('admin.usage.downloadJson')),
          h('button', { type: 'button', id: 'usage-csv', onclick: () => void save('csv') }, t('admin.usage.downloadCsv')),
        ),
      ),
      status,
      out,
    ),
  );
  void load();
}
