/**
 * The state of the link to the core host. Electron (MessagePort behind the preload) is always
 * `open`; browser mode moves through the states as its WebSocket drops and reconnects.
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

type Listener = (state: ConnectionState) => void;

let current: ConnectionState = 'connecting';
const listeners = new Set<Listener>();

export function getConnectionState(): ConnectionState {
  return current;
}

export function setConnectionState(state: ConnectionState): void {
  if (state === current) return;
  current = state;
  for (const listener of [...listeners]) listener(state);
}

export function onConnectionState(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
