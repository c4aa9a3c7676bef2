import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { DossierSummary } from '../../../common/contract';
import { foldVietnamese } from '../../../common/domain';
import { api, onEvent } from '../api';
import { useAction } from '../composables/use-action';
import type { UiError } from './ui-error';

function searchKey(d: DossierSummary): string {
  return foldVietnamese(
    [d.code, d.applicantName, d.applicantIdNumber, d.procedureCode, d.procedureName, d.officer].join(' '),
  );
}

/** Every word of the query must appear in the folded dossier line ("nguyen khai sinh" works). */
export function filterDossiers(items: readonly DossierSummary[], query: string): DossierSummary[] {
  const words = foldVietnamese(query).split(' ').filter(Boolean);
  if (!words.length) return [...items];
  return items.filter((d) => {
    const key = searchKey(d);
    return words.every((w) => key.includes(w));
  });
}

/** Today's dossiers at this desk, filtered locally as the officer types. */
export const useTodayStore = defineStore('today', () => {
  const items = ref<DossierSummary[]>([]);
  const query = ref('');
  const loaded = ref(false);
  const error = ref<UiError | null>(null);
  const reading = useAction({ error, overlap: true, clearError: 'onSuccess' });
  let stopListening: (() => void) | null = null;
  let reloadTimer: ReturnType<typeof setTimeout> | null = null;

  const filtered = computed(() => filterDossiers(items.value, query.value));

  async function load(): Promise<void> {
    await reading.run(async () => {
      items.value = await api.dossier.listToday({ query: '' });
      loaded.value = true;
    });
  }

  function listen(): void {
    if (stopListening) return;
    stopListening = onEvent('dossier.changed', () => {
      if (reloadTimer !== null) return;
      reloadTimer = setTimeout(() => {
        reloadTimer = null;
        void load();
      }, 300);
    });
  }

  function stop(): void {
    stopListening?.();
    stopListening = null;
    if (reloadTimer !== null) clearTimeout(reloadTimer);
    reloadTimer = null;
  }

  return { items, query, loading: reading.busy, loaded, error, filtered, load, listen, stop };
});
