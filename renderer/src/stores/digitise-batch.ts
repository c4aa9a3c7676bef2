import { defineStore } from 'pinia';
import { computed, reactive, ref, watch } from 'vue';
import { isErrorCode, type BatchDrafts, type BatchEdit, type EventPayload } from '../../../common/contract';
import { api, onEvent } from '../api';
import { useAction } from '../composables/use-action';
import { deleteOp, documentGroups, moveOp, orderedPages, splitOrJoinOp } from './batch-edits';
import {
  applyPending,
  buildMetadata,
  clearPending,
  emptyMetadataDraft,
  followingDraft,
  inheritOwner,
  type MetadataDraft,
} from './digitise-metadata';
import { createDraftSaver } from './draft-saver';
import type { BatchPage, BatchView, FinishResult, PendingComponent } from './types';
import { toUiError, type UiError } from './ui-error';

export type DigitiseProgress = EventPayload<'digitise.progress'>;

export const DIGITISE_DRAFTS_KEY = 'motcua.digitiseDrafts';

/** Stages after which the batch is fetched again: a page was captured or processed, or the batch changed. */
const REFRESH_STAGES = new Set([
  'captured',
  'done',
  'blank',
  'error',
  'rescanned',
  'scan-ended',
  'cancelled',
  'finished',
]);

interface SavedDrafts {
  batchId: string;
  drafts: Record<string, MetadataDraft>;
}

function loadSavedDrafts(batchId: string): Record<number, MetadataDraft> {
  try {
    const raw = globalThis.sessionStorage?.getItem(DIGITISE_DRAFTS_KEY);
    if (!raw) return {};
    const saved = JSON.parse(raw) as Partial<SavedDrafts>;
    if (saved.batchId !== batchId || typeof saved.drafts !== 'object' || saved.drafts === null) return {};
    const out: Record<number, MetadataDraft> = {};
    for (const [group, draft] of Object.entries(saved.drafts))
      out[Number(group)] = { ...emptyMetadataDraft(), ...draft };
    return out;
  } catch {
    return {};
  }
}

function saveDrafts(batchId: string | null, drafts: Record<number, MetadataDraft>): void {
  try {
    if (batchId === null) return;
    globalThis.sessionStorage?.setItem(DIGITISE_DRAFTS_KEY, JSON.stringify({ batchId, drafts } satisfies SavedDrafts));
  } catch {
    // Storage unavailable: the drafts live in memory for this page.
  }
}

/** Pause in typing after which the metadata drafts are saved with the batch in the core. */
export const DRAFT_SAVE_DEBOUNCE_MS = 500;

const EMPTY_DRAFT = JSON.stringify(emptyMetadataDraft());

/** The drafts worth keeping in the core: every one the digitiser or a hand-off filled in. */
export function draftsToKeep(drafts: Record<number, MetadataDraft>): BatchDrafts {
  const out: BatchDrafts = {};
  for (const [group, draft] of Object.entries(drafts))
    if (JSON.stringify(draft) !== EMPTY_DRAFT) out[group] = { ...draft };
  return out;
}

/** Drafts the core kept for a batch (none when it cannot say: an older core, no link). */
async function coreDrafts(batchId: string): Promise<Record<number, MetadataDraft>> {
  try {
    const { drafts } = await api.digitise.drafts({ batchId });
    const out: Record<number, MetadataDraft> = {};
    for (const [group, draft] of Object.entries(drafts)) out[Number(group)] = { ...emptyMetadataDraft(), ...draft };
    return out;
  } catch {
    return {};
  }
}

/** A batch-level error sent as text (`SCANNER_JAM: …`) as a coded error. */
export function errorFromText(text: string | null): UiError | null {
  if (!text) return null;
  const m = /^([A-Z_]+):\s*(.*)$/s.exec(text);
  if (m && isErrorCode(m[1])) return { code: m[1], message: m[2] ?? '' };
  return { code: 'INTERNAL', message: text };
}

