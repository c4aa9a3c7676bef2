import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Ticket } from '../../../common/contract';
import { api, onEvent } from '../api';
import { useAction } from '../composables/use-action';
import type { UiError } from './ui-error';

/** How long the thank-you stays before the screen asks for the next rating. */
export const THANKS_MS = 5_000;

/** The rating screen (`#/rate`): the ticket just served at this counter, the applicant's rating. */
export const useRatingStore = defineStore('rating', () => {
  const ticket = ref<Ticket | null>(null);
  const thanked = ref(false);
  const error = ref<UiError | null>(null);
  const reading = useAction({ error, overlap: true, clearError: 'onSuccess' });
  const rating = useAction({ error, clearError: 'onSuccess' });
  let thanksTimer: ReturnType<typeof setTimeout> | null = null;
  let stopEvents: (() => void) | null = null;

  /** Reads the ticket to rate (none while thanking); `keepError` leaves a refusal shown. */
  async function load(keepError = false): Promise<void> {
    if (thanked.value) return;
    await reading.run(
      async () => {
        ticket.value = await api.queue.toRate();
      },
      keepError ? { clearError: 'never' } : {},
    );
  }

  async function rate(value: number): Promise<void> {
    const rated = ticket.value;
    if (!rated || rating.busy.value) return;
    const ok = await rating.run(async () => {
      await api.queue.rate({ ticketId: rated.id, rating: value });
      ticket.value = null;
      thanked.value = true;
      thanksTimer = setTimeout(() => {
        thanksTimer = null;
        thanked.value = false;
        void load();
      }, THANKS_MS);
    });
    // Refused (rated already, another ticket served meanwhile): ask for what is left to rate.
    if (!ok) void load(true);
  }

  /** Follows the queue until `stop`; the screen starts without a failure shown. */
  function listen(): void {
    error.value = null;
    if (stopEvents) return;
    stopEvents = onEvent('queue.changed', () => void load());
  }

  function stop(): void {
    stopEvents?.();
    stopEvents = null;
    if (thanksTimer) clearTimeout(thanksTimer);
    thanksTimer = null;
    thanked.value = false;
  }

  return { ticket, thanked, error, busy: rating.busy, load, rate, listen, stop };
});
