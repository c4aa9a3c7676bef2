import { defineStore } from 'pinia';
import { computed, reactive, ref, watch } from 'vue';
import { isErrorCode, type ErrorCode } from '../../../common/contract';
import { MESSAGE_LIMITS } from '../../../common/contract/message-limits';
import { api, ApiError } from '../api';
import { useAction } from '../composables/use-action';
import {
  canDuplex,
  fitToCapabilities,
  importProfile,
  loadScanProfile,
  saveScanProfile,
  startScanParams,
} from './scan-profile';
import type { BatchSummary, PendingComponent, ScannerListing } from './types';
import { toUiError, type UiError } from './ui-error';

/**
 * The contract's limits for `digitise.importFiles`: the files travel as base64 in one message of
 * at most `MESSAGE_LIMITS.signedInBytes`, so their bytes together are at most three quarters of it.
 */
export const MAX_IMPORT_FILES = 50;
export const MAX_IMPORT_BYTES =
  Math.floor(((MESSAGE_LIMITS.signedInBytes - MESSAGE_LIMITS.envelopeBytes) * 3) / 4) - 1024;

/** A file's bytes as base64, read in the page (the renderer has no file system access). */
export function readFileBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error('FileReader'));
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : '';
      const comma = url.indexOf(',');
      resolve(comma >= 0 ? url.slice(comma + 1) : '');
    };
    reader.readAsDataURL(file);
  });
}

/** The file an IMAGE_UNREADABLE from the core names (`details.file`). */
function fileOf(err: unknown): string | null {
  const details = err instanceof ApiError ? err.details : null;
  if (typeof details !== 'object' || details === null) return null;
  const file = (details as Record<string, unknown>).file;
  return typeof file === 'string' ? file : null;
}

/** The code a listed scanner that could not be asked reports; DEVICE_UNAVAILABLE when it names none we know. */
function scannerErrorCode(listing: ScannerListing): ErrorCode {
  const code = listing.error?.code;
  return isErrorCode(code) ? code : 'DEVICE_UNAVAILABLE';
}

/**
 * The start of the digitisation station: the scanners and the scan profile, a scan or an import
 * making a new batch, batches still open (to resume after a restart) and the intake hand-off.
 */
