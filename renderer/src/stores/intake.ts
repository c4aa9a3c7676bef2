import { defineStore } from 'pinia';
import { computed, reactive, ref, watch } from 'vue';
import type { Channel, ComponentSource, Dossier, PersonCardField, StoredDocument } from '../../../common/contract';
import {
  checkOrganisationCode,
  checkPersonalId,
  looksLikeIdCardQr,
  parseIdCardQr,
  type IdCardData,
} from '../../../common/domain';
import { api } from '../api';
import { latestOnly } from '../composables/latest-only';
import { useAction } from '../composables/use-action';
import {
  applySuggestions,
  buildReceiveParams,
  DraftInvalid,
  emptyPerson,
  initialComponents,
  matchingDocuments,
  newDraft,
  type IntakeDraft,
} from './intake-draft';
import { cardAsPerson, personDiffRows } from './intake-person-diff';
import { useQueueStore } from './queue';
import type { PdfFile } from './types';
import { toUiError, type UiError } from './ui-error';

export const DRAFT_STORAGE_KEY = 'motcua.intakeDraft';

function loadDraft(): IntakeDraft {
  const fresh = newDraft();
  try {
    const raw = globalThis.sessionStorage?.getItem(DRAFT_STORAGE_KEY);
    if (!raw) return fresh;
    const saved = JSON.parse(raw) as Partial<IntakeDraft>;
    if (saved.version !== 1 || typeof saved.requestId !== 'string') return fresh;
    const draft = {
      ...fresh,
      ...saved,
      person: { ...fresh.person, ...saved.person },
      errors: { ...fresh.errors, ...saved.errors },
    };
    // A problem or warnings saved by an older version (sentences, no codes) are not shown again.
    if (draft.applicantProblem && typeof (draft.applicantProblem as { problem?: unknown }).problem !== 'object')
      draft.applicantProblem = null;
    if (!Array.isArray(draft.idWarnings) || draft.idWarnings.some((w) => typeof w !== 'object')) draft.idWarnings = [];
    return draft;
  } catch {
    return fresh;
  }
}

function saveDraft(draft: IntakeDraft): void {
  try {
    globalThis.sessionStorage?.setItem(DRAFT_STORAGE_KEY, JSON.stringify(draft));
  } catch {
    // Storage full or unavailable: the draft still lives in memory for this page.
  }
}

/** What the applicant field did with the text in it, so the screen can move focus on. */
export type ApplicantOutcome = 'qr' | 'id' | 'organisation' | 'invalid' | 'empty';

/**
 * The intake in progress, from the applicant to the receipt. The draft survives reloads of the
 * tab (sessionStorage), so an officer never loses what was typed; `reset` starts the next one.
 */
