// Finding people of the organisation by name (people.search): a labelled field with a result list
// that updates as one types; Enter or a click picks a person.
import type { Connection } from '../protocol/connection';
import type { Person } from '../state/im_model';
import type { AppContext } from './app_context';
import { h, initials, replace } from './dom';

export interface PeopleSearchOptions {
  id: string;
  label: string;
  placeholder: string;
  onPick: (p: Person) => void;
}

export function peopleSearch(ctx: AppContext, conn: () => Connection | null, options: PeopleSearchOptions) {
  const input = h('input', { id: `${options.id}-input`, type: 'search', placeholder: options.placeholder, autocomplete: 'off', maxlength: 64, 'aria-controls': `${options.id}-results` });
  const results = h('ul', { class: 'im-people', id: `${options.id}-results`, 'aria-label': options.label });
  let timer: ReturnType<typeof setTimeout> | null = null;
  let asked = 0;
  let found: Person[] = [];

  const show = (people: Person[], query: string) => {
    found = people;
    if (!query) return replace(results);
    if (!people.length) return replace(results, h('li', { class: 'empty' }, ctx.t('im.nobodyFound')));
    replace(
      results,
      people.map((p) =>
        h(
          'li',
          null,
          h(
            'button',
            { type: 'button', class: 'im-person', 'data-user-id': p.user_id, onclick: () => options.onPick(p) },
            h('span', { class: 'avatar small', 'aria-hidden': 'true' }, initials(p.display_name || p.username)),
            h('span', null, p.display_name, ' ', h('small', null, `@${p.username}`)),
          ),
        ),
      ),
    );
  };

  const search = async () => {
    const query = input.value.trim();
    const mine = ++asked;
    const c = conn();
    if (!query || !c) return show([], '');
    try {
      const r = await c.call<{ people: Person[] }>('people.search', { query, limit: 20 });
      if (mine === asked) show(r.people, query);
    } catch (e) {
      if (mine === asked) ctx.toast(ctx.describe(e), 'error');
    }
  };

  input.addEventListener('input', () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void search(), 250);
  });
  input.addEventListener('keydown', (e: KeyboardEvent) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (found.length) options.onPick(found[0]);
      else void search();
    }
  });

  const element = h('div', { class: 'im-search', role: 'search' }, h('label', { for: input.id }, options.label), input, results);
  return {
    element,
    clear() {
      input.value = '';
      asked++;
      show([], '');
    },
  };
}
