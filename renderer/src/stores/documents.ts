import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api';
import { latestOnly } from '../composables/latest-only';
import type { DocumentSearchHit, PdfFile } from './types';
import { toUiError, type UiError } from './ui-error';

export const DOCUMENT_SEARCH_DEBOUNCE_MS = 250;
export const DOCUMENT_SEARCH_LIMIT = 50;

/**
 * Search of digitised documents by their OCR text, owner and codes. The core folds diacritics,
 * so "ben nghe" finds "Bến Nghé"; only the answer to the last query typed is kept.
 */
export const useDocumentsStore = defineStore('documents', () => {
  const query = ref('');
  const results = ref<DocumentSearchHit[]>([]);
  const searching = ref(false);
  const searched = ref(false);
  const error = ref<UiError | null>(null);
  /** The PDF shown under the results (a document digitised at this desk). */
  const pdf = ref<{ id: string; file: PdfFile } | null>(null);
  const pdfLoading = ref<string | null>(null);
  const pdfError = ref<UiError | null>(null);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const latest = latestOnly();

  async function run(text: string): Promise<void> {
    const q = text.trim().slice(0, 200);
    if (q === '') {
      latest.invalidate();
      results.value = [];
      searched.value = false;
      searching.value = false;
      error.value = null;
      return;
    }
    searching.value = true;
    const outcome = await latest.run(() => api.documents.search({ query: q, limit: DOCUMENT_SEARCH_LIMIT }));
    if (outcome.status === 'stale') return;
    searching.value = false;
    if (outcome.status === 'failed') {
      error.value = toUiError(outcome.error);
      return;
    }
    results.value = outcome.value;
    error.value = null;
    searched.value = true;
  }

  function cancelTimer(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }

  /** Debounced search as the digitiser types. */
  function search(text: string): void {
    query.value = text;
    cancelTimer();
    timer = setTimeout(() => {
      timer = null;
      void run(text);
    }, DOCUMENT_SEARCH_DEBOUNCE_MS);
  }

  /** Enter: searches now. */
  async function searchNow(): Promise<void> {
    cancelTimer();
    await run(query.value);
  }

  function clear(): void {
    cancelTimer();
    latest.invalidate();
    query.value = '';
    results.value = [];
    searched.value = false;
    searching.value = false;
    error.value = null;
  }

  async function openPdf(id: string): Promise<void> {
    pdfLoading.value = id;
    pdfError.value = null;
    try {
      const file = await api.documents.pdf({ id });
      if (pdfLoading.value === id) pdf.value = { id, file };
    } catch (err) {
      if (pdfLoading.value === id) pdfError.value = toUiError(err);
    } finally {
      if (pdfLoading.value === id) pdfLoading.value = null;
    }
  }

  function closePdf(): void {
    pdf.value = null;
    pdfError.value = null;
    pdfLoading.value = null;
  }

  return {
    query,
    results,
    searching,
    searched,
    error,
    pdf,
    pdfLoading,
    pdfError,
    search,
    searchNow,
    clear,
    openPdf,
    closePdf,
  };
});
