import type { TokenChange, TokenSlotInfo } from './token.port';

/**
 * Polls `list` and reports tokens appearing in or leaving a slot (a different serial number in
 * the same slot counts as removal then insertion). A failing poll is skipped.
 */
export function pollSlots(
  list: () => Promise<TokenSlotInfo[]>,
  listener: (change: TokenChange) => void,
  intervalMs: number,
): () => void {
  let known: Map<string, TokenSlotInfo> | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const key = (slot: TokenSlotInfo): string | null =>
    slot.token === null ? null : `${slot.token.serialNumber}|${slot.token.label}`;
  const tick = async (): Promise<void> => {
    try {
      const slots = await list();
      if (stopped) return;
      const now = new Map(slots.map((s) => [s.id, s]));
      if (known !== null) {
        for (const [id, before] of known) {
          const after = now.get(id);
          if (key(before) !== null && (after === undefined || key(after) !== key(before)))
            emit({ kind: 'removed', slot: before });
        }
        for (const [id, after] of now) {
          const before = known.get(id);
          if (key(after) !== null && (before === undefined || key(before) !== key(after)))
            emit({ kind: 'inserted', slot: after });
        }
      }
      known = now;
    } catch {
      // a failed poll changes nothing; the next one tries again
    } finally {
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    }
  };
  const emit = (change: TokenChange): void => {
    try {
      listener(change);
    } catch {
      // a throwing listener is ignored
    }
  };
  void tick();
  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
  };
}
