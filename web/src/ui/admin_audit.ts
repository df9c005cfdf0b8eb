// Admin: the audit log. Filters (event type, user, time range), pages of 50 by sequence number,
// export of everything the filters match (NDJSON), and the hash chain's verification.
import type { AdminUser, AuditEntry } from '../protocol/admin_api';
import { AuditPager, auditKinds, auditQuery, type AuditFilter } from '../state/audit_query';
import type { AdminPage } from './admin_screen';
import { download, h, replace } from './dom';

export function adminAudit(page: AdminPage, root: HTMLElement) {
  const { ctx, api } = page;
  const { t } = ctx;
  const pager = new AuditPager(50);
  let users: AdminUser[] = [];
  const nameOf = (id: string) => users.find((u) => u.id === id)?.username;

  const kind = h('input', { id: 'audit-kind', list: 'audit-kinds', placeholder: t('admin.audit.kindHint'), autocomplete: 'off' });
  const kinds = h('datalist', { id: 'audit-kinds' }, auditKinds.map((k) => h('option', { value: k })));
  const actor = h('select', { id: 'audit-actor' }, h('option', { value: '' }, t('admin.audit.anyone')));
  const from = h('input', { id: 'audit-from', type: 'datetime-local' });
  const to = h('input', { id: 'audit-to', type: 'datetime-local' });
  const status = h('p', { class: 'admin-status', id: 'audit-status', role: 'status', 'aria-live': 'polite' });
  const verdict = h('p', { class: 'audit-verdict', id: 'audit-verdict', role: 'status' });
  const tbody = h('tbody', { id: 'audit-rows' });
  const prev = h('button', { type: 'button', id: 'audit-prev', class: 'small', onclick: () => { pager.previous(); void load(); } }, t('admin.audit.previous'));
  let last: AuditEntry[] = [];
  const next = h(
    'button',
    {
      type: 'button',
      id: 'audit-next',
      class: 'small',
      onclick: () => {
        if (!last.length) return;
        pager.next(last[last.length - 1].seq);
        void load();
      },
    },
    t('admin.audit.next'),
  );
  const pageNo = h('span', { class: 'hint', id: 'audit-page' });

  const filter = (): AuditFilter => ({ kind: kind.value, actor: actor.value, from: from.value, to: to.value });
  const fail = (e: unknown) => {
    status.textContent = page.fail(e);
    status.className = 'admin-status error';
  };
  const at = (ms: number) => new Date(ms).toLocaleString(ctx.locale, { dateStyle: 'short', timeStyle: 'medium' });

  function row(e: AuditEntry) {
    const target = e.target && (nameOf(e.target) ?? e.target);
    return h(
      'tr',
      { 'data-seq': e.seq, 'data-kind': e.kind },
      h('td', { class: 'mono', 'data-label': '#' }, e.seq),
      h('td', { 'data-label': t('admin.audit.time') }, at(e.at_ms)),
      h('td', { 'data-label': t('admin.audit.kind') }, h('code', null, e.kind)),
      h('td', { 'data-label': t('admin.audit.actor') }, e.actor_name || (e.actor_id !== '0000000000000000' ? e.actor_id : '—')),
      h('td', { 'data-label': t('admin.audit.target') }, target || '—'),
      h('td', { 'data-label': t('admin.audit.detail') }, e.detail || ''),
      h('td', { class: 'mono', 'data-label': t('admin.audit.address') }, e.address || ''),
    );
  }

  async function load() {
    status.textContent = t('admin.loading');
    status.className = 'admin-status';
    try {
      last = await api.audit(auditQuery(filter(), { after: pager.after, limit: pager.size }));
      replace(tbody, last.length ? last.map(row) : h('tr', null, h('td', { colspan: 7, class: 'empty' }, t('admin.audit.none'))));
      status.textContent = t('admin.audit.shown', { n: last.length });
      prev.disabled = !pager.hasPrevious;
      next.disabled = !pager.hasNext(last.length);
      pageNo.textContent = t('admin.audit.pageNo', { n: pager.index + 1 });
    } catch (e) {
      fail(e);
    }
  }

  async function verify() {
    verdict.textContent = t('admin.loading');
    verdict.className = 'audit-verdict';
    try {
      const v = await api.auditVerify();
      verdict.className = `audit-verdict ${v.intact ? 'ok' : 'broken'}`;
      verdict.dataset.intact = String(v.intact);
      verdict.textContent = v.intact
        ? t('admin.audit.intact', { n: v.entries })
        : t('admin.audit.broken', { seq: v.first_broken ?? '?', problem: v.problem ?? '' });
    } catch (e) {
      verdict.textContent = page.fail(e);
      verdict.className = 'audit-verdict broken';
    }
  }

  async function exportAll() {
    try {
      const text = await api.auditExport(auditQuery(filter()));
      download(`parley-audit-${new Date().toISOString().slice(0, 10)}.ndjson`, text, 'application/x-ndjson');
      status.textContent = t('admin.audit.exported', { n: text.split('\n').filter(Boolean).length });
      status.className = 'admin-status ok';
    } catch (e) {
      fail(e);
    }
  }

  replace(
    root,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'audit-title' },
      h('h2', { id: 'audit-title' }, t('admin.tab.audit'), h('button', { type: 'button', class: 'small', id: 'audit-verify', onclick: () => void verify() }, t('admin.audit.verify'))),
      verdict,
      h(
        'form',
        {
          class: 'admin-filters',
          id: 'audit-form',
          onsubmit: (e: Event) => {
            e.preventDefault();
            pager.reset();
            void load();
          },
        },
        h('div', null, h('label', { for: 'audit-kind' }, t('admin.audit.kind')), kind, kinds),
        h('div', null, h('label', { for: 'audit-actor' }, t('admin.audit.actor')), actor),
        h('div', null, h('label', { for: 'audit-from' }, t('admin.audit.from')), from),
        h('div', null, h('label', { for: 'audit-to' }, t('admin.audit.to')), to),
        h(
          'div',
          { class: 'filter-actions' },
          h('button', { type: 'submit', class: 'primary', id: 'audit-apply' }, t('admin.audit.apply')),
          h('button', { type: 'button', id: 'audit-export', onclick: () => void exportAll() }, t('admin.audit.export')),
        ),
      ),
      status,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'admin-table stack', id: 'audit-table' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, '#'), ...['time', 'kind', 'actor', 'target', 'detail', 'address'].map((c) => h('th', { scope: 'col' }, t(`admin.audit.${c}`))))),
          tbody,
        ),
      ),
      h('div', { class: 'admin-pager' }, prev, pageNo, next),
    ),
  );
  // Names first, so that targets show as usernames; the log still loads without them.
  api
    .listUsers()
    .then(
      (list) => {
        users = list.sort((a, b) => a.username.localeCompare(b.username));
        actor.append(...users.map((u) => h('option', { value: u.id }, `${u.username} (${u.display_name})`)));
      },
      () => undefined,
    )
    .finally(() => void load());
  void verify();
}
