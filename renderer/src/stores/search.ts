import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import type { DossierSummary, Person } from '../../../common/contract';
import { api } from '../api';
import { latestOnly } from '../composables/latest-only';
import { LOCAL_DATE } from '../format/format';
import { toUiError, type UiError } from './ui-error';

export const SEARCH_DEBOUNCE_MS = 250;
export const PEOPLE_LIMIT = 20;
export const DOSSIER_LIMIT = 50;

export interface SearchFilters {
  /** `YYYY-MM-DD`, '' (no bound), or the text as typed while it is not a date. */
  receivedFrom: string;
  receivedTo: string;
  /** A dossier status (1-10) or null for any. */
  status: number | null;
}

/**
 * The search screen: people (`applicant.search`) and dossiers (`dossier.search`) by name (the
 * core folds diacritics), 12-digit ID, dossier code or its start, narrowed by the day received and
 * the status. Typing searches after a short pause, Enter at once; only the answer to the latest
 * query is shown. People are listed only when no dossier filter is set (they have no status or day).
 */
export const useSearchStore = defineStore('search', () => {
  const query = ref('');
  const filters = reactive<SearchFilters>({ receivedFrom: '', receivedTo: '', status: null });
  const people = ref<Person[]>([]);
  const dossiers = ref<DossierSummary[]>([]);
  const searching = ref(false);
  const searched = ref(false);
  const error = ref<UiError | null>(null);
  const latest = latestOnly();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const filtered = computed(() => filters.receivedFrom !== '' || filters.receivedTo !== '' || filters.status !== null);
  /** A day typed that is not a date (`31/02/2026`, `12/2026`): nothing is asked of the core until it is fixed. */
  const dateInvalid = computed(() =>
    [filters.receivedFrom, filters.receivedTo].some((d) => d !== '' && !LOCAL_DATE.test(d)),
  );
  /** "From" after "to": the same. */
  const rangeInvalid = computed(
    () =>
      !dateInvalid.value &&
      filters.receivedFrom !== '' &&
      filters.receivedTo !== '' &&
      filters.receivedFrom > filters.receivedTo,
  );
  const empty = computed(
    () =>
      searched.value &&
      !searching.value &&
      error.value === null &&
      people.value.length === 0 &&
      dossiers.value.length === 0,
  );

  function clearResults(): void {
    people.value = [];
    dossiers.value = [];
    searched.value = false;
    searching.value = false;
    error.value = null;
  }

  function cancelTimer(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }

  async function run(): Promise<void> {
    const q = query.value.trim().slice(0, 100);
    if ((q === '' && !filtered.value) || dateInvalid.value || rangeInvalid.value) {
      latest.invalidate();
      clearResults();
      return;
    }
    const dossierParams = {
      query: q,
      limit: DOSSIER_LIMIT,
      ...(filters.receivedFrom ? { receivedFrom: filters.receivedFrom } : {}),
      ...(filters.receivedTo ? { receivedTo: filters.receivedTo } : {}),
      ...(filters.status !== null ? { status: filters.status } : {}),
    };
    const withPeople = q !== '' && !filtered.value;
    searching.value = true;
    const outcome = await latest.run(() =>
      Promise.all([
        withPeople ? api.applicant.search({ query: q, limit: PEOPLE_LIMIT }) : Promise.resolve([]),
        api.dossier.search(dossierParams),
      ]),
    );
    if (outcome.status === 'stale') return;
    searching.value = false;
    searched.value = true;
    if (outcome.status === 'failed') {
      error.value = toUiError(outcome.error);
      people.value = [];
      dossiers.value = [];
      return;
    }
    error.value = null;
    [people.value, dossiers.value] = outcome.value;
  }

  /** Typing: searches after a pause. */
  function schedule(): void {
    cancelTimer();
    timer = setTimeout(() => {
      timer = null;
      void run();
    }, SEARCH_DEBOUNCE_MS);
  }

  function setQuery(text: string): void {
    query.value = text;
    schedule();
  }

  function setFilters(next: Partial<SearchFilters>): void {
    Object.assign(filters, next);
    schedule();
  }

  /** Enter: now. */
  async function searchNow(): Promise<void> {
    cancelTimer();
    await run();
  }

  function clear(): void {
    cancelTimer();
    latest.invalidate();
    query.value = '';
    Object.assign(filters, { receivedFrom: '', receivedTo: '', status: null });
    clearResults();
  }

  return {
    query,
    filters,
    people,
    dossiers,
    searching,
    searched,
    error,
    filtered,
    dateInvalid,
    rangeInvalid,
    empty,
    setQuery,
    setFilters,
    searchNow,
    clear,
  };
});
