// The admin pages at /admin/{section}, for administrators of the organisation: users,
// organisation and tier, API keys, usage, audit log. The server checks the rights on every call.
import { adminApi, isMissingRoute } from '../protocol/admin_api';
import { ParleyError } from '../protocol/errors';
import { adminAudit } from './admin_audit';
import { adminKeys } from './admin_keys';
import { adminOrganisation } from './admin_org';
import { adminUsage } from './admin_usage';
import { adminUsers } from './admin_users';
import type { AppContext } from './app_context';
import { h, replace } from './dom';
import { statusScreen } from './status_screen';

export const adminSections = ['users', 'organisation', 'keys', 'usage', 'audit'] as const;
export type AdminSection = (typeof adminSections)[number];

/** What each section gets: texts, the routes, and how to report errors. */
export interface AdminPage {
  ctx: AppContext;
  api: ReturnType<typeof adminApi>;
  /** The user-facing text of a failed admin call (forbidden sends the page to its refusal). */
  fail(e: unknown): string;
}

export function adminScreen(ctx: AppContext, root: HTMLElement, section: AdminSection) {
  const { t } = ctx;
  const session = ctx.session!;
  const refuse = () =>
    statusScreen(ctx, root, 'locked', t('admin.forbiddenTitle'), t('admin.forbiddenBody'), [{ label: t('state.backHome'), run: () => ctx.navigate('/'), primary: true }]);
  if (!session.user.is_admin) return refuse();

  let disposed = false;
  const page: AdminPage = {
    ctx,
    api: adminApi(session.token),
    fail(e) {
      if (e instanceof ParleyError) {
        if (e.code === 'forbidden' && !disposed) {
          // Rights were taken away since sign-in.
          disposed = true;
          refuse();
        } else if (e.code === 'unauthenticated') {
          ctx.setSession(null);
          ctx.navigate(`/signin?next=${encodeURIComponent(location.pathname)}`, true);
        }
        if (isMissingRoute(e)) return t('admin.err.missingRoute');
        const key = `admin.err.${e.code}`;
        const text = t(key, { message: e.message });
        if (text !== key) return text;
      }
      return ctx.describe(e);
    },
  };

  const body = h('div', { class: 'admin-body', id: 'admin-body' });
  const tabs = h(
    'nav',
    { class: 'admin-tabs', 'aria-label': t('admin.title') },
    adminSections.map((s) =>
      h(
        'a',
        {
          href: `/admin/${s}`,
          id: `admin-tab-${s}`,
          class: s === section ? 'active' : '',
          'aria-current': s === section ? 'page' : false,
          onclick: (e: Event) => {
            e.preventDefault();
            ctx.navigate(`/admin/${s}`);
          },
        },
        t(`admin.tab.${s}`),
      ),
    ),
  );
  replace(root, h('main', { class: 'admin', id: 'admin', 'data-section': section }, h('h1', null, t('admin.title')), tabs, body));
  const render = { users: adminUsers, organisation: adminOrganisation, keys: adminKeys, usage: adminUsage, audit: adminAudit }[section];
  render(page, body);
  return () => {
    disposed = true;
  };
}
