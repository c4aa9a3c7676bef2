import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { VerifyResult } from '../../../common/contract';
import { api } from '../api';
import { latestOnly } from '../composables/latest-only';
import { useAction } from '../composables/use-action';
import { readFileBase64 } from './digitise-start';
import type { DocumentSearchHit } from './types';
import { toUiError, type UiError } from './ui-error';

/** PDFs larger than this are refused in the page (the contract's limit is ~50 MB of bytes). */
export const MAX_VERIFY_BYTES = 50 * 1024 * 1024;

/**
 * The verify panel: pick a stored document (searched like the document search) or a PDF file, and
 * see what the core's verifier says about each signature in it.
 */
export const useVerifyStore = defineStore('verify', () => {
  const query = ref('');
  const hits = ref<DocumentSearchHit[]>([]);
  const searching = ref(false);
  const searched = ref(false);
  const result = ref<VerifyResult | null>(null);
  const error = ref<UiError | null>(null);
  const verifying = useAction({ error, overlap: true });
  const latest = latestOnly();

  async function search(text: string): Promise<void> {
    query.value = text;
    const q = text.trim().slice(0, 200);
    if (q === '') {
      latest.invalidate();
      hits.value = [];
      searched.value = false;
      return;
    }
    searching.value = true;
    const outcome = await latest.run(() => api.documents.search({ query: q, limit: 30 }));
    if (outcome.status === 'stale') return;
    searching.value = false;
    if (outcome.status === 'failed') {
      error.value = toUiError(outcome.error);
      return;
    }
    hits.value = outcome.value.filter((h) => h.source === 'local');
    searched.value = true;
    error.value = null;
  }

  async function run(params: Parameters<typeof api.signing.verify>[0]): Promise<void> {
    result.value = null;
    await verifying.run(async () => {
      result.value = await api.signing.verify(params);
    });
  }

  const verifyDocument = (documentId: string): Promise<void> => run({ documentId });

  async function verifyFile(file: File): Promise<void> {
    if (file.size === 0 || file.size > MAX_VERIFY_BYTES) {
      result.value = null;
      error.value = { code: 'VALIDATION_FAILED', message: '', fields: ['file'] };
      return;
    }
    let base64: string;
    try {
      base64 = await readFileBase64(file);
    } catch {
      error.value = { code: 'IMAGE_UNREADABLE', message: '' };
      return;
    }
    await run({ file: { name: file.name.slice(0, 255) || 'tep.pdf', base64 } });
  }

  function clear(): void {
    result.value = null;
    error.value = null;
  }

  return {
    query,
    hits,
    searching,
    searched,
    result,
    verifying: verifying.busy,
    error,
    search,
    verifyDocument,
    verifyFile,
    clear,
  };
});
