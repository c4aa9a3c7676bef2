// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h, nextTick, ref } from 'vue';
import { moveIndex, useListNavigation, type ListNavigationOptions } from './list-navigation';

afterEach(() => {
  document.body.innerHTML = '';
  vi.restoreAllMocks();
});

/** A search field and three focusable rows wired as the screens wire them. */
function mountList(options: Partial<ListNavigationOptions> & { noField?: boolean } = {}) {
  const opened: number[] = [];
  const List = defineComponent({
    setup() {
      const field = ref<HTMLElement | null>(null);
      const nav = useListNavigation({
        rowAttribute: 'data-nav-row',
        ...(options.noField ? {} : { field }),
        open: (i) => opened.push(i),
        ...options,
      });
      return () =>
        h('div', [
          h('input', { ref: field, 'data-testid': 'field', onKeydown: (e: KeyboardEvent) => nav.onFieldKeydown(e) }),
          ...['a', 'b', 'c'].map((name, i) =>
            h(
              'div',
              {
                tabindex: 0,
                'data-nav-row': '',
                'data-testid': `row-${i}`,
                onKeydown: (e: KeyboardEvent) => nav.onRowKeydown(e, i),
              },
              name,
            ),
          ),
        ]);
    },
  });
  const wrapper = mount(List, { attachTo: document.body });
  const el = (id: string) => wrapper.get(`[data-testid="${id}"]`).element as HTMLElement;
  async function press(id: string, key: string): Promise<KeyboardEvent> {
    const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
    el(id).dispatchEvent(event);
    await nextTick();
    await nextTick();
    return event;
  }
  const focused = () => (document.activeElement as HTMLElement | null)?.dataset.testid;
  return { wrapper, opened, press, focused, el };
}

describe('moveIndex', () => {
  it('moves by one, jumps with Home/End, stops or wraps at the ends', () => {
    expect(moveIndex('ArrowDown', 0, 3, false)).toBe(1);
    expect(moveIndex('ArrowUp', 2, 3, false)).toBe(1);
    expect(moveIndex('ArrowDown', 2, 3, false)).toBe(2);
    expect(moveIndex('ArrowUp', 0, 3, false)).toBe(0);
    expect(moveIndex('ArrowDown', 2, 3, true)).toBe(0);
    expect(moveIndex('ArrowUp', 0, 3, true)).toBe(2);
    expect(moveIndex('Home', 2, 3, false)).toBe(0);
    expect(moveIndex('End', 0, 3, false)).toBe(2);
    expect(moveIndex('Enter', 0, 3, false)).toBeNull();
    expect(moveIndex('ArrowDown', 0, 0, true)).toBeNull();
  });
});

describe('useListNavigation', () => {
  it('enters the list from the field, moves with the arrows, Home and End, and goes back up to the field', async () => {
    const list = mountList();
    list.el('field').focus();
    expect((await list.press('field', 'ArrowDown')).defaultPrevented).toBe(true);
    expect(list.focused()).toBe('row-0');
    await list.press('row-0', 'ArrowDown');
    expect(list.focused()).toBe('row-1');
    await list.press('row-1', 'End');
    expect(list.focused()).toBe('row-2');
    await list.press('row-2', 'ArrowDown');
    expect(list.focused()).toBe('row-2');
    await list.press('row-2', 'Home');
    expect(list.focused()).toBe('row-0');
    await list.press('row-0', 'ArrowUp');
    expect(list.focused()).toBe('field');
    // Other keys are left to the page.
    expect((await list.press('field', 'a')).defaultPrevented).toBe(false);
    expect((await list.press('row-1', 'x')).defaultPrevented).toBe(false);
    list.wrapper.unmount();
  });

  it('opens the row Enter is pressed on, and rows with any other open key given', async () => {
    const list = mountList({ openKeys: ['Enter', ' '] });
    await list.press('row-1', 'Enter');
    await list.press('row-2', ' ');
    expect(list.opened).toEqual([1, 2]);
    list.wrapper.unmount();
  });

  it('wraps round the ends when the list wraps', async () => {
    const list = mountList({ wrap: true });
    list.el('row-2').focus();
    await list.press('row-2', 'ArrowDown');
    expect(list.focused()).toBe('row-0');
    await list.press('row-0', 'ArrowUp');
    expect(list.focused()).toBe('row-2');
    list.wrapper.unmount();
  });

  it('stays on the first row without a field above it', async () => {
    const list = mountList({ noField: true });
    list.el('row-0').focus();
    await list.press('row-0', 'ArrowUp');
    expect(list.focused()).toBe('row-0');
    list.wrapper.unmount();
  });

  it('keeps the row reached in view', async () => {
    const scrolled: string[] = [];
    vi.spyOn(HTMLElement.prototype, 'scrollIntoView').mockImplementation(function (this: HTMLElement) {
      scrolled.push(this.dataset.testid ?? '');
    });
    const list = mountList();
    list.el('row-0').focus();
    await list.press('row-0', 'End');
    expect(scrolled).toEqual(['row-2']);
    list.wrapper.unmount();
  });

  it('moves the active option of a listbox whose field keeps the focus', () => {
    const nav = useListNavigation({ rowAttribute: 'data-none', wrap: true, open: () => {} });
    const active = ref(0);
    const key = (k: string) => new KeyboardEvent('keydown', { key: k, cancelable: true });
    expect(nav.onActiveKeydown(key('ArrowUp'), active, 3)).toBe(true);
    expect(active.value).toBe(2);
    expect(nav.onActiveKeydown(key('ArrowDown'), active, 3)).toBe(true);
    expect(active.value).toBe(0);
    expect(nav.onActiveKeydown(key('ArrowDown'), active, 3)).toBe(true);
    expect(active.value).toBe(1);
    // Home/End stay the field's own keys (the caret), Enter is the screen's.
    expect(nav.onActiveKeydown(key('Home'), active, 3)).toBe(false);
    expect(nav.onActiveKeydown(key('Enter'), active, 3)).toBe(false);
    expect(active.value).toBe(1);
  });
});
