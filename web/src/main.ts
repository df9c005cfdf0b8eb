// Entry point: the app shell (header, language, toasts), routing, and the shared connection.
import './styles.css';
import { errorText, locales, pickLocale, translate, type Locale } from './i18n/i18n';
import { Connection, webSocketUrl } from './protocol/connection';
import { ParleyError } from './protocol/errors';
import * as rest from './protocol/rest';
import { loadSession, saveSession, type Session } from './state/session_store';
import type { AppContext } from './ui/app_context';
import { adminScreen, adminSections, type AdminSection } from './ui/admin_screen';
import { accountScreen } from './ui/account_screen';
import { authScreen } from './ui/auth_screen';
import { h, replace } from './ui/dom';
import { homeScreen } from './ui/home_screen';
import { imScreen } from './ui/im_screen';
import { joinScreen } from './ui/join_screen';
import { prejoinScreen } from './ui/prejoin_screen';
import { statusScreen } from './ui/status_screen';

const app = document.getElementById('app')!;
const header = h('header', { class: 'app-header' });
const content = h('div', { class: 'app-content', id: 'content' });
const toasts = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite', id: 'toasts' });
// Outside the meeting room (which has its own), a lost server is said here.
const offline = h('div', { class: 'banner app-banner', role: 'alert', id: 'app-banner', hidden: true });
replace(app, header, offline, content, toasts);

function showConnection(status: string) {
  const down = status === 'unreachable' || status === 'reconnecting';
  offline.hidden = !down || Boolean(document.getElementById('room'));
  offline.textContent = down ? (status === 'unreachable' ? ctx.t('state.unreachableTitle') : ctx.t('state.reconnecting')) : '';
}

let locale: Locale = pickLocale(localStorage.getItem('parley.locale'), navigator.languages ?? [navigator.language]);
let conn: Connection | null = null;
let connecting: Promise<Connection> | null = null;
let cleanup: (() => void) | void;
// A guest's sign-in for one meeting, kept only in this tab's memory.
let guestToken: string | null = null;

const ctx: AppContext = {
  locale,
  t: (key, vars) => translate(locale, key, vars),
  describe(e) {
    if (e instanceof ParleyError) return errorText(locale, e.code, e.message);
    return errorText(locale, 'generic', (e as Error)?.message ?? String(e));
  },
  session: loadSession(localStorage, Date.now() / 1000),
  setSession(s: Session | null) {
    ctx.session = s;
    saveSession(localStorage, s);
    // A new identity needs a new connection.
    conn?.close();
    conn = null;
    connecting = null;
    renderHeader();
  },
  connection() {
    if (conn && conn.status !== 'closed') return Promise.resolve(conn);
    if (connecting) return connecting;
    const c = new Connection({ url: webSocketUrl(location), token: () => ctx.session?.token ?? guestToken });
    c.onStatus(showConnection);
    connecting = c
      .open()
      .then(() => {
        conn = c;
        connecting = null;
        followRights(c.user);
        return c;
      })
      .catch((e: ParleyError) => {
        connecting = null;
        c.close();
        if (e.code === 'unauthenticated' && ctx.session) {
          // The token expired or was revoked: sign in again.
          ctx.setSession(null);
          ctx.navigate(`/signin?next=${encodeURIComponent(location.pathname)}`, true);
        }
        throw e;
      });
    return connecting;
  },
  navigate(path, replaceState = false) {
    if (replaceState) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    route();
  },
  toast(text, kind = 'info') {
    const el = h('div', { class: `toast ${kind}` }, text);
    toasts.appendChild(el);
    setTimeout(() => el.remove(), kind === 'error' ? 7000 : 4000);
  },
  pendingJoin: null,
  async becomeGuest(meetingId, displayName) {
    if (ctx.session) return;
    const c = await ctx.connection();
    if (c.user) return; // already signed in as this tab's guest
    const r = await c.call<{ guest_token: string; user: Record<string, unknown> }>('auth.guest', { meeting_id: meetingId, display_name: displayName });
    guestToken = r.guest_token;
    c.user = r.user;
  },
};

/**
 * auth.hello says whether the user is an administrator now: a sign-in stored before a role change
 * (or before the server said so) follows it, and the Admin entry appears or goes.
 */
function followRights(user: Record<string, unknown> | null) {
  const s = ctx.session;
  if (!s || !user || user.id !== s.user.id || typeof user.is_admin !== 'boolean' || user.is_admin === s.user.is_admin) return;
  ctx.session = { ...s, user: { ...s.user, is_admin: user.is_admin } };
  saveSession(localStorage, ctx.session);
  renderHeader();
}

