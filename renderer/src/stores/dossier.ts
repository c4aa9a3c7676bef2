import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Dossier, DossierDocumentKind } from '../../../common/contract';
import { STATUS } from '../../../common/domain';
import { api, onEvent } from '../api';
import type { PdfFile } from './types';
import { toUiError, type UiError } from './ui-error';

/** One dossier opened from today's list, its printed documents and the desk's follow-up actions. */
export const useDossierStore = defineStore('dossier', () => {
  const dossier = ref<Dossier | null>(null);
  const loading = ref(false);
  const error = ref<UiError | null>(null);
  const pdf = ref<{ kind: DossierDocumentKind; file: PdfFile } | null>(null);
  const pdfError = ref<UiError | null>(null);
  const acting = ref(false);
  const actionError = ref<UiError | null>(null);
  let stopListening: (() => void) | null = null;

  /** Supplement requests and refusals are for a dossier just received (status 2). */
  const canAct = computed(() => dossier.value?.status === STATUS.RECEIVED);

  async function load(code: string): Promise<void> {
    if (dossier.value?.code !== code) {
      dossier.value = null;
      pdf.value = null;
    }
    loading.value = true;
    error.value = null;
    try {
      dossier.value = await api.dossier.get({ code });
    } catch (err) {
      error.value = toUiError(err);
    } finally {
      loading.value = false;
    }
  }

  async function openDocument(kind: DossierDocumentKind): Promise<void> {
    const code = dossier.value?.code;
    if (!code) return;
    pdfError.value = null;
    try {
      const file = await api.dossier.document({ code, kind });
      if (dossier.value?.code === code) pdf.value = { kind, file };
    } catch (err) {
      pdfError.value = toUiError(err);
    }
  }

  async function act(run: (code: string) => Promise<Dossier>, kind: DossierDocumentKind): Promise<boolean> {
    const code = dossier.value?.code;
    if (!code || acting.value) return false;
    acting.value = true;
    actionError.value = null;
    try {
      dossier.value = await run(code);
      await openDocument(kind);
      return true;
    } catch (err) {
      actionError.value = toUiError(err);
      return false;
    } finally {
      acting.value = false;
    }
  }

  const requestSupplement = (missing: string[], reason: string) =>
    act((code) => api.dossier.requestSupplement({ code, missing, reason }), 'supplement');

  const refuse = (reasons: string[]) => act((code) => api.dossier.refuse({ code, reasons }), 'refusal');

  function listen(): void {
    if (stopListening) return;
    stopListening = onEvent('dossier.changed', (change) => {
      if (dossier.value?.code === change.code && !acting.value) void load(change.code);
    });
  }

  function stop(): void {
    stopListening?.();
    stopListening = null;
  }

  function clearActionError(): void {
    actionError.value = null;
  }

  return {
    dossier, loading, error, pdf, pdfError, acting, actionError, canAct,
    load, openDocument, requestSupplement, refuse, listen, stop, clearActionError,
  };
});
