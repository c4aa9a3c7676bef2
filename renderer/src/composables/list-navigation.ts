import { nextTick, type Ref } from 'vue';

/**
 * Keyboard movement between a search field and the rows of its result list: ArrowDown from the
 * field enters the list, ArrowUp/ArrowDown move, ArrowUp from the first row returns to the field,
 * Enter opens the focused row. Rows are found by a data attribute, in document order.
 */
export function useListNavigation(opts: { rowAttribute: string; field: Ref<HTMLElement | null>; open: (index: number) => void }) {
  const rows = (): HTMLElement[] => [...document.querySelectorAll<HTMLElement>(`[${opts.rowAttribute}]`)];

  async function focusRow(index: number): Promise<void> {
    await nextTick();
    const list = rows();
    if (list.length) list[Math.max(0, Math.min(index, list.length - 1))]?.focus();
  }

  /** Handles ArrowDown in the field; true when the key was used. */
  function onFieldKeydown(event: KeyboardEvent): boolean {
    if (event.key !== 'ArrowDown') return false;
    event.preventDefault();
    void focusRow(0);
    return true;
  }

  function onRowKeydown(event: KeyboardEvent, index: number): void {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      void focusRow(index + 1);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      if (index === 0) opts.field.value?.focus();
      else void focusRow(index - 1);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      opts.open(index);
    }
  }

  return { focusRow, onFieldKeydown, onRowKeydown };
}
