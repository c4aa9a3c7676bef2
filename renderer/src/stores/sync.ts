import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ResultOf } from '../../../common/contract';
import { api, onEvent } from '../api';
import { useAction } from '../composables/use-action';
import type { UiError } from './ui-error';

export type SyncStatus = ResultOf<'sync.status'>;
export type DeadLetter = ResultOf<'sync.deadLetters'>[number];
export type DeadLetterFile = ResultOf<'sync.exportDead'>;

/** How often the sync screen reads the status again when no sync event came. */
export const SYNC_REFRESH_MS = 10_000;

/** The sync screen (`#/sync`): totals, each remote's breaker, the dead letters and what to do with them. */
export const useSyncStore = defineStore('sync', () => {
  const status = ref<SyncStatus | null>(null);
  const dead = ref<DeadLetter[]>([]);
  const selected = ref<Set<number>>(new Set());
  const error = ref<UiError | null>(null);
  // Reads overlap (an event during the timer's read) and leave a shown failure until one succeeds.
  const reading = useAction({ error, overlap: true, clearError: 'onSuccess' });
  // An action's own success clears nothing: the read after it says whether all is well.
  const acting = useAction({ error, clearError: 'never' });
  let timer: ReturnType<typeof setInterval> | null = null;
  let stopEvents: (() => void) | null = null;

  const allSelected = computed(() => dead.value.length > 0 && dead.value.every((d) => selected.value.has(d.id)));

  async function load(): Promise<void> {
    await reading.run(async () => {
      const [s, d] = await Promise.all([api.sync.status(), api.sync.deadLetters({})]);
      status.value = s;
      dead.value = d;
      // Keep only selections that are still dead.
      selected.value = new Set([...selected.value].filter((id) => d.some((x) => x.id === id)));
    });
  }

  function toggle(id: number): void {
    const next = new Set(selected.value);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    selected.value = next;
  }

  function toggleAll(): void {
    selected.value = allSelected.value ? new Set() : new Set(dead.value.map((d) => d.id));
  }

  /** Sends the selected dead letters (or all) again; how many were revived, or null when nothing was done. */
  async function retry(all: boolean): Promise<number | null> {
    const ids = [...selected.value];
    if (acting.busy.value || (!all && ids.length === 0)) return null;
    let revived: number | null = null;
    await acting.run(async () => {
      const r = await api.sync.retryDead(all ? { all: true } : { ids });
      revived = r.revived.length;
      selected.value = new Set();
      await load();
    });
    return revived;
  }

  /** The dead letters as a file to save, or null when the call failed (the error is shown). */
  async function exportDead(): Promise<DeadLetterFile | null> {
    let file: DeadLetterFile | null = null;
    await acting.run(async () => {
      file = await api.sync.exportDead({});
    });
    return file;
  }

  /**
   * Reads now (nothing selected, no failure shown), again on every sync event and every `SYNC_REFRESH_MS`, until
   * `stop`.
   */
  function listen(): void {
    selected.value = new Set();
    error.value = null;
    void load();
    if (stopEvents) return;
    stopEvents = onEvent('sync.progress', () => void load());
    timer = setInterval(() => void load(), SYNC_REFRESH_MS);
  }

  function stop(): void {
    stopEvents?.();
    stopEvents = null;
    if (timer) clearInterval(timer);
    timer = null;
  }

  return {
    status,
    dead,
    selected,
    error,
    busy: acting.busy,
    allSelected,
    load,
    toggle,
    toggleAll,
    retry,
    exportDead,
    listen,
    stop,
  };
});
