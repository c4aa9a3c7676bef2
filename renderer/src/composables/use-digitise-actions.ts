import { useDigitiseBatchStore } from '../stores/digitise-batch';
import { fieldKey, METADATA_FIELDS } from '../stores/digitise-metadata';
import { useDigitiseStartStore } from '../stores/digitise-start';
import { focusById } from './use-intake-actions';

export const DIGITISE_FOCUS = {
  scan: 'scan-start',
  grid: 'page-grid',
  result: 'finish-result',
} as const;

/** The id of a metadata field's input (`meta-validUntil`). */
export const metaInputId = (field: string): string => `meta-${field}`;

/** The station's actions shared by its buttons and its shortcuts, with where focus goes next. */
export function useDigitiseActions() {
  const start = useDigitiseStartStore();
  const batch = useDigitiseBatchStore();

  async function openBatch(id: string): Promise<void> {
    await batch.open(id);
    await focusById(DIGITISE_FOCUS.grid);
  }

  async function scan(): Promise<void> {
    const id = await start.startScan();
    if (id) await openBatch(id);
  }

  async function importFiles(files: readonly File[]): Promise<void> {
    const id = await start.importFiles(files);
    if (id) await openBatch(id);
  }

  async function cancel(): Promise<void> {
    await batch.cancel();
  }

  /** Finishes the selected document; on a refusal, focus goes to the first field named. */
  async function finish(): Promise<void> {
    const result = await batch.finish();
    if (result) {
      await focusById(DIGITISE_FOCUS.result);
      return;
    }
    const fields = batch.finishError?.fields ?? [];
    const first = METADATA_FIELDS.find((f) => fields.includes(fieldKey(f)));
    if (first) await focusById(metaInputId(first));
  }

  /** Leaves the batch (it stays open in the core) and shows the start screen again. */
  async function back(): Promise<void> {
    batch.close();
    await Promise.all([start.loadBatches(), start.loadPending()]);
    await focusById(DIGITISE_FOCUS.scan);
  }

  return { openBatch, scan, importFiles, cancel, finish, back };
}