function renderHeader() {
  const { t } = ctx;
  const langSelect = h(
    'select',
    {
      id: 'lang-select',
      'aria-label': t('lang.label'),
      onchange: () => {
        locale = langSelect.value as Locale;
        ctx.locale = locale;
        localStorage.setItem('parley.locale', locale);
        document.documentElement.lang = locale;
        renderHeader();
        // Screens other than a live meeting are redrawn in the new language.
        if (!document.getElementById('room')) route();
      },
    },
    locales.map((l) => h('option', { value: l.id, selected: l.id === locale }, l.name)),
  );
  replace(
    header,
    h('a', { class: 'brand', href: '/', onclick: (e: Event) => { e.preventDefault(); ctx.navigate('/'); } }, h('span', { class: 'logo small', 'aria-hidden': 'true' }, 'P'), t('app.name')),
    h(
      'nav',
      { 'aria-label': t('app.name') },
      ctx.session && h('a', { href: '/', onclick: (e: Event) => { e.preventDefault(); ctx.navigate('/'); } }, t('nav.home')),
      ctx.session && h('a', { href: '/messages', id: 'nav-messages', onclick: (e: Event) => { e.preventDefault(); ctx.navigate('/messages'); } }, t('nav.messages')),
      ctx.session && h('a', { href: '/account', id: 'nav-account', onclick: (e: Event) => { e.preventDefault(); ctx.navigate('/account'); } }, t('nav.account')),
      ctx.session?.user.is_admin && h('a', { href: '/admin', id: 'nav-admin', onclick: (e: Event) => { e.preventDefault(); ctx.navigate('/admin'); } }, t('nav.admin')),
      h('a', { href: '/join', onclick: (e: Event) => { e.preventDefault(); ctx.navigate('/join'); } }, t('nav.join')),
      langSelect,
      ctx.session
        ? h(
            'button',
            {
              class: 'link',
              id: 'sign-out',
              onclick: async () => {
                const token = ctx.session?.token;
                ctx.setSession(null);
                if (token) await rest.logout(token).catch(() => {});
                ctx.navigate('/signin');
              },
            },
            t('nav.signOut'),
            h('span', { class: 'who' }, ` (${ctx.session.user.display_name})`),
          )
        : h('a', { href: '/signin', onclick: (e: Event) => { e.preventDefault(); ctx.navigate('/signin'); } }, t('nav.signIn')),
    ),
  );
}

function route() {
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  const path = location.pathname;
  const params = new URLSearchParams(location.search);
  document.documentElement.lang = locale;
  document.body.classList.toggle('in-room', false);
  const join = /^\/j\/([0-9]{10,11})\/?$/.exec(path);
  const messages = /^\/messages(?:\/([0-9a-f]{16}))?\/?$/.exec(path);
  const admin = /^\/admin(?:\/([a-z]+))?\/?$/.exec(path);
  if (path === '/signin' || path === '/register' || path === '/signin/sso') {
    const next = params.get('next');
    const mode = path === '/signin' ? 'signin' : path === '/register' ? 'register' : 'sso';
    cleanup = authScreen(ctx, content, mode, next && next.startsWith('/') && !next.startsWith('//') ? next : '/', params.get('sso_error'));
  } else if (path === '/join') {
    cleanup = joinScreen(ctx, content);
  } else if (join) {
    cleanup = prejoinScreen(ctx, content, join[1]);
  } else if (messages) {
    if (!ctx.session) return ctx.navigate(`/signin?next=${encodeURIComponent(path)}`, true);
    cleanup = imScreen(ctx, content, messages[1] ?? null);
  } else if (admin && (!admin[1] || (adminSections as readonly string[]).includes(admin[1]))) {
    if (!ctx.session) return ctx.navigate(`/signin?next=${encodeURIComponent(path)}`, true);
    cleanup = adminScreen(ctx, content, (admin[1] ?? 'users') as AdminSection);
  } else if (path === '/account') {
    if (!ctx.session) return ctx.navigate(`/signin?next=${encodeURIComponent(path)}`, true);
    accountScreen(ctx, content);
  } else if (path === '/' || path === '/home') {
    if (!ctx.session) return ctx.navigate('/signin', true);
    cleanup = homeScreen(ctx, content);
  } else {
    statusScreen(ctx, content, 'not-found', '404', location.pathname, [{ label: ctx.t('state.backHome'), run: () => ctx.navigate('/') }]);
  }
}

window.addEventListener('popstate', route);
renderHeader();
route();
