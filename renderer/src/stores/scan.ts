import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { EventPayload } from '../../../common/contract';
import { onEvent } from '../api';

export interface ScanNotice {
  kind: 'info' | 'error';
  text: string;
}

/** The last message about a scan, and the serial reader's state as the core reports it. */
export const useScanStore = defineStore('scan', () => {
  const notice = ref<ScanNotice | null>(null);
  const reader = ref<EventPayload<'barcode.state'> | null>(null);

  function show(kind: ScanNotice['kind'], text: string): void {
    notice.value = { kind, text };
  }

  function clear(): void {
    notice.value = null;
  }

  function setReader(state: EventPayload<'barcode.state'>): void {
    reader.value = state;
  }

  /**
   * Hears the serial readers the core reads (`barcode.scanned` goes to `onScan`, their state is
   * kept); the returned function stops.
   */
  function listen(onScan: (text: string) => void): () => void {
    const stops = [
      onEvent('barcode.scanned', (scan) => onScan(scan.text)),
      onEvent('barcode.state', (state) => setReader(state)),
    ];
    return () => stops.forEach((stop) => stop());
  }

  return { notice, reader, show, clear, setReader, listen };
});
