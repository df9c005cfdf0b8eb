// Admin: API keys. Make a key for oneself or for a service account (made here too) with scopes;
// its secret is shown exactly once, right after it is made. Lists the keys and revokes them.
// The server lists the caller's own keys (GET /api/v1/keys); keys made here for service
// accounts stay in the list until the page is left, so they can be revoked at once.
import { accountApi, apiKeyScopes, type ApiKeyCreated } from '../protocol/account_api';
import { isMissingRoute, type ApiKey } from '../protocol/admin_api';
import type { AdminPage } from './admin_screen';
import { confirmDialog } from './confirm_dialog';
import { copyText, h, replace } from './dom';

export function adminKeys(page: AdminPage, root: HTMLElement) {
  const { ctx, api } = page;
  const { t } = ctx;
  const token = ctx.session!.token;
  const when = (unix: number) => (unix ? new Date(unix * 1000).toLocaleString(ctx.locale, { dateStyle: 'medium', timeStyle: 'short' }) : t('admin.keys.never'));
  let keys: ApiKey[] = [];
  const madeHere: ApiKey[] = [];
  const status = h('p', { class: 'admin-status', id: 'keys-status', role: 'status', 'aria-live': 'polite' });
  const say = (text: string, kind: 'ok' | 'error' = 'ok') => {
    status.textContent = text;
    status.className = `admin-status ${kind}`;
  };
  const tableHost = h('div', { id: 'keys-list' });
  const secretHost = h('div', { id: 'key-secret-host' });

  const all = () => {
    const seen = new Set(keys.map((k) => k.access_key_id));
    return [...keys, ...madeHere.filter((k) => !seen.has(k.access_key_id))];
  };

  async function revoke(k: ApiKey) {
    const sure = await confirmDialog({
      title: t('admin.keys.revokeTitle', { id: k.access_key_id }),
      body: t('admin.keys.revokeBody'),
      confirm: t('admin.keys.revoke'),
      cancel: t('admin.cancel'),
    });
    if (!sure) return;
    try {
      const revoked = await accountApi.revokeKey(token, k.access_key_id);
      for (const list of [keys, madeHere]) {
        const i = list.findIndex((x) => x.access_key_id === k.access_key_id);
        if (i >= 0) list[i] = { ...list[i], revoked: revoked?.revoked ?? true };
      }
      drawTable();
      say(t('admin.keys.revokedNote', { id: k.access_key_id }));
    } catch (e) {
      say(page.fail(e), 'error');
    }
  }

  function drawTable() {
    const rows = all();
    replace(
      tableHost,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'admin-table stack', id: 'keys-table' },
          h('thead', null, h('tr', null, ...['id', 'name', 'owner', 'scopes', 'created', 'state', 'actions'].map((c) => h('th', { scope: 'col' }, t(`admin.keys.${c}`))))),
          h(
            'tbody',
            null,
            rows.length
              ? rows.map((k) =>
                  h(
                    'tr',
                    { 'data-key': k.access_key_id },
                    h('td', { class: 'mono', 'data-label': t('admin.keys.id') }, k.access_key_id),
                    h('td', { 'data-label': t('admin.keys.name') }, k.name),
                    h('td', { 'data-label': t('admin.keys.owner') }, k.owner),
                    h('td', { 'data-label': t('admin.keys.scopes') }, k.scopes.join(', ')),
                    h('td', { 'data-label': t('admin.keys.created') }, when(k.created_at)),
                    h('td', { 'data-label': t('admin.keys.state'), class: 'key-state' }, t(k.revoked ? 'admin.keys.revoked' : 'admin.keys.active')),
                    h(
                      'td',
                      { 'data-label': t('admin.keys.actions') },
                      !k.revoked && h('button', { type: 'button', class: 'small danger', 'data-action': 'revoke', 'aria-label': t('admin.keys.revokeOne', { id: k.access_key_id }), onclick: () => revoke(k) }, t('admin.keys.revoke')),
                    ),
                  ),
                )
              : h('tr', null, h('td', { colspan: 7, class: 'empty' }, t('admin.keys.none'))),
          ),
        ),
      ),
    );
  }

  function showSecret(k: ApiKeyCreated) {
    const hide = h('button', { type: 'button', id: 'key-secret-done', onclick: () => replace(secretHost) }, t('admin.keys.secretDone'));
    replace(
      secretHost,
      h(
        'div',
        { class: 'card key-secret', id: 'key-secret', role: 'region', 'aria-labelledby': 'key-secret-title' },
        h('h3', { id: 'key-secret-title' }, t('admin.keys.secretTitle')),
        h('p', { class: 'hint' }, t('admin.keys.secretOnce')),
        h('p', null, t('admin.keys.id'), ': ', h('span', { class: 'mono', id: 'new-key-id' }, k.access_key_id)),
        h('p', null, t('admin.keys.secret'), ': ', h('span', { class: 'mono secret', id: 'new-key-secret' }, k.secret)),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', id: 'key-secret-copy', onclick: async () => ctx.toast(t((await copyText(`${k.access_key_id}\n${k.secret}`)) ? 'admin.keys.copied' : 'mfa.copyFailed')) }, t('admin.keys.copy')),
          hide,
        ),
      ),
    );
    hide.focus();
  }

  function createForm() {
    const name = h('input', { id: 'key-name', maxlength: 64 });
    const owner = h('input', { id: 'key-owner', maxlength: 32, autocomplete: 'off', placeholder: t('admin.keys.ownerSelf') });
    const boxes = apiKeyScopes.map((s) => h('input', { type: 'checkbox', value: s, id: `key-scope-${s.replace(':', '-')}`, checked: s === 'profile:read' }));
    const formError = h('p', { class: 'form-error', role: 'alert', id: 'key-error' });
    return h(
      'form',
      {
        class: 'card',
        id: 'key-form',
        'aria-labelledby': 'key-form-title',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          formError.textContent = '';
          const scopes = boxes.filter((b) => b.checked).map((b) => b.value);
          if (!scopes.length) {
            formError.textContent = t('admin.keys.pickScope');
            return boxes[0].focus();
          }
          const request: { scopes: string[]; name?: string; owner?: string } = { scopes };
          if (name.value.trim()) request.name = name.value.trim();
          if (owner.value.trim()) request.owner = owner.value.trim();
          try {
            const made = await accountApi.createKey(token, request);
            const { secret: _secret, ...listed } = made;
            madeHere.push(listed);
            drawTable();
            showSecret(made);
            say(t('admin.keys.createdNote', { id: made.access_key_id }));
          } catch (err) {
            formError.textContent = page.fail(err);
          }
        },
      },
      h('h3', { id: 'key-form-title' }, t('admin.keys.create')),
      h('label', { for: 'key-name' }, t('admin.keys.name')),
      name,
      h('label', { for: 'key-owner' }, t('admin.keys.ownerLabel')),
      owner,
      h('p', { class: 'hint' }, t('admin.keys.ownerHint')),
      h(
        'fieldset',
        null,
        h('legend', null, t('admin.keys.scopes')),
        boxes.map((b) => h('label', { class: 'check' }, b, h('span', { class: 'mono' }, b.value), h('span', null, `\u00a0— ${t(`admin.keys.scope.${b.value}`)}`))),
      ),
      formError,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'key-create' }, t('admin.keys.createButton'))),
    );
  }

  function serviceAccountForm() {
    const username = h('input', { id: 'sa-username', maxlength: 32, minlength: 3, required: true, autocomplete: 'off' });
    const display = h('input', { id: 'sa-display-name', maxlength: 64 });
    const formError = h('p', { class: 'form-error', role: 'alert', id: 'sa-error' });
    return h(
      'form',
      {
        class: 'card',
        id: 'sa-form',
        'aria-labelledby': 'sa-title',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          formError.textContent = '';
          try {
            const user = await accountApi.createServiceAccount(token, { username: username.value.trim(), display_name: display.value.trim() || undefined });
            say(t('admin.keys.serviceCreated', { name: user.username }));
            const ownerInput = root.querySelector<HTMLInputElement>('#key-owner');
            if (ownerInput) ownerInput.value = user.username;
            username.value = '';
            display.value = '';
          } catch (err) {
            formError.textContent = page.fail(err);
          }
        },
      },
      h('h3', { id: 'sa-title' }, t('admin.keys.serviceTitle')),
      h('p', { class: 'hint' }, t('admin.keys.serviceIntro')),
      h('label', { for: 'sa-username' }, t('auth.username')),
      username,
      h('label', { for: 'sa-display-name' }, t('auth.displayName')),
      display,
      formError,
      h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'sa-create' }, t('admin.keys.serviceCreate'))),
    );
  }

  const section = (...children: (Node | string | false)[]) =>
    replace(root, h('section', { class: 'card', 'aria-labelledby': 'keys-title', id: 'keys-section' }, h('h2', { id: 'keys-title' }, t('admin.tab.keys')), ...children));

  section(h('p', { class: 'hint' }, t('admin.loading')));
  api.apiKeys().then(
    (list) => {
      keys = list;
      drawTable();
      section(h('p', { class: 'hint' }, t('admin.keys.intro')), status, secretHost, tableHost, h('div', { class: 'key-forms' }, createForm(), serviceAccountForm()));
    },
    (e) =>
      isMissingRoute(e)
        ? section(h('p', { class: 'admin-note', id: 'keys-unavailable', role: 'status' }, t('admin.keys.unavailable')), h('p', { class: 'hint' }, t('admin.keys.available')))
        : section(h('p', { class: 'admin-status error', role: 'alert' }, page.fail(e))),
  );
}
