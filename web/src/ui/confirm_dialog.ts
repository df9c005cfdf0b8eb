// A modal question with Cancel and a (dangerous) confirm button; Escape and Cancel say no.
import { h } from './dom';

export function confirmDialog(opts: { title: string; body: string; confirm: string; cancel: string; id?: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'modal confirm', 'aria-labelledby': 'confirm-title', id: opts.id ?? 'confirm-dialog' });
    const done = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    const cancel = h('button', { type: 'button', id: 'confirm-cancel', onclick: () => done(false) }, opts.cancel);
    dialog.append(
      h('h2', { id: 'confirm-title' }, opts.title),
      h('p', null, opts.body),
      h('div', { class: 'actions' }, cancel, h('button', { type: 'button', class: 'primary danger-fill', id: 'confirm-ok', onclick: () => done(true) }, opts.confirm)),
    );
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    cancel.focus(); // the safe choice has the focus
  });
}