export const useIntakeStore = defineStore('intake', () => {
  const draft = reactive<IntakeDraft>(loadDraft());
  const lookingUp = ref(false);
  const receiving = ref(false);
  const receipt = ref<PdfFile | null>(null);
  const receiptError = ref<ReturnType<typeof toUiError> | null>(null);
  const latestLookup = latestOnly();
  const latestQuote = latestOnly();
  /** One of the draft's error fields as a ref: those failures are kept with the (persisted) draft. */
  const draftError = (key: 'procedure' | 'print') =>
    computed<UiError | null>({
      get: () => draft.errors[key],
      set: (value) => {
        draft.errors[key] = value;
      },
    });
  const procedureLoading = useAction({ error: draftError('procedure'), overlap: true });
  const receiptLoading = useAction({ error: receiptError, overlap: true });
  const printing = useAction({ error: draftError('print') });
  /** The card of the last QR scan, compared with the stored person once the lookup answers. */
  let scannedCard: IdCardData | null = null;

  watch(draft, (value) => saveDraft(value), { deep: true, flush: 'sync' });

  const isCitizen = computed(() => draft.kind === 'citizen');
  const documents = computed<StoredDocument[]>(() => draft.lookup?.documents ?? []);
  /** Anything typed or chosen that a reset would throw away. */
  const hasInput = computed(
    () =>
      draft.idInput.trim() !== '' ||
      draft.procedure !== null ||
      Object.values(draft.person).some((v) => v.trim() !== '') ||
      draft.summary.trim() !== '',
  );

  function clearApplicant(keepInput: boolean): void {
    if (!keepInput) draft.idInput = '';
    draft.idNumber = null;
    draft.idWarnings = [];
    draft.applicantProblem = null;
    draft.qr = null;
    scannedCard = null;
    draft.lookup = null;
    draft.person = emptyPerson();
    draft.personDiff = null;
    draft.confirmedChanges = [];
    draft.errors.lookup = null;
    applySuggestions(draft);
  }

  function acceptIdentifier(id: string): void {
    if (draft.idNumber !== null && draft.idNumber !== id) {
      clearApplicant(true);
    }
    draft.idNumber = id;
    draft.idInput = id;
    draft.applicantProblem = null;
  }

  /**
   * Handles Enter in the applicant field. A keyboard-wedge scan of the ID card QR is parsed and
   * fills the person; a typed personal ID (or organisation code) is checked. Either way a valid
   * identifier is then looked up locally and at the national portal.
   */
  async function submitApplicantInput(): Promise<ApplicantOutcome> {
    const value = draft.idInput.trim();
    if (value === '') return 'empty';
    // A wedge scan is recognised by its separators, so a damaged payload is reported as a bad QR.
    if (draft.kind === 'citizen' && (looksLikeIdCardQr(value) || value.includes('|'))) {
      const parsed = parseIdCardQr(value);
      if (!parsed.ok) {
        // Nothing is filled from a refused scan.
        draft.applicantProblem = { kind: 'qr', problem: parsed.problem };
        return 'invalid';
      }
      const card = parsed.card;
      clearApplicant(true);
      acceptIdentifier(card.personalId);
      draft.idWarnings = [];
      draft.qr = { warnings: [...parsed.warnings], repaired: parsed.repaired };
      scannedCard = card;
      Object.assign(draft.person, cardAsPerson(card));
      await lookupApplicant();
      return 'qr';
    }
    if (draft.kind === 'citizen') {
      // "001 090 012 345" as read aloud or copied from a form.
      const typed = /^[\d\s]+$/.test(value) ? value.replace(/\s+/g, '') : value;
      const checked = checkPersonalId(typed);
      if (!checked.ok) {
        draft.applicantProblem = { kind: 'id', problem: checked.problem };
        return 'invalid';
      }
      const sameAsBefore = draft.idNumber === checked.id;
      acceptIdentifier(checked.id);
      if (!sameAsBefore) {
        draft.qr = null;
        scannedCard = null;
      }
      draft.idWarnings = checked.warnings;
      await lookupApplicant();
      return 'id';
    }
    const org = checkOrganisationCode(value);
    if (!org.ok) {
      draft.applicantProblem = { kind: 'organisation', problem: org.problem };
      return 'invalid';
    }
    acceptIdentifier(org.id);
    draft.idWarnings = [];
    await lookupApplicant();
    return 'organisation';
  }

  async function lookupApplicant(): Promise<void> {
    const idNumber = draft.idNumber;
    if (!idNumber) return;
    lookingUp.value = true;
    draft.errors.lookup = null;
    const outcome = await latestLookup.run(() => api.applicant.lookup({ kind: draft.kind, idNumber }));
    if (outcome.status === 'stale') return;
    lookingUp.value = false;
    if (outcome.status === 'failed') {
      draft.errors.lookup = toUiError(outcome.error);
      return;
    }
    if (draft.idNumber !== idNumber) return;
    const found = outcome.value;
    draft.lookup = found;
    const p = draft.person;
    const local = found.local;
    if (local && scannedCard !== null && scannedCard.personalId === idNumber) {
      // A stored person is never overwritten by a scan: the differences wait for the officer.
      const rows = personDiffRows(local, scannedCard);
      for (const row of rows) setPersonField(row.field, row.stored);
      draft.personDiff = rows.length > 0 ? rows : null;
    }
    if (local) {
      if (!p.fullName) p.fullName = local.fullName;
      if (!p.birthDate && local.birthDate) p.birthDate = local.birthDate;
      if (!p.sex && local.sex) p.sex = local.sex;
      if (!p.address && local.address) p.address = local.address;
      if (!p.oldIdNumber && local.oldIdNumber) p.oldIdNumber = local.oldIdNumber;
      if (!p.idIssueDate && local.idIssueDate) p.idIssueDate = local.idIssueDate;
      if (!p.phone && local.phone) p.phone = local.phone;
      if (!p.email && local.email) p.email = local.email;
    }
    if (!p.fullName && found.national) p.fullName = found.national.fullName;
    applySuggestions(draft);
  }

  function setPersonField(field: PersonCardField, value: string): void {
    if (field === 'sex') draft.person.sex = value === 'Nam' || value === 'Nữ' ? value : '';
    else if (field === 'idIssueDate') draft.person.idIssueDate = value;
    else draft.person[field] = value;
  }

  /** Ticks or unticks one row of the differences (keys 1-6 on the panel). */
  function togglePersonDiff(field: PersonCardField): void {
    const row = draft.personDiff?.find((r) => r.field === field);
    if (row) row.accept = !row.accept;
  }

  /**
   * The officer's decision on a differing card: the ticked fields take the card's value and are
   * sent as confirmed changes; the others keep the stored value, which receiving leaves alone.
   */
  function confirmPersonDiff(): PersonCardField[] {
    const rows = draft.personDiff ?? [];
    const accepted = rows.filter((r) => r.accept).map((r) => r.field);
    for (const row of rows) setPersonField(row.field, row.accept ? row.scanned : row.stored);
    for (const field of accepted) noteEdited(field);
    draft.personDiff = null;
    scannedCard = null;
    return accepted;
  }

  /** A card field the officer typed: a stored person takes it on receiving (never a silent change). */
  function noteEdited(field: PersonCardField): void {
    if (!draft.confirmedChanges.includes(field)) draft.confirmedChanges.push(field);
  }

  function setOrganisation(isOrganisation: boolean): void {
    const kind = isOrganisation ? (draft.kind === 'citizen' ? 'enterprise' : draft.kind) : 'citizen';
    if (kind === draft.kind) return;
    draft.kind = kind;
    clearApplicant(false);
  }

  function setOrganisationKind(kind: 'enterprise' | 'agency' | 'organisation'): void {
    if (draft.kind === kind) return;
    draft.kind = kind;
    if (draft.idNumber) void lookupApplicant();
  }

  async function chooseProcedure(code: string): Promise<boolean> {
    return procedureLoading.run(async () => {
      const procedure = await api.catalogue.get({ code });
      draft.procedure = procedure;
      const offered = procedure.channels.map((c) => c.channel);
      draft.channel = offered.includes('walk-in') ? 'walk-in' : (offered[0] ?? 'walk-in');
      draft.components = initialComponents(procedure, documents.value);
      draft.quote = null;
      draft.errors.receive = null;
      void refreshQuote();
    });
  }

  function clearProcedure(): void {
    draft.procedure = null;
    draft.components = {};
    draft.quote = null;
    draft.errors.quote = null;
  }

  async function setChannel(channel: Channel): Promise<void> {
    draft.channel = channel;
    await refreshQuote();
  }

  async function refreshQuote(): Promise<void> {
    const procedure = draft.procedure;
    if (!procedure) return;
    draft.errors.quote = null;
    const outcome = await latestQuote.run(() =>
      api.intake.quote({ procedureCode: procedure.code, channel: draft.channel }),
    );
    if (outcome.status === 'done') draft.quote = outcome.value;
    else if (outcome.status === 'failed') {
      draft.quote = null;
      draft.errors.quote = toUiError(outcome.error);
    }
  }

  function documentsFor(documentCode: string | null): StoredDocument[] {
    return matchingDocuments(documents.value, documentCode);
  }

  function setSource(componentCode: string, source: ComponentSource): void {
    const row = draft.components[componentCode];
    if (!row) return;
    row.touched = true;
    const component = draft.procedure?.components.find((c) => c.code === componentCode);
    const wasReused = row.source === 'reused';
    row.source = source;
    if (source === 'reused') {
      // A document taken from the store is not handed in on paper.
      row.originals = 0;
      row.copies = 0;
      if (!row.reusedDocumentId) row.reusedDocumentId = documentsFor(component?.documentCode ?? null)[0]?.id ?? null;
    } else {
      if (wasReused && component) {
        row.originals = component.originals;
        row.copies = component.copies;
      }
      row.reusedDocumentId = null;
      row.consent = false;
    }
  }

  function setReusedDocument(componentCode: string, documentId: string | null): void {
    const row = draft.components[componentCode];
    if (!row) return;
    row.touched = true;
    if (row.reusedDocumentId !== documentId) row.consent = false;
    row.reusedDocumentId = documentId;
  }

  function setConsent(componentCode: string, consent: boolean): void {
    const row = draft.components[componentCode];
    if (!row) return;
    row.touched = true;
    row.consent = consent;
  }

  /**
   * Receives the dossier. One request at a time: a second click or F9 while the first is in flight
   * does nothing, and once received the same dossier is shown again instead of a new request
   * (the requestId would make the core answer with the same dossier anyway).
   */
  async function receive(): Promise<Dossier | null> {
    if (draft.result) return draft.result;
    if (receiving.value) return null;
    receiving.value = true;
    draft.errors.receive = null;
    try {
      // An ID typed without pressing Enter is checked (and looked up) now.
      if (!draft.idNumber && draft.idInput.trim() !== '') {
        const outcome = await submitApplicantInput();
        if (outcome === 'invalid') return null;
      }
      let params;
      try {
        params = buildReceiveParams(draft, useQueueStore().current?.id ?? null);
      } catch (err) {
        if (err instanceof DraftInvalid) {
          draft.errors.receive = err.error;
          return null;
        }
        throw err;
      }
      const dossier = await api.intake.receive(params);
      draft.result = dossier;
      void loadReceipt();
      return dossier;
    } catch (err) {
      draft.errors.receive = toUiError(err);
      return null;
    } finally {
      receiving.value = false;
    }
  }

  async function loadReceipt(): Promise<void> {
    const code = draft.result?.code;
    if (!code) return;
    await receiptLoading.run(async () => {
      const file = await api.dossier.document({ code, kind: 'receipt' });
      if (draft.result?.code === code) receipt.value = file;
    });
  }

  async function printReceipt(): Promise<boolean> {
    const code = draft.result?.code;
    if (!code || printing.busy.value) return false;
    draft.printedTo = null;
    return printing.run(async () => {
      const job = await api.dossier.printReceipt({ code });
      draft.printedTo = job.printer;
    });
  }

  /** Esc in the applicant field: empties it for a new scan. */
  function clearApplicantInput(): void {
    draft.idInput = '';
    draft.applicantProblem = null;
  }

  /** Starts the next dossier with a new requestId. */
  function reset(): void {
    Object.assign(draft, newDraft());
    receipt.value = null;
    receiptError.value = null;
    latestLookup.invalidate();
    latestQuote.invalidate();
  }

  return {
    draft,
    lookingUp,
    loadingProcedure: procedureLoading.busy,
    receiving,
    printing: printing.busy,
    receipt,
    receiptError,
    isCitizen,
    documents,
    hasInput,
    submitApplicantInput,
    lookupApplicant,
    togglePersonDiff,
    confirmPersonDiff,
    noteEdited,
    setOrganisation,
    setOrganisationKind,
    chooseProcedure,
    clearProcedure,
    setChannel,
    refreshQuote,
    documentsFor,
    setSource,
    setReusedDocument,
    setConsent,
    receive,
    loadReceipt,
    printReceipt,
    reset,
    clearApplicantInput,
  };
});
