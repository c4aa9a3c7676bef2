import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ResultOf } from '../../../common/contract';
import { api, onEvent } from '../api';
import { useAction } from '../composables/use-action';
import type { UiError } from './ui-error';

export type KioskSetup = ResultOf<'queue.setup'>;
export type QueueBoard = ResultOf<'queue.board'>;
export type TakenTicket = ResultOf<'queue.takeTicket'>;

/** The ticket kiosk (`#/kiosk`): the services with who waits, the ticket just taken, its reprint. */
export const useKioskStore = defineStore('kiosk', () => {
  const setup = ref<KioskSetup | null>(null);
  const board = ref<QueueBoard | null>(null);
  const taken = ref<TakenTicket | null>(null);
  const error = ref<UiError | null>(null);
  const loading = useAction({ error, overlap: true, clearError: 'onSuccess' });
  const ticketing = useAction({ error });
  const reprinting = useAction({ error, clearError: 'never' });
  let stopEvents: (() => void)[] = [];

  const busy = computed(() => ticketing.busy.value || reprinting.busy.value);
  const waitingBy = computed(() => new Map((board.value?.waiting ?? []).map((w) => [w.service, w.count])));

  async function load(): Promise<void> {
    await loading.run(async () => {
      const [s, b] = await Promise.all([api.queue.setup(), api.queue.board()]);
      setup.value = s;
      board.value = b;
    });
  }

  async function refreshBoard(): Promise<void> {
    try {
      board.value = await api.queue.board();
    } catch {
      // The counts are a courtesy: a failed refresh keeps the last ones; taking a ticket still works.
    }
  }

  /** Takes a ticket for `service`; true when one was taken (it is in `taken`). */
  async function take(service: string, priority: boolean): Promise<boolean> {
    if (busy.value) return false;
    const ok = await ticketing.run(async () => {
      taken.value = await api.queue.takeTicket({ service, priority });
    });
    if (ok) void refreshBoard();
    return ok;
  }

  async function reprint(): Promise<void> {
    const ticket = taken.value;
    if (!ticket || busy.value) return;
    await reprinting.run(async () => {
      taken.value = await api.queue.reprint({ ticketId: ticket.ticket.id });
    });
  }

  /** Back to the services (the ticket leaves the screen). */
  function done(): void {
    taken.value = null;
  }

  /** Follows the queue's counts until `stop`; the screen starts on the services, without a failure shown. */
  function listen(): void {
    taken.value = null;
    error.value = null;
    if (stopEvents.length) return;
    stopEvents = [
      onEvent('queue.called', () => void refreshBoard()),
      onEvent('queue.changed', () => void refreshBoard()),
    ];
  }

  function stop(): void {
    for (const s of stopEvents) s();
    stopEvents = [];
  }

  return { setup, board, taken, error, busy, waitingBy, load, take, reprint, done, listen, stop };
});
