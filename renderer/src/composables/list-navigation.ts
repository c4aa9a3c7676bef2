import { nextTick, type Ref } from 'vue';

export interface ListNavigationOptions {
  /** Data attribute every row carries (`data-today-row`); rows are found by it, in document order. */
  rowAttribute: string;
  /** The search field above the list: ArrowDown there enters the list, ArrowUp on the first row returns to it. */
  field?: Ref<HTMLElement | null>;
  /** Opens (or picks) the row at `index`: Enter, or another of `openKeys`. */
  open: (index: number) => void;
  /** Past the last row comes the first and before the first the last; otherwise the ends stop. */
  wrap?: boolean;
  /** Keys that open a row; Enter unless given (a pick list may add the space bar). */
  openKeys?: readonly string[];
}

const MOVES = new Set(['ArrowDown', 'ArrowUp', 'Home', 'End']);

/** The row a key moves to from `index` in a list of `count` rows, or null for a key that does not move. */
export function moveIndex(key: string, index: number, count: number, wrap: boolean): number | null {
  if (count <= 0 || !MOVES.has(key)) return null;
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  const next = index + (key === 'ArrowDown' ? 1 : -1);
  if (next >= count) return wrap ? 0 : count - 1;
  if (next < 0) return wrap ? count - 1 : 0;
  return next;
}

/**
 * Keyboard movement in a list (docs/architecture.md, "Renderer"). Two ways:
 * - rows that take the focus: `onFieldKeydown` in the search field (ArrowDown enters the list) and
 *   `onRowKeydown` on each row (ArrowUp/ArrowDown, Home/End, Enter opens; ArrowUp from the first
 *   row goes back to the field when there is one);
 * - a listbox whose field keeps the focus (`aria-activedescendant`): `onActiveKeydown` moves the
 *   active option with ArrowUp/ArrowDown (Home/End stay the field's caret keys).
 * The row reached is scrolled into view.
 */
export function useListNavigation(opts: ListNavigationOptions) {
  const wrap = opts.wrap ?? false;
  const openKeys = opts.openKeys ?? ['Enter'];
  const rows = (): HTMLElement[] => [...document.querySelectorAll<HTMLElement>(`[${opts.rowAttribute}]`)];

  function reveal(row: HTMLElement | undefined): void {
    // Not every DOM (the unit tests' one) lays out; a real browser keeps the row in view.
    if (row && typeof row.scrollIntoView === 'function') row.scrollIntoView({ block: 'nearest' });
  }

  async function focusRow(index: number): Promise<void> {
    await nextTick();
    const list = rows();
    if (!list.length) return;
    const row = list[Math.max(0, Math.min(index, list.length - 1))];
    row?.focus();
    reveal(row);
  }

  /** Handles ArrowDown in the field; true when the key was used. */
  function onFieldKeydown(event: KeyboardEvent): boolean {
    if (event.key !== 'ArrowDown') return false;
    event.preventDefault();
    void focusRow(0);
    return true;
  }

  function onRowKeydown(event: KeyboardEvent, index: number): void {
    if (openKeys.includes(event.key)) {
      event.preventDefault();
      opts.open(index);
      return;
    }
    if (event.key === 'ArrowUp' && index === 0 && !wrap && opts.field?.value) {
      event.preventDefault();
      opts.field.value.focus();
      return;
    }
    const next = moveIndex(event.key, index, rows().length, wrap);
    if (next === null) return;
    event.preventDefault();
    void focusRow(next);
  }

  /** Moves `active` among `count` options with ArrowUp/ArrowDown; true when the key was used. */
  function onActiveKeydown(event: KeyboardEvent, active: Ref<number>, count: number): boolean {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return false;
    event.preventDefault();
    const next = moveIndex(event.key, active.value, count, wrap);
    if (next !== null) {
      active.value = next;
      void nextTick().then(() => reveal(rows()[next]));
    }
    return true;
  }

  return { focusRow, onFieldKeydown, onRowKeydown, onActiveKeydown };
}
