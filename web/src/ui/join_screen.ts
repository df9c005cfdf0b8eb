// Join by meeting ID or link.
import { parseMeetingInput } from '../util/meeting_id';
import type { AppContext } from './app_context';
import { h, replace } from './dom';

export function joinScreen(ctx: AppContext, root: HTMLElement) {
  const { t } = ctx;
  const input = h('input', { id: 'join-id', name: 'meeting', required: true, autocomplete: 'off', placeholder: '123 4567 8901' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  replace(
    root,
    h(
      'main',
      { class: 'center-page' },
      h(
        'form',
        {
          class: 'card auth-card',
          'aria-labelledby': 'join-title',
          onsubmit: (e: Event) => {
            e.preventDefault();
            const id = parseMeetingInput(input.value);
            if (!id) {
              error.textContent = t('join.badId');
              input.setAttribute('aria-invalid', 'true');
              return;
            }
            ctx.navigate(`/j/${id}`);
          },
        },
        h('h1', { id: 'join-title' }, t('join.title')),
        h('label', { for: 'join-id' }, t('join.idOrLink')),
        input,
        error,
        h('button', { type: 'submit', class: 'primary wide', id: 'join-continue' }, t('join.continue')),
      ),
    ),
  );
  input.focus();
}