function codedError(error: { code: string; message: string }): UiError {
  return { code: isErrorCode(error.code) ? error.code : 'INTERNAL', message: error.message };
}

/**
 * One batch at the station: the live view and progress, the selected page, edits (one at a time,
 * in the order they were asked for), the metadata of each document and finishing it.
 */
export const useDigitiseBatchStore = defineStore('digitiseBatch', () => {
  const batchId = ref<string | null>(null);
  const batch = ref<BatchView | null>(null);
  const error = ref<UiError | null>(null);
  const progress = ref<DigitiseProgress | null>(null);
  const scanError = ref<UiError | null>(null);
  const cancelling = useAction({ error: scanError, clearError: 'never' });
  const editing = ref(0);
  const editError = ref<UiError | null>(null);
  const selected = ref<number | null>(null);
  const drafts = reactive<Record<number, MetadataDraft>>({});
  /** The dossier component picked on the start screen, for the first document of the next batch. */
  const target = ref<PendingComponent | null>(null);
  const finishing = ref(false);
  const finishError = ref<UiError | null>(null);
  const results = reactive<Record<number, FinishResult>>({});
  /** The document finished last, shown on while the digitiser goes on with the next one. */
  const lastFinished = ref<{ group: number; result: FinishResult } | null>(null);
  let stopListening: (() => void) | null = null;
  let refreshing: Promise<void> | null = null;
  let again = false;
  let editChain: Promise<unknown> = Promise.resolve();

  /** Saves the drafts with the batch in the core, so they survive a restart of the app (see `open`). */
  const draftSaver = createDraftSaver<BatchDrafts>(
    (id, value) => api.digitise.saveDrafts({ batchId: id, drafts: value }),
    DRAFT_SAVE_DEBOUNCE_MS,
  );
  let opening = 0;

  watch(
    [batchId, drafts],
    () => {
      saveDrafts(batchId.value, drafts);
      if (batchId.value !== null) draftSaver.schedule(batchId.value, draftsToKeep(drafts));
    },
    { deep: true, flush: 'sync' },
  );

  const pages = computed(() => orderedPages(batch.value));
  const groups = computed(() => documentGroups(pages.value));
  const selectedPage = computed<BatchPage | null>(() => pages.value.find((p) => p.index === selected.value) ?? null);
  const selectedGroup = computed(
    () => groups.value.find((g) => g.group === selectedPage.value?.group) ?? groups.value[0] ?? null,
  );
  const scanning = computed(() => batch.value?.state === 'capturing');
  const pendingPages = computed(() => pages.value.filter((p) => p.status === 'pending' && !p.deleted).length);
  const counts = computed(() => {
    const fromView = { done: pages.value.filter((p) => p.status !== 'pending').length, total: pages.value.length };
    const event = progress.value;
    return event && event.total >= fromView.total ? { done: event.done, total: event.total } : fromView;
  });
  const active = computed(
    () =>
      scanning.value ||
      pendingPages.value > 0 ||
      (progress.value !== null && progress.value.done < progress.value.total),
  );
  const lastError = computed(() => errorFromText(batch.value?.lastError ?? null));
  const closed = computed(() => batch.value?.state === 'closed');

  function clearDrafts(): void {
    for (const key of Object.keys(drafts)) delete drafts[Number(key)];
  }

  function clearResults(): void {
    for (const key of Object.keys(results)) delete results[Number(key)];
    lastFinished.value = null;
  }

  /**
   * Every unfinished document has a draft (a later one starts with the owner of the one before);
   * a component picked on the start screen fills the first unfinished document.
   */
  function ensureDrafts(): void {
    for (const g of groups.value) {
      if (drafts[g.group] || g.documentId) continue;
      const previous = Object.keys(drafts)
        .map(Number)
        .filter((n) => n < g.group)
        .sort((a, b) => b - a)[0];
      drafts[g.group] = previous !== undefined ? followingDraft(drafts[previous]!) : emptyMetadataDraft();
    }
    const first = groups.value.find((g) => !g.documentId);
    if (target.value && first) {
      applyPending(draftFor(first.group), target.value);
      target.value = null;
    }
  }

  function fixSelection(): void {
    if (selectedPage.value) return;
    const open = groups.value.find((g) => !g.documentId);
    selected.value = (open ?? groups.value[0])?.pages[0]?.index ?? null;
  }

  function setBatch(view: BatchView): void {
    batch.value = view;
    error.value = null;
    ensureDrafts();
    fixSelection();
  }

  async function loadOnce(): Promise<void> {
    const id = batchId.value;
    if (!id) return;
    try {
      const view = await api.digitise.batch({ batchId: id });
      if (batchId.value === id) setBatch(view);
    } catch (err) {
      if (batchId.value === id) error.value = toUiError(err);
    }
  }

  /** Fetches the batch; calls made while one is in flight are folded into one more fetch after it. */
  function refresh(): Promise<void> {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        again = false;
        await loadOnce();
      } while (again);
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  /**
   * Shows a batch (new, or resumed from the open list). The drafts come back: those the core kept
   * with the batch (after a restart), overlaid by those typed in this tab (never older than the
   * core's, which are saved after a pause).
   */
  async function open(id: string): Promise<void> {
    const mine = ++opening;
    // Detached first, so the drafts of the batch left behind are never saved under the new one.
    batchId.value = null;
    clearDrafts();
    void draftSaver.flush();
    batch.value = null;
    progress.value = null;
    scanError.value = null;
    editError.value = null;
    finishError.value = null;
    error.value = null;
    selected.value = null;
    clearResults();
    const kept = await coreDrafts(id);
    if (mine !== opening) return;
    draftSaver.remember(id, draftsToKeep(kept));
    Object.assign(drafts, kept, loadSavedDrafts(id));
    batchId.value = id;
    await refresh();
  }

  /** Back to the start screen; the batch stays open in the core, with its drafts. */
  function close(): void {
    opening += 1;
    void draftSaver.flush();
    batchId.value = null;
    batch.value = null;
    progress.value = null;
    scanError.value = null;
    selected.value = null;
    clearResults();
    clearDrafts();
  }

  function onProgress(event: DigitiseProgress): void {
    if (event.batchId !== batchId.value) return;
    progress.value = event;
    if (event.page === null && event.error) scanError.value = codedError(event.error);
    if (REFRESH_STAGES.has(event.stage)) void refresh();
  }

  function listen(): void {
    if (stopListening) return;
    stopListening = onEvent('digitise.progress', onProgress);
  }

  function stop(): void {
    stopListening?.();
    stopListening = null;
  }

  async function cancel(): Promise<boolean> {
    const id = batchId.value;
    if (!id) return false;
    return cancelling.run(async () => {
      await api.digitise.cancel({ batchId: id });
      await refresh();
    });
  }

  /** Runs edits strictly one after another; each builds its ops from the batch as the previous one left it. */
  function edit(build: (pages: BatchPage[]) => BatchEdit[] | null): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      const id = batchId.value;
      if (!id || closed.value) return false;
      const ops = build(pages.value);
      if (!ops || ops.length === 0) return false;
      editing.value += 1;
      editError.value = null;
      try {
        const view = await api.digitise.editBatch({ batchId: id, ops });
        if (batchId.value === id) setBatch(view);
        return true;
      } catch (err) {
        editError.value = toUiError(err);
        return false;
      } finally {
        editing.value -= 1;
      }
    };
    const next = editChain.then(run, run);
    editChain = next;
    return next;
  }

  const onPage = (index: number | null, build: (page: BatchPage, all: BatchPage[]) => BatchEdit | null) =>
    edit((all) => {
      const page = all.find((p) => p.index === index);
      const op = page ? build(page, all) : null;
      return op ? [op] : null;
    });

  /** Clockwise degrees: 90 turns right, -90 left. */
  const rotate = (degrees: 90 | -90, index = selected.value) =>
    onPage(index, (p) => ({ op: 'rotate', page: p.index, degrees }));
  const toggleDeleted = (index = selected.value) => onPage(index, (p) => deleteOp(p));
  const move = (delta: -1 | 1, index = selected.value) => onPage(index, (p, all) => moveOp(all, p.index, delta));
  const splitAfter = (index = selected.value) => onPage(index, (p, all) => splitOrJoinOp(all, p.index));
  const rescan = (index: number) => onPage(index, (p) => ({ op: 'rescan', page: p.index }));

  function select(index: number): void {
    if (pages.value.some((p) => p.index === index)) selected.value = index;
  }

  /** Moves the selection along the pages (arrow keys); returns the newly selected capture number. */
  function selectBy(step: number): number | null {
    const list = pages.value;
    if (!list.length) return null;
    const at = Math.max(
      0,
      list.findIndex((p) => p.index === selected.value),
    );
    const next = list[Math.max(0, Math.min(list.length - 1, at + step))]!;
    selected.value = next.index;
    return next.index;
  }

  /** The draft of a document (created on demand for a group that has none yet). */
  function draftFor(group: number): MetadataDraft {
    if (!drafts[group]) drafts[group] = emptyMetadataDraft();
    return drafts[group]!;
  }

  /** Links a document to a component from the intake hand-off, filling its metadata. */
  function usePending(pending: PendingComponent | null, group = selectedGroup.value?.group ?? null): void {
    if (group === null) {
      target.value = pending;
      return;
    }
    const draft = draftFor(group);
    if (pending) applyPending(draft, pending);
    else clearPending(draft);
  }

  function chooseTarget(pending: PendingComponent | null): void {
    target.value = pending;
  }

  /** Finishes the selected document; blocked here when the metadata does not pass the contract's schema. */
  async function finish(): Promise<FinishResult | null> {
    const id = batchId.value;
    const group = selectedGroup.value;
    if (!id || !group || finishing.value) return null;
    if (group.documentId) return null;
    const draft = draftFor(group.group);
    const built = buildMetadata(draft);
    if (!built.ok) {
      finishError.value = built.error;
      return null;
    }
    finishing.value = true;
    finishError.value = null;
    try {
      await editChain;
      const result = await api.digitise.finish({
        batchId: id,
        group: group.group,
        metadata: built.metadata,
        componentCode: built.componentCode,
      });
      if (batchId.value !== id) return result;
      results[group.group] = result;
      lastFinished.value = { group: group.group, result };
      delete drafts[group.group];
      await refresh();
      const nextOpen = groups.value.find((g) => !g.documentId && g.livePages > 0);
      if (nextOpen?.pages[0]) {
        selected.value = nextOpen.pages[0].index;
        inheritOwner(draftFor(nextOpen.group), draft);
      }
      return result;
    } catch (err) {
      finishError.value = toUiError(err);
      return null;
    } finally {
      finishing.value = false;
    }
  }

  return {
    batchId,
    batch,
    error,
    progress,
    scanError,
    cancelling: cancelling.busy,
    editing,
    editError,
    selected,
    drafts,
    target,
    finishing,
    finishError,
    results,
    lastFinished,
    pages,
    groups,
    selectedPage,
    selectedGroup,
    scanning,
    pendingPages,
    counts,
    active,
    lastError,
    closed,
    open,
    close,
    refresh,
    flushDrafts: draftSaver.flush,
    draftSaveState: draftSaver.state,
    draftSaveError: draftSaver.error,
    draftsSavedAt: draftSaver.savedAt,
    listen,
    stop,
    cancel,
    edit,
    rotate,
    toggleDeleted,
    move,
    splitAfter,
    rescan,
    select,
    selectBy,
    draftFor,
    usePending,
    chooseTarget,
    finish,
  };
});
