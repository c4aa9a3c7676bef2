import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { EventPayload, Ticket } from '../../../common/contract';
import { api, onEvent } from '../api';
import { useAction } from '../composables/use-action';
import { useAppStore } from './app';
import type { QueueState } from './types';
import { isCode, type UiError } from './ui-error';

/** The link of an enrolled desk to its centre's queue (`queue.link`); null: the desk runs alone. */
export type QueueLink = EventPayload<'queue.link'>;

export const useQueueStore = defineStore('queue', () => {
  const app = useAppStore();
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
  /** The last `queue.link` heard; before any, what `app.info.centre` said. */
  const heardLink = ref<QueueLink | null>(null);

  const waitingCount = computed(() => waiting.value.length);
  const link = computed<QueueLink | null>(() => {
    if (heardLink.value) return heardLink.value;
    const centre = app.info?.centre;
    if (!centre || centre.state === 'broken') return null;
    return { state: centre.state, reason: centre.reason };
  });
  /** Queue buttons wait while the centre cannot be reached or revoked this desk; receiving never does. */
  const linkDown = computed(() => link.value !== null && link.value.state !== 'connected');

  function apply(state: { [K in keyof QueueState]?: QueueState[K] | undefined }): void {
    if (state.counter !== undefined) counter.value = state.counter;
    if (state.current !== undefined) current.value = state.current;
    if (state.waiting !== undefined) waiting.value = state.waiting;
    if (state.skipped !== undefined) skipped.value = state.skipped;
    if (state.held !== undefined) held.value = state.held;
  }

  async function load(): Promise<void> {
    // Enrolled: the link may have changed since app.info was read (before sign-in).
    if (app.info?.centre && !heardLink.value) void app.loadInfo();
    await reading.run(async () => {
      apply(await api.queue.state());
    });
  }

  /** A queue action; while the centre link is down it is not sent and the panel says why. */
  const run = (task: () => Promise<unknown>): Promise<boolean> => {
    if (linkDown.value && link.value) {
      error.value = {
        code: link.value.state === 'revoked' ? 'CENTRE_DEVICE_REVOKED' : 'CENTRE_UNREACHABLE',
        message: link.value.reason ?? '',
      };
      return Promise.resolve(false);
    }
    return acting.run(task);
  };

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
    stopLink = onEvent('queue.link', (next) => {
      const wasDown = linkDown.value;
      heardLink.value = next;
      if (next.state === 'connected' && wasDown) {
        // Back: the error of the lost link goes, the counter's view is read again.
        if (error.value?.code === 'CENTRE_UNREACHABLE') error.value = null;
        void load();
      }
    });
  }

  let stopLink: (() => void) | null = null;

  function stop(): void {
    stopListening?.();
    stopListening = null;
    stopLink?.();
    stopLink = null;
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
    link,
    linkDown,
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
