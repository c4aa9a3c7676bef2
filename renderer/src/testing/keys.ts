import { vi } from 'vitest';

/**
 * Synthetic keyboard input with controlled timing (fake timers must fake `performance`). Each key
 * is a keydown on `target`; when nothing cancelled it and the target is a text field, the
 * character is inserted and an `input` event fired, as the browser would.
 */
export function pressKey(target: EventTarget, key: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(event);
  if (
    !event.defaultPrevented &&
    [...key].length === 1 &&
    !init.ctrlKey &&
    !init.altKey &&
    (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement)
  ) {
    target.value += key;
    target.dispatchEvent(new Event('input', { bubbles: true }));
  }
  return event;
}

/**
 * Types `text` with `gapMs` between keys (capitals preceded by Shift, as a reader sends them), then `end` after
 * `gapMs`.
 */
export function typeText(
  target: EventTarget,
  text: string,
  gapMs: number,
  end: 'Enter' | 'Tab' | null = 'Enter',
): KeyboardEvent | null {
  for (const ch of text) {
    vi.advanceTimersByTime(gapMs);
    if (ch !== ch.toLowerCase()) pressKey(target, 'Shift', { shiftKey: true });
    pressKey(target, ch, { shiftKey: ch !== ch.toLowerCase() });
  }
  if (end === null) return null;
  vi.advanceTimersByTime(gapMs);
  return pressKey(target, end);
}
