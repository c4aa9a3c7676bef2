import { ref, type Ref } from 'vue';
import { toUiError, type UiError } from './ui-error';

/** Wait before sending again after the link to the core was lost. */
export const RETRY_MS = 3000;

export type DraftSaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'failed';

export interface DraftSaver<T> {
  /** A new value for `key`: saved after `debounceMs` without another change. */
  schedule(key: string, value: T): void;
  /** Saves what is waiting now (leaving a batch, closing the screen) and waits for every save. */
  flush(): Promise<void>;
  /** What the core already holds for `key` (just loaded): the same value is not sent back. */
  remember(key: string, value: T): void;
  readonly state: Ref<DraftSaveState>;
  readonly error: Ref<UiError | null>;
  /** What the core answered for the last save (its `savedAt`). */
  readonly savedAt: Ref<string | null>;
}

/**
 * Saves a draft to the core as it is typed: debounced, one save at a time in the order of the
 * changes (an older value never lands after a newer one), an unchanged value not sent again.
 * Each save carries the whole value, so after a failed save the next change (or `flush`) sends
 * everything typed so far.
 */
export function createDraftSaver<T>(
  save: (key: string, value: T) => Promise<{ savedAt: string }>,
  debounceMs: number,
): DraftSaver<T> {
  const state = ref<DraftSaveState>('idle');
  const error = ref<UiError | null>(null);
  const savedAt = ref<string | null>(null);
  let waiting: { key: string; value: T; text: string } | null = null;
  /** The last value the core confirmed, per key, as JSON. */
  const confirmed = new Map<string, string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let chain: Promise<void> = Promise.resolve();

  function cancelTimer(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }

  function send(): Promise<void> {
    cancelTimer();
    const next = waiting;
    waiting = null;
    if (!next) return chain;
    chain = chain.then(async () => {
      if (confirmed.get(next.key) === next.text) {
        if (waiting === null) state.value = 'saved';
        return;
      }
      state.value = 'saving';
      try {
        const answer = await save(next.key, JSON.parse(next.text) as T);
        confirmed.set(next.key, next.text);
        savedAt.value = answer.savedAt;
        error.value = null;
        if (waiting === null) state.value = 'saved';
      } catch (err) {
        error.value = toUiError(err);
        state.value = 'failed';
        // The link to the core dropped: try again once it may be back, unless newer text is waiting.
        if (error.value.code === 'REMOTE_UNAVAILABLE' && waiting === null) {
          waiting = next;
          timer = setTimeout(() => {
            void send();
          }, RETRY_MS);
        }
      }
    });
    return chain;
  }

  return {
    schedule(key, value) {
      waiting = { key, value, text: JSON.stringify(value) };
      state.value = 'pending';
      cancelTimer();
      timer = setTimeout(() => {
        void send();
      }, debounceMs);
    },
    flush: () => send(),
    remember(key, value) {
      confirmed.set(key, JSON.stringify(value));
    },
    state,
    error,
    savedAt,
  };
}
