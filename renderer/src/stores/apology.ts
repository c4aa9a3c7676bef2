import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ReturnView } from '../../../common/contract';
import { api } from '../api';
import { useAction } from '../composables/use-action';
import type { PdfFile } from './types';
import type { UiError } from './ui-error';

/** Working days a delay letter may add (the form's bounds). */
export const APOLOGY_DAYS = { min: 1, max: 60 } as const;

/**
 * Form 4 (the delay letter) for the dossier open on the dossier screen: its return view, the new
 * appointment previewed by the core's calendar, the letters issued, shown and printed.
 */
export const useApologyStore = defineStore('apology', () => {
  const code = ref<string | null>(null);
  const view = ref<ReturnView | null>(null);
  const preview = ref<string | null>(null);
  const pdf = ref<PdfFile | null>(null);
  const printed = ref<string | null>(null);
  const error = ref<UiError | null>(null);
  // Reads and the letter's copies leave an earlier failure as it is; issuing starts afresh.
  const reading = useAction({
    error,
    overlap: true,
    clearError: 'never',
    handle: () => {
      view.value = null;
      return false;
    },
  });
  const quiet = useAction({ error, overlap: true, clearError: 'never' });
  const issuing = useAction({ error });

  const letters = computed(() => view.value?.delayLetters ?? []);

  /** A fresh panel (another dossier, or the panel shown again). */
  function reset(): void {
    code.value = null;
    view.value = null;
    preview.value = null;
    pdf.value = null;
    printed.value = null;
    error.value = null;
  }

  async function load(dossierCode: string): Promise<void> {
    code.value = dossierCode;
    await reading.run(async () => {
      view.value = await api.returns.get({ code: dossierCode });
    });
  }

  async function quote(days: number): Promise<void> {
    preview.value = null;
    const dossierCode = code.value;
    if (
      !dossierCode ||
      !view.value?.canApologise ||
      !Number.isInteger(days) ||
      days < APOLOGY_DAYS.min ||
      days > APOLOGY_DAYS.max
    )
      return;
    await quiet.run(async () => {
      preview.value = (await api.returns.apologyQuote({ code: dossierCode, extensionDays: days })).newAppointmentAt;
    });
  }

  /** Issues the letter and shows it; true when issued. */
  async function issue(days: number, reason: string): Promise<boolean> {
    const dossierCode = code.value;
    if (!dossierCode) return false;
    return issuing.run(async () => {
      const issued = await api.returns.issueApology({ code: dossierCode, extensionDays: days, reason });
      pdf.value = issued.pdf;
      await load(dossierCode);
    });
  }

  async function open(letterId: number): Promise<void> {
    const dossierCode = code.value;
    if (!dossierCode) return;
    await quiet.run(async () => {
      pdf.value = await api.returns.apologyPdf({ code: dossierCode, letterId });
    });
  }

  async function print(letterId: number): Promise<void> {
    const dossierCode = code.value;
    printed.value = null;
    if (!dossierCode) return;
    await quiet.run(async () => {
      printed.value = (await api.returns.printApology({ code: dossierCode, letterId })).printer;
    });
  }

  return {
    view,
    preview,
    pdf,
    printed,
    error,
    letters,
    busy: issuing.busy,
    reset,
    load,
    quote,
    issue,
    open,
    print,
    clearError: issuing.clear,
  };
});
