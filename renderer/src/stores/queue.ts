import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Ticket } from '../../../common/contract';
import { api, onEvent } from '../api';
import { useAction } from '../composables/use-action';
import type { QueueState } from './types';
import { isCode, type UiError } from './ui-error';

export const useQueueStore = defineStore('queue', () => {
  const counter = ref<string | null>(null);
  const current = ref<Ticket | null>(null);
  const waiting = ref<Ticket[]>([]);
  const skipped = ref<Ticket[]>([]);
  const held = ref<Ticket[]>([]);
  const empty = ref(false);
  const error = ref<UiError | null>(null);
  const reading = useAction({ error, overlap: true, clearError: 'onSuccess' });
  // QUEUE_EMPTY is no failure: the panel says nobody waits.
  const acting = useAction({
    error,
    handle: (err) => {
      if (!isCode(err, 'QUEUE_EMPTY')) return false;
      empty.value = true;
      return true;
    },
  });
  let stopListening: (() => void) | null = null;

  const waitingCount = computed(() => waiting.value.length);

  function apply(state: { [K in keyof QueueState]?: QueueState[K] | undefined }): void {
    if (state.counter !== undefined) counter.value = state.counter;
    if (state.current !== undefined) current.value = state.current;
    if (state.waiting !== undefined) waiting.value = state.waiting;
    if (state.skipped !== undefined) skipped.value = state.skipped;
    if (state.held !== undefined) held.value = state.held;
  }

  async function load(): Promise<void> {
    await reading.run(async () => {
      apply(await api.queue.state());
    });
  }

  const run = acting.run;

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

  return {
    counter,
    current,
    waiting,
    skipped,
    held,
    empty,
    busy: acting.busy,
    error,
    waitingCount,
    load,
    callNext,
    recall,
    skip,
    hold,
    finish,
    callTicket,
    listen,
    stop,
  };
});
