import { computed, ref, type ComputedRef, type Ref } from 'vue';
import { toUiError, type UiError } from '../stores/ui-error';

export interface ActionOptions {
  /**
   * Where a failure is kept; a fresh ref unless given, so several actions of one screen may show
   * their failures in the same error box.
   */
  error?: Ref<UiError | null>;
  /** A failure the caller handles itself (QUEUE_EMPTY, say): return true and `error` stays as it is. */
  handle?: (err: unknown) => boolean;
  /**
   * Runs may overlap (reloads after events): `busy` is then true while any run is in flight, and
   * the failure of any run is kept. By default a second run while one is busy is refused.
   */
  overlap?: boolean;
  /**
   * When the last failure is cleared: as a run starts (the default), only when a run succeeds (a
   * background reload leaves it shown meanwhile), or never (the task clears it itself).
   */
  clearError?: 'onStart' | 'onSuccess' | 'never';
}

export interface Action {
  /** True while a run is in flight. */
  readonly busy: ComputedRef<boolean>;
  /** The last failure as the screens show it (`ErrorBox` words it by its code), or null. */
  readonly error: Ref<UiError | null>;
  /**
   * Runs `task`: sets `busy`, clears the last failure (see `clearError`), keeps a failure (an `ApiError` or any other
   * throw) as a `UiError`. True when the task ended without a failure; false when it failed or was
   * refused because the action was already busy. `clearError` overrides the action's for this run.
   */
  run(task: () => Promise<unknown>, opts?: Pick<ActionOptions, 'clearError'>): Promise<boolean>;
  clear(): void;
}

/**
 * "An action with busy/error state": one button's or one store call's busy flag and failure, the
 * try/catch/finally written once (docs/architecture.md, "Renderer").
 */
export function useAction(options: ActionOptions = {}): Action {
  const inFlight = ref(0);
  const busy = computed(() => inFlight.value > 0);
  const error = options.error ?? ref<UiError | null>(null);

  async function run(task: () => Promise<unknown>, opts: Pick<ActionOptions, 'clearError'> = {}): Promise<boolean> {
    if (busy.value && !options.overlap) return false;
    inFlight.value += 1;
    const clearError = opts.clearError ?? options.clearError ?? 'onStart';
    if (clearError === 'onStart') error.value = null;
    try {
      await task();
      if (clearError === 'onSuccess') error.value = null;
      return true;
    } catch (err) {
      if (!options.handle?.(err)) error.value = toUiError(err);
      return false;
    } finally {
      inFlight.value -= 1;
    }
  }

  return {
    busy,
    error,
    run,
    clear: () => {
      error.value = null;
    },
  };
}
