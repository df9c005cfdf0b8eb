// Admin: API keys. Lists the keys the server reports (GET /api/v1/keys); a server without API
// keys says so here instead of showing anything made up.
import { isMissingRoute, type ApiKey } from '../protocol/admin_api';
import type { AdminPage } from './admin_screen';
import { h, replace } from './dom';

export function adminKeys(page: AdminPage, root: HTMLElement) {
  const { ctx, api } = page;
  const { t } = ctx;
  const when = (unix: number) => (unix ? new Date(unix * 1000).toLocaleString(ctx.locale, { dateStyle: 'medium', timeStyle: 'short' }) : t('admin.keys.never'));
  const section = (...children: (Node | string | false)[]) =>
    replace(root, h('section', { class: 'card', 'aria-labelledby': 'keys-title', id: 'keys-section' }, h('h2', { id: 'keys-title' }, t('admin.tab.keys')), ...children));

  const table = (keys: ApiKey[]) =>
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'admin-table stack', id: 'keys-table' },
        h('thead', null, h('tr', null, ...['id', 'name', 'scopes', 'created', 'expires', 'state'].map((c) => h('th', { scope: 'col' }, t(`admin.keys.${c}`))))),
        h(
          'tbody',
          null,
          keys.length
            ? keys.map((k) =>
                h(
                  'tr',
                  null,
                  h('td', { class: 'mono', 'data-label': t('admin.keys.id') }, k.access_key_id),
                  h('td', { 'data-label': t('admin.keys.name') }, k.name),
                  h('td', { 'data-label': t('admin.keys.scopes') }, k.scopes.join(', ')),
                  h('td', { 'data-label': t('admin.keys.created') }, when(k.created_at)),
                  h('td', { 'data-label': t('admin.keys.expires') }, when(k.expires_at)),
                  h('td', { 'data-label': t('admin.keys.state') }, t(k.revoked ? 'admin.keys.revoked' : 'admin.keys.active')),
                ),
              )
            : h('tr', null, h('td', { colspan: 6, class: 'empty' }, t('admin.keys.none'))),
        ),
      ),
    );

  section(h('p', { class: 'hint' }, t('admin.loading')));
  api.apiKeys().then(
    (keys) => section(h('p', { class: 'hint' }, t('admin.keys.intro')), table(keys)),
    (e) =>
      isMissingRoute(e)
        ? section(h('p', { class: 'admin-note', id: 'keys-unavailable', role: 'status' }, t('admin.keys.unavailable')), h('p', { class: 'hint' }, t('admin.keys.available')))
        : section(h('p', { class: 'admin-status error', role: 'alert' }, page.fail(e))),
  );
}
