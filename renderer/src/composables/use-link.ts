import { computed, onBeforeUnmount, onMounted, ref, type ComputedRef } from 'vue';
import { getConnectionState, onConnectionState, type ConnectionState } from '../api';

export interface LinkState {
  /** The link to the core (or the centre, for a device it serves) is up. */
  open: ComputedRef<boolean>;
  /** It was lost and is being retried (not the first connection of the page). */
  lost: ComputedRef<boolean>;
}

/**
 * The state of the page's link, for the wall screens (kiosk, display, rating): a kiosk stops
 * issuing numbers while it cannot reach the queue, and every screen says it lost the link.
 * `onBack` runs each time the link comes back after a loss (read the screen's data again).
 */
export function useLink(onBack?: () => void): LinkState {
  const state = ref<ConnectionState>(getConnectionState());
  let stop: (() => void) | null = null;
  onMounted(() => {
    state.value = getConnectionState();
    stop = onConnectionState((next) => {
      const was = state.value;
      state.value = next;
      if (next === 'open' && was === 'reconnecting') onBack?.();
    });
  });
  onBeforeUnmount(() => stop?.());
  return {
    open: computed(() => state.value === 'open'),
    lost: computed(() => state.value === 'reconnecting'),
  };
}