export const useDigitiseStartStore = defineStore('digitiseStart', () => {
  const scanners = ref<ScannerListing[]>([]);
  const scannersLoaded = ref(false);
  const scannersError = ref<UiError | null>(null);
  const profile = reactive(loadScanProfile());
  const openBatches = ref<BatchSummary[]>([]);
  const batchesError = ref<UiError | null>(null);
  const pending = ref<PendingComponent[]>([]);
  const pendingError = ref<UiError | null>(null);
  const starting = ref(false);
  const startError = ref<UiError | null>(null);
  /** The file a start error concerns (an import that could not be read). */
  const startErrorFile = ref<string | null>(null);
  /** Files read so far while an import is being prepared; null when no import is running. */
  const reading = ref<{ done: number; total: number } | null>(null);
  /** The files were read and are with the core (which decodes them before answering). */
  const sending = ref(false);

  watch(profile, (value) => saveScanProfile(value), { deep: true, flush: 'sync' });

  const scanner = computed(() => scanners.value.find((s) => s.id === profile.scannerId) ?? null);
  const capabilities = computed(() => scanner.value?.capabilities ?? null);
  const duplexAvailable = computed(() => canDuplex(profile, capabilities.value));
  const canScan = computed(() => !!scanner.value && scanner.value.capabilities !== null && !starting.value);

  function chooseScanner(id: string): void {
    profile.scannerId = id;
    Object.assign(profile, fitToCapabilities(profile, capabilities.value));
  }

  /** Keeps the profile within what the chosen scanner offers (after the source changes, say). */
  function fitProfile(): void {
    Object.assign(profile, fitToCapabilities(profile, capabilities.value));
  }

  const scannersReading = useAction({ error: scannersError, overlap: true, clearError: 'onSuccess' });

  async function loadScanners(): Promise<void> {
    await scannersReading.run(async () => {
      scanners.value = await api.digitise.scanners();
      const usable = scanners.value.filter((s) => s.capabilities !== null);
      const remembered = scanners.value.find((s) => s.id === profile.scannerId);
      const pick = remembered ?? usable[0] ?? scanners.value[0];
      if (pick) chooseScanner(pick.id);
    });
    scannersLoaded.value = true;
  }

  const batchesReading = useAction({ error: batchesError, overlap: true, clearError: 'onSuccess' });
  const pendingReading = useAction({ error: pendingError, overlap: true, clearError: 'onSuccess' });

  async function loadBatches(): Promise<void> {
    await batchesReading.run(async () => {
      openBatches.value = await api.digitise.openBatches();
    });
  }

  async function loadPending(): Promise<void> {
    await pendingReading.run(async () => {
      pending.value = await api.digitise.pending();
    });
  }

  async function load(): Promise<void> {
    await Promise.all([loadScanners(), loadBatches(), loadPending()]);
  }

  function failStart(error: UiError, file: string | null = null): null {
    startError.value = error;
    startErrorFile.value = file;
    return null;
  }

  /** Starts a scan with the chosen profile; resolves to the new batch's id. */
  async function startScan(): Promise<string | null> {
    const chosen = scanner.value;
    if (starting.value) return null;
    if (!chosen) return failStart({ code: 'VALIDATION_FAILED', message: '', fields: ['scannerId'] });
    // The scanner's own problem (a jam, an open cover, a lost connection) when it named one.
    if (!chosen.capabilities)
      return failStart({ code: scannerErrorCode(chosen), message: chosen.error?.message ?? '' });
    starting.value = true;
    startError.value = null;
    startErrorFile.value = null;
    try {
      const { batchId } = await api.digitise.startScan(startScanParams(profile, chosen.id, chosen.capabilities));
      return batchId;
    } catch (err) {
      return failStart(toUiError(err));
    } finally {
      starting.value = false;
    }
  }

  /** Reads the chosen files in the page and sends them as one new batch. */
  async function importFiles(files: readonly File[]): Promise<string | null> {
    if (starting.value || files.length === 0) return null;
    startError.value = null;
    startErrorFile.value = null;
    if (files.length > MAX_IMPORT_FILES)
      return failStart({ code: 'VALIDATION_FAILED', message: '', fields: ['files'] });
    const tooLarge = files.find((f) => f.size === 0 || f.size > MAX_IMPORT_BYTES);
    if (tooLarge) return failStart({ code: 'IMAGE_UNREADABLE', message: '' }, tooLarge.name);
    if (files.reduce((sum, f) => sum + f.size, 0) > MAX_IMPORT_BYTES)
      return failStart({ code: 'VALIDATION_FAILED', message: '', fields: ['files'] });
    starting.value = true;
    reading.value = { done: 0, total: files.length };
    try {
      const payload: { name: string; base64: string }[] = [];
      for (const file of files) {
        let base64: string;
        try {
          base64 = await readFileBase64(file);
        } catch {
          return failStart({ code: 'IMAGE_UNREADABLE', message: '' }, file.name);
        }
        if (base64 === '') return failStart({ code: 'IMAGE_UNREADABLE', message: '' }, file.name);
        payload.push({ name: file.name.slice(0, 255) || 'tep', base64 });
        reading.value = { done: payload.length, total: files.length };
      }
      reading.value = null;
      sending.value = true;
      const { batchId } = await api.digitise.importFiles({ files: payload, profile: importProfile(profile) });
      return batchId;
    } catch (err) {
      return failStart(toUiError(err), fileOf(err));
    } finally {
      starting.value = false;
      reading.value = null;
      sending.value = false;
    }
  }

  function clearStartError(): void {
    startError.value = null;
    startErrorFile.value = null;
  }

  return {
    scanners,
    scannersLoading: scannersReading.busy,
    scannersLoaded,
    scannersError,
    profile,
    openBatches,
    batchesError,
    pending,
    pendingError,
    starting,
    startError,
    startErrorFile,
    reading,
    sending,
    scanner,
    capabilities,
    duplexAvailable,
    canScan,
    chooseScanner,
    fitProfile,
    loadScanners,
    loadBatches,
    loadPending,
    load,
    startScan,
    importFiles,
    clearStartError,
  };
});
