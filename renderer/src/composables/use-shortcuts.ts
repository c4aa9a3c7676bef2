import { onBeforeUnmount, onMounted } from 'vue';

/**
 * Page-wide keyboard shortcuts (`F2`, `Ctrl+P`, `Alt+N`). They work wherever focus is, including
 * in text fields, because officers keep their hands on the keyboard. While a dialog is open only
 * the dialog's own keys apply. A handler returning `false` lets the browser's default happen.
 */
export type ShortcutHandler = (event: KeyboardEvent) => boolean | void;

let openDialogs = 0;

export function dialogOpened(): void {
  openDialogs += 1;
}

export function dialogClosed(): void {
  openDialogs = Math.max(0, openDialogs - 1);
}

export function comboOf(event: KeyboardEvent): string {
  const parts: string[] = [];
  if (event.ctrlKey || event.metaKey) parts.push('Ctrl');
  if (event.altKey) parts.push('Alt');
  if (event.shiftKey) parts.push('Shift');
  // Letters and digits by physical key, so Alt+N works whatever the keyboard layout or IME.
  const physical = /^(?:Key([A-Z])|Digit(\d))$/.exec(event.code ?? '');
  const key = physical
    ? (physical[1] ?? physical[2] ?? '')
    : event.key.length === 1
      ? event.key.toUpperCase()
      : event.key;
  parts.push(key);
  return parts.join('+');
}

export function useShortcuts(map: Record<string, ShortcutHandler>): void {
  const onKeydown = (event: KeyboardEvent) => {
    if (openDialogs > 0 || event.defaultPrevented) return;
    const handler = map[comboOf(event)];
    if (!handler) return;
    if (handler(event) === false) return;
    event.preventDefault();
    event.stopPropagation();
  };
  onMounted(() => window.addEventListener('keydown', onKeydown));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKeydown));
}
