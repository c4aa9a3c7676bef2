import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { EventPayload, ResultOf } from '../../../common/contract';
import { api, onEvent } from '../api';
import { useAction } from '../composables/use-action';
import type { UiError } from './ui-error';

export type DisplayBoard = ResultOf<'queue.board'>;
export type QueueCall = EventPayload<'queue.called'>;

/** How many recent calls the side list keeps. */
export const RECENT_CALLS = 6;

/** The counter display (`#/display`): who is served at each counter, the recent calls, who waits. */
export const useQueueDisplayStore = defineStore('queueDisplay', () => {
  const board = ref<DisplayBoard | null>(null);
  const recent = ref<QueueCall[]>([]);
  const error = ref<UiError | null>(null);
  const reading = useAction({ error, overlap: true, clearError: 'onSuccess' });
  let stopEvents: (() => void)[] = [];

  async function load(): Promise<void> {
    await reading.run(async () => {
      board.value = await api.queue.board();
    });
  }

  function called(call: QueueCall): void {
    recent.value = [call, ...recent.value.filter((c) => c.ticketId !== call.ticketId)].slice(0, RECENT_CALLS);
    // Show the number at once, before the board is read again.
    if (board.value) {
      board.value = {
        ...board.value,
        counters: board.value.counters.map((c) =>
          c.id === call.counter
            ? { ...c, current: { number: call.number, service: call.service, calledAt: c.current?.calledAt ?? null } }
            : c,
        ),
      };
    }
    void load();
  }

  /**
   * Follows the queue until `stop` (no recent call and no failure shown at first); `onCall` hears
   * each call after the board shows it (highlight, voice).
   */
  function listen(onCall: (call: QueueCall) => void): void {
    stop();
    recent.value = [];
    error.value = null;
    stopEvents = [
      onEvent('queue.called', (call) => {
        called(call);
        onCall(call);
      }),
      onEvent('queue.changed', () => void load()),
    ];
  }

  function stop(): void {
    for (const s of stopEvents) s();
    stopEvents = [];
  }

  return { board, recent, error, load, listen, stop };
});
