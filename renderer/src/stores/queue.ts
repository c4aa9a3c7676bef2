import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Ticket } from '../../../common/contract';
import { api, onEvent } from '../api';
import type { QueueState } from './types';
import { isCode, toUiError, type UiError } from './ui-error';

export const useQueueStore = defineStore('queue', () => {
  const counter = ref<string | null>(null);
  const current = ref<Ticket | null>(null);
  const waiting = ref<Ticket[]>([]);
  const skipped = ref<Ticket[]>([]);
  const held = ref<Ticket[]>([]);
  const empty = ref(false);
  const busy = ref(false);
  const error = ref<UiError | null>(null);
  let stopListening: (() => void) | null = null;

  const waitingCount = computed(() => waiting.value.length);

  function apply(state: Partial<QueueState>): void {
    if (state.counter !== undefined) counter.value = state.counter;
    if (state.current !== undefined) current.value = state.current;
    if (state.waiting !== undefined) waiting.value = state.waiting;
    if (state.skipped !== undefined) skipped.value = state.skipped;
    if (state.held !== undefined) held.value = state.held;
  }

  async function load(): Promise<void> {
    try {
      apply(await api.queue.state());
      error.value = null;
    } catch (err) {
      error.value = toUiError(err);
    }
  }

  async function run(action: () => Promise<void>): Promise<boolean> {
    if (busy.value) return false;
    busy.value = true;
    error.value = null;
    try {
      await action();
      return true;
    } catch (err) {
      if (isCode(err, 'QUEUE_EMPTY')) empty.value = true;
      else error.value = toUiError(err);
      return false;
    } finally {
      busy.value = false;
    }
  }

  const callNext = () =>
    run(async () => {
      current.value = await api.queue.callNext();
      empty.value = false;
      await load();
    });

  const recall = () =>
    run(async () => {
      current.value = await api.queue.recall();
    });

  const skip = () =>
    run(async () => {
      apply(await api.queue.skip());
    });

  /** Sets the current ticket aside (the applicant fetches a paper); it comes back with `callTicket`. */
  const hold = () =>
    run(async () => {
      apply(await api.queue.hold());
    });

  /** Ends the service of the current ticket without receiving a dossier (receiving finishes it by itself). */
  const finish = () =>
    run(async () => {
      apply(await api.queue.finish());
    });

  /** Calls a skipped person who came back, or resumes a held ticket. */
  const callTicket = (ticketId: number) =>
    run(async () => {
      current.value = await api.queue.callTicket({ ticketId });
      empty.value = false;
      await load();
    });

  function listen(): void {
    if (stopListening) return;
    stopListening = onEvent('queue.changed', (change) => {
      // Every counter's view is broadcast: only this counter's applies (none before the first load).
      if (counter.value === null || change.counter !== counter.value) return;
      apply(change);
      if (change.waiting && change.waiting.length > 0) empty.value = false;
    });
  }

  function stop(): void {
    stopListening?.();
    stopListening = null;
  }

  return { counter, current, waiting, skipped, held, empty, busy, error, waitingCount, load, callNext, recall, skip, hold, finish, callTicket, listen, stop };
});
