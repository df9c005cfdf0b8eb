// Admin: the organisation's name, subscription tier (participant cap per meeting) and sign-in
// policies. Only the fields that changed are sent; the server's answer is shown as saved.
import { tiers, type Organisation, type OrgSettings } from '../protocol/admin_api';
import type { AdminPage } from './admin_screen';
import { h, replace } from './dom';

type NumericSetting = Exclude<keyof OrgSettings, 'tier' | 'require_mfa'>;
const numeric: NumericSetting[] = ['password_min_length', 'password_min_classes', 'password_max_age_days', 'password_history', 'lockout_threshold', 'lockout_seconds'];

export function adminOrganisation(page: AdminPage, root: HTMLElement) {
  const { ctx, api } = page;
  const { t } = ctx;
  const status = h('p', { class: 'admin-status', id: 'org-status', role: 'status', 'aria-live': 'polite' });
  const say = (text: string, kind: 'ok' | 'error' = 'ok') => {
    status.textContent = text;
    status.className = `admin-status ${kind}`;
  };

  function draw(org: Organisation) {
    const name = h('input', { id: 'org-name', value: org.name, maxlength: 100, required: true });
    const tier = h(
      'select',
      { id: 'org-tier' },
      tiers.map((x) => h('option', { value: x.id, selected: x.id === org.settings.tier }, t('admin.org.tierOption', { tier: t(`admin.tier.${x.id}`), cap: x.cap }))),
    );
    const requireMfa = h('input', { id: 'org-require-mfa', type: 'checkbox', checked: org.settings.require_mfa });
    const inputs = new Map<NumericSetting, HTMLInputElement>();
    for (const key of numeric) {
      if (org.settings[key] === undefined) continue; // this server does not have the setting
      inputs.set(key, h('input', { id: `org-${key.replaceAll('_', '-')}`, type: 'number', min: 0, max: 86400, step: 1, inputmode: 'numeric', value: org.settings[key], required: true }));
    }
    const formError = h('p', { class: 'form-error', role: 'alert', id: 'org-error' });
    const form = h(
      'form',
      {
        class: 'card',
        id: 'org-form',
        'aria-labelledby': 'org-title',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          formError.textContent = '';
          say('');
          const settings: Partial<Record<keyof OrgSettings, unknown>> = {};
          if (tier.value !== org.settings.tier) settings.tier = tier.value;
          if (requireMfa.checked !== org.settings.require_mfa) settings.require_mfa = requireMfa.checked;
          for (const [key, input] of inputs) if (Number(input.value) !== org.settings[key]) settings[key] = Number(input.value);
          const change: { name?: string; settings?: Partial<OrgSettings> } = {};
          if (name.value.trim() !== org.name) change.name = name.value.trim();
          if (Object.keys(settings).length) change.settings = settings as Partial<OrgSettings>;
          if (!change.name && !change.settings) return say(t('admin.org.unchanged'));
          try {
            const saved = await api.updateOrganisation(change);
            draw(saved);
            say(t('admin.org.saved', { tier: t(`admin.tier.${saved.settings.tier}`), cap: saved.max_participants }));
          } catch (err) {
            formError.textContent = page.fail(err);
          }
        },
      },
      h('h2', { id: 'org-title' }, t('admin.tab.organisation')),
      h('p', { class: 'hint' }, t('admin.org.id'), ' ', h('span', { class: 'mono' }, org.id)),
      h('label', { for: 'org-name' }, t('admin.org.name')),
      name,
      h(
        'fieldset',
        null,
        h('legend', null, t('admin.org.tier')),
        h('label', { for: 'org-tier' }, t('admin.org.tierLabel')),
        tier,
        h('p', { class: 'hint', id: 'org-cap' }, t('admin.org.cap', { cap: org.max_participants })),
      ),
      h(
        'fieldset',
        null,
        h('legend', null, t('admin.org.policy')),
        h('label', { class: 'check' }, requireMfa, t('admin.org.require_mfa')),
        h(
          'div',
          { class: 'policy-grid' },
          [...inputs].map(([key, input]) => h('div', null, h('label', { for: input.id }, t(`admin.org.${key}`)), input)),
        ),
        h('p', { class: 'hint' }, t('admin.org.zeroDefault')),
      ),
      formError,
      status,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'org-save' }, t('admin.save'))),
    );
    replace(root, form);
  }

  replace(root, status);
  api.organisation().then(draw, (e) => say(page.fail(e), 'error'));
}
