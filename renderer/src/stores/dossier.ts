import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Dossier, DossierDocumentKind } from '../../../common/contract';
import { STATUS } from '../../../common/domain';
import { api, onEvent } from '../api';
import { useAction } from '../composables/use-action';
import type { PdfFile } from './types';
import type { UiError } from './ui-error';

/** One dossier opened from today's list, its printed documents and the desk's follow-up actions. */
export const useDossierStore = defineStore('dossier', () => {
  const dossier = ref<Dossier | null>(null);
  const error = ref<UiError | null>(null);
  const pdf = ref<{ kind: DossierDocumentKind; file: PdfFile } | null>(null);
  const pdfError = ref<UiError | null>(null);
  const actionError = ref<UiError | null>(null);
  const reading = useAction({ error, overlap: true });
  const opening = useAction({ error: pdfError, overlap: true });
  const acting = useAction({ error: actionError });
  let stopListening: (() => void) | null = null;

  /** Supplement requests and refusals are for a dossier just received (status 2). */
  const canAct = computed(() => dossier.value?.status === STATUS.RECEIVED);

  async function load(code: string): Promise<void> {
    if (dossier.value?.code !== code) {
      dossier.value = null;
      pdf.value = null;
    }
    await reading.run(async () => {
      dossier.value = await api.dossier.get({ code });
    });
  }

  async function openDocument(kind: DossierDocumentKind): Promise<void> {
    const code = dossier.value?.code;
    if (!code) return;
    await opening.run(async () => {
      const file = await api.dossier.document({ code, kind });
      if (dossier.value?.code === code) pdf.value = { kind, file };
    });
  }

  async function act(run: (code: string) => Promise<Dossier>, kind: DossierDocumentKind): Promise<boolean> {
    const code = dossier.value?.code;
    if (!code) return false;
    return acting.run(async () => {
      dossier.value = await run(code);
      await openDocument(kind);
    });
  }

  const requestSupplement = (missing: string[], reason: string) =>
    act((code) => api.dossier.requestSupplement({ code, missing, reason }), 'supplement');

  const refuse = (reasons: string[]) => act((code) => api.dossier.refuse({ code, reasons }), 'refusal');

  function listen(): void {
    if (stopListening) return;
    stopListening = onEvent('dossier.changed', (change) => {
      if (dossier.value?.code === change.code && !acting.busy.value) void load(change.code);
    });
  }

  function stop(): void {
    stopListening?.();
    stopListening = null;
  }

  return {
    dossier,
    loading: reading.busy,
    error,
    pdf,
    pdfError,
    acting: acting.busy,
    actionError,
    canAct,
    load,
    openDocument,
    requestSupplement,
    refuse,
    listen,
    stop,
    clearActionError: acting.clear,
  };
});
