import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api, getConnectionState, onActivity, onConnectionState, onEvent, type ConnectionState } from '../api';
import type { AppInfo, SyncOverview } from './types';
import { toUiError, type UiError } from './ui-error';

/** Workstation identity, training mode, the link to the core, sync totals and calls in flight. */
export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null);
  const infoError = ref<UiError | null>(null);
  const connection = ref<ConnectionState>(getConnectionState());
  const sync = ref<SyncOverview | null>(null);
  const pendingCalls = ref(0);
  const stops: (() => void)[] = [];

  async function loadInfo(): Promise<void> {
    try {
      info.value = await api.app.info();
      infoError.value = null;
    } catch (err) {
      infoError.value = toUiError(err);
    }
  }

  async function loadSync(): Promise<void> {
    try {
      sync.value = await api.sync.overview();
    } catch {
      // Not signed in yet, or a role without access: the indicator stays unknown.
    }
  }

  /** Subscribes once to the core's pushes; safe to call again. */
  function start(): void {
    if (stops.length) return;
    stops.push(onConnectionState((state) => (connection.value = state)));
    stops.push(onActivity((n) => (pendingCalls.value = n)));
    stops.push(onEvent('sync.progress', (overview) => (sync.value = overview)));
    connection.value = getConnectionState();
  }

  function stop(): void {
    for (const s of stops.splice(0)) s();
  }

  return { info, infoError, connection, sync, pendingCalls, loadInfo, loadSync, start, stop };
});
