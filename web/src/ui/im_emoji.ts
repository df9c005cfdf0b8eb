// The composer's emoji picker: a small grid of common emoji, each a labelled button that inserts
// itself at the cursor. Any other Unicode (typed or pasted) works as well.
import { h } from './dom';
import { imIcon } from './im_icons';

export const emojiChoices: [string, string][] = [
  ['😀', 'grinning face'], ['😂', 'face with tears of joy'], ['😊', 'smiling face'], ['😍', 'heart eyes'],
  ['😉', 'winking face'], ['😎', 'cool'], ['🤔', 'thinking face'], ['😢', 'crying face'],
  ['😮', 'surprised'], ['😴', 'sleeping'], ['🙏', 'folded hands'], ['👍', 'thumbs up'],
  ['👎', 'thumbs down'], ['👏', 'clapping'], ['🙌', 'raised hands'], ['👋', 'waving hand'],
  ['💪', 'flexed biceps'], ['🎉', 'party popper'], ['❤️', 'red heart'], ['🔥', 'fire'],
  ['✅', 'check mark'], ['❌', 'cross mark'], ['⭐', 'star'], ['🚀', 'rocket'],
  ['☕', 'coffee'], ['🍕', 'pizza'], ['🎂', 'birthday cake'], ['📅', 'calendar'],
  ['📎', 'paperclip'], ['💡', 'light bulb'], ['👀', 'eyes'], ['🤝', 'handshake'],
];

/**
 * A popover grid for `input`. Arrow keys move between emoji, Enter/Space inserts, Escape closes.
 * Returns the toggle button, the panel, and dispose (for when the page goes).
 */
export function emojiPicker(input: HTMLTextAreaElement, labels: { open: string; panel: string }): { button: HTMLButtonElement; panel: HTMLElement; dispose: () => void } {
  const insert = (emoji: string) => {
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? input.value.length;
    input.value = input.value.slice(0, start) + emoji + input.value.slice(end);
    const at = start + emoji.length;
    input.setSelectionRange(at, at);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const cells = emojiChoices.map(([emoji, name]) =>
    h(
      'button',
      {
        type: 'button',
        class: 'emoji-cell',
        'aria-label': name,
        title: name,
        'data-emoji': emoji,
        onclick: () => {
          insert(emoji);
          close();
          input.focus();
        },
      },
      emoji,
    ),
  );
  const panel = h('div', { class: 'emoji-panel', id: 'im-emoji-panel', role: 'group', 'aria-label': labels.panel, hidden: true }, cells);
  const button = h('button', { type: 'button', class: 'icon-button', id: 'im-emoji', 'aria-label': labels.open, title: labels.open, 'aria-expanded': 'false', 'aria-controls': 'im-emoji-panel' }, imIcon('smile'));
  const close = () => {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
  };
  button.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    button.setAttribute('aria-expanded', String(!panel.hidden));
    if (!panel.hidden) cells[0].focus();
  });
  panel.addEventListener('keydown', (e: KeyboardEvent) => {
    const i = cells.indexOf(document.activeElement as HTMLButtonElement);
    const perRow = Math.max(1, getComputedStyle(panel).gridTemplateColumns.split(' ').length);
    const move = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: perRow, ArrowUp: -perRow }[e.key];
    if (move !== undefined && i >= 0) {
      e.preventDefault();
      cells[(i + move + cells.length) % cells.length].focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      close();
      button.focus();
    }
  });
  // A click elsewhere closes the panel.
  const outside = (e: PointerEvent) => {
    if (!panel.hidden && !panel.contains(e.target as Node) && !button.contains(e.target as Node)) close();
  };
  document.addEventListener('pointerdown', outside);
  return { button, panel, dispose: () => document.removeEventListener('pointerdown', outside) };
}
