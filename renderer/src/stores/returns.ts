import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import type { ReadyItem, ReturnView } from '../../../common/contract';
import { api, onEvent } from '../api';
import { useAction } from '../composables/use-action';
import type { PdfFile } from './types';
import type { UiError } from './ui-error';

export interface CollectorForm {
  delivery: 'desk' | 'post';
  kind: 'applicant' | 'authorised';
  fullName: string;
  idNumber: string;
  authorisation: string;
  trackingNumber: string;
  note: string;
}

const emptyForm = (): CollectorForm => ({
  delivery: 'desk',
  kind: 'applicant',
  fullName: '',
  idNumber: '',
  authorisation: '',
  trackingNumber: '',
  note: '',
});

/** The 12-digit personal ID at the start of an ID card QR (`ID|old ID|name|…`), or the text as typed. */
export function idFromScan(text: string): string {
  const value = text.trim();
  const m = /^(\d{12})\|/.exec(value);
  return m ? m[1]! : value;
}

/** "Trả kết quả": the dossiers ready to return, one opened for hand-over. */
export const useReturnsStore = defineStore('returns', () => {
  const items = ref<ReadyItem[]>([]);
  const query = ref('');
  const error = ref<UiError | null>(null);
  const current = ref<ReturnView | null>(null);
  const openError = ref<UiError | null>(null);
  const form = reactive<CollectorForm>(emptyForm());
  const actionError = ref<UiError | null>(null);
  const reading = useAction({ error, overlap: true });
  const opening = useAction({
    error: openError,
    overlap: true,
    clearError: 'never',
    handle: () => {
      current.value = null;
      return false;
    },
  });
  const acting = useAction({ error: actionError });
  const showing = useAction({ error: actionError, overlap: true, clearError: 'never' });
  /** Set after a successful hand-over in this session (the confirmation). */
  const returnedCode = ref<string | null>(null);
  const pdf = ref<PdfFile | null>(null);
  let stopListening: (() => void) | null = null;

  const filtered = computed(() => {
    const q = query.value.trim().toLowerCase();
    if (q === '') return items.value;
    return items.value.filter((i) => `${i.code} ${i.applicantName} ${i.applicantIdNumber}`.toLowerCase().includes(q));
  });

  async function load(): Promise<void> {
    await reading.run(async () => {
      items.value = await api.returns.listReady({ query: '' });
    });
  }

  async function open(code: string): Promise<boolean> {
    const wanted = code.trim();
    if (wanted === '') return false;
    openError.value = null;
    actionError.value = null;
    pdf.value = null;
    if (current.value?.dossier.code !== wanted) {
      Object.assign(form, emptyForm());
      returnedCode.value = null;
    }
    return opening.run(async () => {
      current.value = await api.returns.get({ code: wanted });
      if (current.value.dossier.delivery === 'post' && !current.value.handOver) form.delivery = 'post';
    });
  }

  function close(): void {
    current.value = null;
    openError.value = null;
    actionError.value = null;
    pdf.value = null;
    Object.assign(form, emptyForm());
  }

  /** An ID card scanned while the hand-over form is open: the collector's ID. */
  function collectorScanned(text: string): void {
    form.idNumber = idFromScan(text);
  }

  async function handOver(): Promise<boolean> {
    const view = current.value;
    if (!view) return false;
    return acting.run(async () => {
      current.value = await api.returns.handOver({
        code: view.dossier.code,
        delivery: form.delivery,
        collector: {
          kind: form.kind,
          fullName: form.fullName,
          idNumber: form.idNumber,
          authorisation: form.authorisation,
        },
        trackingNumber: form.trackingNumber,
        note: form.note,
      });
      returnedCode.value = view.dossier.code;
      items.value = items.value.filter((i) => i.code !== view.dossier.code);
    });
  }

  async function refetch(): Promise<void> {
    const view = current.value;
    if (!view) return;
    await acting.run(async () => {
      current.value = await api.returns.refetch({ code: view.dossier.code });
      void load();
    });
  }

  async function showResult(resultId: number): Promise<void> {
    const view = current.value;
    if (!view) return;
    await showing.run(async () => {
      pdf.value = await api.returns.resultPdf({ code: view.dossier.code, resultId });
    });
  }

  function listen(): void {
    if (stopListening) return;
    stopListening = onEvent('dossier.changed', (change) => {
      if (change.status === 9 || items.value.some((i) => i.code === change.code)) void load();
      // The open dossier changed elsewhere (its result file arrived, another desk returned it).
      if (current.value?.dossier.code === change.code && !acting.busy.value) {
        void api.returns.get({ code: change.code }).then(
          (v) => {
            if (current.value?.dossier.code === v.dossier.code) current.value = v;
          },
          () => {},
        );
      }
    });
  }

  function stop(): void {
    stopListening?.();
    stopListening = null;
  }

  return {
    items,
    query,
    loading: reading.busy,
    error,
    filtered,
    current,
    openError,
    form,
    acting: acting.busy,
    actionError,
    returnedCode,
    pdf,
    load,
    open,
    close,
    collectorScanned,
    handOver,
    refetch,
    showResult,
    listen,
    stop,
  };
});
