import { nextTick } from 'vue';
import { useIntakeStore } from '../stores/intake';
import { useQueueStore } from '../stores/queue';

export const FOCUS = {
  applicant: 'applicant-id',
  procedure: 'procedure-search',
  receive: 'receive-button',
  print: 'print-receipt',
} as const;

export async function focusById(id: string, select = false): Promise<void> {
  await nextTick();
  const el = document.getElementById(id);
  if (!el) return;
  el.focus();
  if (select && el instanceof HTMLInputElement) el.select();
}

/** The intake actions shared by the buttons and the page shortcuts, with where focus goes next. */
export function useIntakeActions(discardQuestion = '') {
  const intake = useIntakeStore();
  const queue = useQueueStore();

  async function callNext(): Promise<void> {
    const called = await queue.callNext();
    if (!called) return;
    if (intake.draft.result) intake.reset();
    await focusById(FOCUS.applicant);
  }

  async function recall(): Promise<void> {
    await queue.recall();
  }

  async function skip(): Promise<void> {
    await queue.skip();
  }

  async function receive(): Promise<void> {
    const dossier = await intake.receive();
    if (dossier) await focusById(FOCUS.print);
  }

  async function print(): Promise<boolean> {
    if (!intake.draft.result) return false;
    await intake.printReceipt();
    return true;
  }

  /** Clears the draft; one not yet received is only dropped after the officer confirms. */
  async function startNew(): Promise<void> {
    if (!intake.draft.result && intake.hasInput && !window.confirm(discardQuestion)) return;
    intake.reset();
    await focusById(FOCUS.applicant);
  }

  return { callNext, recall, skip, receive, print, startNew };
}
