import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { SigningJob, SigningStatus } from '../../../common/contract';
import { api, onEvent } from '../api';
import { useAction } from '../composables/use-action';
import { toUiError, type UiError } from './ui-error';

/**
 * Batch signing at the digitisation station: the token is logged in to once per batch with the
 * PIN typed in the prompt; the PIN goes to the core in that one call and is not kept here (the
 * prompt's field is emptied whatever the answer). Progress comes as `signing.progress` events.
 */
export const useSigningStore = defineStore('signing', () => {
  const status = ref<SigningStatus | null>(null);
  const job = ref<SigningJob | null>(null);
  const cancelling = ref(false);
  const error = ref<UiError | null>(null);
  /** Tries left after a wrong PIN, when the token says. */
  const triesLeft = ref<number | null>(null);
  let stop: (() => void) | null = null;
  const reading = useAction({ error, overlap: true, clearError: 'never' });
  // A wrong PIN answers how many tries the token has left; the failure is shown as well.
  const starting = useAction({
    error,
    handle: (err) => {
      const details = (err as { details?: { triesLeft?: unknown } }).details;
      triesLeft.value = typeof details?.triesLeft === 'number' ? details.triesLeft : null;
      return false;
    },
  });

  const running = computed(() => job.value?.state === 'running');
  const enabled = computed(() => status.value?.enabled ?? false);

  async function load(): Promise<void> {
    await reading.run(async () => {
      status.value = await api.signing.status();
      if (status.value.running && (!job.value || job.value.jobId === status.value.running.jobId))
        job.value = status.value.running;
    });
  }

  function listen(): void {
    stop ??= onEvent('signing.progress', (p) => {
      const j = job.value;
      if (!j || j.jobId !== p.jobId) return;
      j.done = p.done;
      j.total = p.total;
      j.state = p.state;
      if (p.document) {
        const i = j.documents.findIndex((d) => d.documentId === p.document!.documentId);
        if (i >= 0) j.documents[i] = p.document;
        j.signed = j.documents.filter((d) => d.state === 'signed').length;
        j.failed = j.documents.filter((d) => d.state === 'failed').length;
      }
      if (p.state !== 'running') {
        cancelling.value = false;
        // The final figures from the core (events may have been missed while reconnecting).
        void api.signing
          .job({ jobId: p.jobId })
          .then((fresh) => {
            if (job.value?.jobId === fresh.jobId) job.value = fresh;
          })
          .catch(() => undefined);
      }
    });
  }

  function unlisten(): void {
    stop?.();
    stop = null;
  }

  /** Logs in with `pin` and starts signing; true when the job started. */
  async function start(batchId: string, pin: string): Promise<boolean> {
    if (starting.busy.value || running.value) return false;
    triesLeft.value = null;
    return starting.run(async () => {
      job.value = await api.signing.signBatch({ batchId, pin });
    });
  }

  async function cancel(): Promise<void> {
    const j = job.value;
    if (!j || j.state !== 'running' || cancelling.value) return;
    cancelling.value = true;
    try {
      await api.signing.cancel({ jobId: j.jobId });
    } catch (err) {
      cancelling.value = false;
      error.value = toUiError(err);
    }
  }

  /** Forgets the last job (another batch is opened). */
  function reset(): void {
    if (running.value) return;
    job.value = null;
    error.value = null;
    triesLeft.value = null;
  }

  return {
    status,
    job,
    starting: starting.busy,
    cancelling,
    error,
    triesLeft,
    running,
    enabled,
    load,
    listen,
    unlisten,
    start,
    cancel,
    reset,
  };
});
