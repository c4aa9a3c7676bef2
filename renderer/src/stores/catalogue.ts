import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ProcedureSummary } from '../../../common/contract';
import { api } from '../api';
import { latestOnly } from '../composables/latest-only';
import { toUiError, type UiError } from './ui-error';

export const SEARCH_DEBOUNCE_MS = 150;

/** Procedure search as the officer types (the core folds diacritics: "khai sinh" finds "Khai sinh"). */
export const useCatalogueStore = defineStore('catalogue', () => {
  const query = ref('');
  const results = ref<ProcedureSummary[]>([]);
  const searching = ref(false);
  const searched = ref(false);
  const error = ref<UiError | null>(null);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const latest = latestOnly();

  async function run(text: string): Promise<void> {
    const q = text.trim();
    if (q === '') {
      latest.invalidate();
      results.value = [];
      searched.value = false;
      searching.value = false;
      return;
    }
    searching.value = true;
    const outcome = await latest.run(() => api.catalogue.search({ query: q, limit: 20 }));
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

  /** Debounced: only the last text typed within 150 ms is sent. */
  function search(text: string): void {
    query.value = text;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void run(text);
    }, SEARCH_DEBOUNCE_MS);
  }

  /** Sends the pending search now (Enter pressed before the debounce ran). */
  async function flush(): Promise<void> {
    if (timer === null) return;
    clearTimeout(timer);
    timer = null;
    await run(query.value);
  }

  function clear(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    latest.invalidate();
    query.value = '';
    results.value = [];
    searched.value = false;
    searching.value = false;
    error.value = null;
  }

  return { query, results, searching, searched, error, search, flush, clear };
});
