// Full-page states a user must understand: waiting, removed, locked, ended, unreachable.
import type { AppContext } from './app_context';
import { h, replace } from './dom';

export interface StatusAction {
  label: string;
  run: () => void;
  primary?: boolean;
}

export function statusScreen(
  ctx: AppContext,
  root: HTMLElement,
  kind: string,
  title: string,
  body: string,
  actions: StatusAction[] = [],
  extra?: Node,
) {
  replace(
    root,
    h(
      'main',
      { class: `center-page status-page status-${kind}`, 'data-state': kind },
      h(
        'section',
        { class: 'card status-card', role: 'status', 'aria-live': 'polite' },
        h('div', { class: `status-icon ${kind}`, 'aria-hidden': 'true' }),
        h('h1', { id: 'status-title' }, title),
        h('p', null, body),
        extra ?? null,
        h(
          'div',
          { class: 'actions' },
          actions.map((a) => h('button', { class: a.primary ? 'primary' : '', onclick: a.run }, a.label)),
        ),
      ),
    ),
  );
  void ctx;
}
