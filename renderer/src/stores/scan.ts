import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { EventPayload } from '../../../common/contract';

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

  return { notice, reader, show, clear, setReader };
});
