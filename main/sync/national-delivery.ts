import type { Logger } from '../kernel/logger';
import {
  portalStepKey,
  type DossierSyncAnswer,
  type NationalPortal,
} from '../remotes/national-portal/national-portal.port';
import { RemoteError } from '../remotes/remote-error';
import type { OutboxItem } from '../store/outbox.port';
import { parseProgressPayload, parseUpsertPayload } from './outbox-payloads';

/** What one row's delivery came to: sent (with the remote's reference) or the error that stopped it. */
export type Outcome = { ok: true; remoteRef: string | null } | { ok: false; error: unknown };

/**
 * Recorded in `outbox.last_error_code` just before rows are sent: if the desk stops (crash, kill)
 * before the answer is recorded, the next attempt knows the outcome is unknown.
 */
export const OUTCOME_UNKNOWN = 'OUTCOME_UNKNOWN';

/** Codes after which the portal certainly did not store the row (it said so, or nothing was sent). */
const NOTHING_STORED = new Set(['REMOTE_REJECTED', 'PAYLOAD_INVALID', 'REMOTE_AUTH_FAILED']);

/**
 * Whether an earlier attempt of this row may have reached the portal without the desk learning
 * it (timeout, cut or garbled answer, crash mid-call): then the row is looked up before it is sent.
 */
export function outcomeUnknown(item: Pick<OutboxItem, 'attempts' | 'lastErrorCode'>): boolean {
  const code = item.lastErrorCode ?? null;
  if (code === null) return item.attempts > 0;
  return !NOTHING_STORED.has(code);
}

/**
 * Delivery of the national rows (docs/architecture.md, "Sync" → Sender):
 * - creates and updates go in one DongBoHoSoMC per group (`isUpdating` false / true), and each
 *   dossier gets its own outcome from its own entry: confirmed → sent; refused → rejected with the
 *   portal's code and message (the row goes dead); not named → confirmed by TraCuuHoSo or failed;
 * - a whole call refused with several dossiers names none of them: each is sent alone;
 * - progress rows of different dossiers share CapNhatTienDoHoSoMC calls (at most 20 steps each);
 *   a refused shared call names no dossier: each is sent alone;
 * - after an unknown outcome the dossier is looked up first: a create that is there is done, and
 *   only the progress steps the portal does not list are sent (a portal may keep every copy).
 */
export class NationalDelivery {
  constructor(
    private readonly portal: NationalPortal,
    /** Diagnostic lines (event `sync`, field `line`), like the sender's. */
    private readonly logger: Logger,
  ) {}

  private log(line: string): void {
    this.logger.log('info', 'sync', { line });
  }

  /**
   * Upsert rows (any number; each a different dossier), in as few calls as the groups allow.
   * `lookupFirst`: the portal may hold some of them already (a refused batch may have stored
   * the good ones), so creates are looked up first.
   */
  async upserts(items: readonly OutboxItem[], lookupFirst = false): Promise<Map<number, Outcome>> {
    const outcomes = new Map<number, Outcome>();
    const groups = new Map<
      boolean,
      { item: OutboxItem; code: string; dossier: ReturnType<typeof parseUpsertPayload>['dossier'] }[]
    >();
    for (const item of items) {
      try {
        const payload = parseUpsertPayload(item.payload);
        const code = payload.dossier.MaHoSo;
        let isUpdating = payload.isUpdating === true;
        // An explicit `isUpdating: false` is the dossier's first record; without the flag the
        // desk does not know, and after an unknown outcome the first one may be there already.
        if (!isUpdating && (payload.isUpdating === undefined || lookupFirst || outcomeUnknown(item))) {
          const found = await this.portal.lookupDossier(code);
          if (found.exists && payload.isUpdating === false) {
            outcomes.set(item.id, { ok: true, remoteRef: code });
            this.log(`outbox #${item.id} ${code}: the portal already holds it (found by TraCuuHoSo)`);
            continue;
          }
          isUpdating = found.exists;
        }
        const group = groups.get(isUpdating) ?? [];
        group.push({ item, code, dossier: payload.dossier });
        groups.set(isUpdating, group);
      } catch (error) {
        outcomes.set(item.id, { ok: false, error });
      }
    }
    for (const [isUpdating, group] of groups) {
      let answer: DossierSyncAnswer;
      try {
        answer = await this.portal.syncDossiers(
          group.map((g) => g.dossier),
          isUpdating,
        );
      } catch (error) {
        if (group.length > 1 && error instanceof RemoteError && error.code === 'REMOTE_REJECTED') {
          this.log(
            `outbox: DongBoHoSoMC refused a batch of ${group.length} without naming a dossier; sending them one by one`,
          );
          for (const g of group) {
            const alone = await this.upserts([{ ...g.item, payload: { dossier: g.dossier, isUpdating } }], true);
            outcomes.set(g.item.id, alone.get(g.item.id) ?? { ok: false, error });
          }
          continue;
        }
        for (const g of group) outcomes.set(g.item.id, { ok: false, error });
        continue;
      }
      for (const g of group) outcomes.set(g.item.id, await this.entryOutcome(g.code, answer));
    }
    return outcomes;
  }

  private async entryOutcome(code: string, answer: DossierSyncAnswer): Promise<Outcome> {
    if (answer.accepted.includes(code)) return { ok: true, remoteRef: code };
    const refused = answer.refused.find((r) => r.code === code);
    if (refused) {
      const error = new RemoteError(
        'national',
        'REMOTE_REJECTED',
        `DongBoHoSoMC rejected: [error_code ${refused.errorCode}] ${refused.message ?? ''}`.trim(),
        {
          details: { errorCode: refused.errorCode },
        },
      );
      return { ok: false, error };
    }
    // Neither confirmed nor refused: only a lookup that finds it makes it sent.
    try {
      const found = await this.portal.lookupDossier(code);
      if (found.exists) return { ok: true, remoteRef: code };
      return {
        ok: false,
        error: new RemoteError(
          'national',
          'REMOTE_BAD_RESPONSE',
          `DongBoHoSoMC did not confirm ${code} and TraCuuHoSo does not find it`,
        ),
      };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /**
   * Progress rows (each the head of a different dossier) in as few CapNhatTienDoHoSoMC calls as
   * the portal's limit allows; after an unknown outcome only the steps the portal does not list.
   * The portal answers for the call as a whole: a refusal of a call carrying several dossiers
   * names none of them, so each is sent alone (its steps looked up first: the call may have
   * stored the others).
   */
  async progress(items: readonly OutboxItem[], lookupFirst = false): Promise<Map<number, Outcome>> {
    const outcomes = new Map<number, Outcome>();
    const sending: { item: OutboxItem; steps: ReturnType<typeof parseProgressPayload>['steps'] }[] = [];
    for (const item of items) {
      try {
        const steps = await this.missingSteps(item, lookupFirst || outcomeUnknown(item));
        if (steps.length === 0) outcomes.set(item.id, { ok: true, remoteRef: null });
        else sending.push({ item, steps });
      } catch (error) {
        outcomes.set(item.id, { ok: false, error });
      }
    }
    if (sending.length === 0) return outcomes;
    try {
      await this.portal.pushProgress(sending.flatMap((s) => s.steps));
      for (const s of sending) outcomes.set(s.item.id, { ok: true, remoteRef: null });
    } catch (error) {
      if (sending.length > 1 && error instanceof RemoteError && error.code === 'REMOTE_REJECTED') {
        this.log(
          `outbox: CapNhatTienDoHoSoMC refused steps of ${sending.length} dossiers together; sending them one by one`,
        );
        for (const s of sending) {
          const alone = await this.progress([s.item], true);
          outcomes.set(s.item.id, alone.get(s.item.id) ?? { ok: false, error });
        }
      } else {
        for (const s of sending) outcomes.set(s.item.id, { ok: false, error });
      }
    }
    return outcomes;
  }

  /** The row's steps, less those the portal lists when it may hold some already. */
  private async missingSteps(
    item: OutboxItem,
    lookUp: boolean,
  ): Promise<ReturnType<typeof parseProgressPayload>['steps']> {
    const payload = parseProgressPayload(item.payload);
    if (!lookUp) return payload.steps;
    const found = await this.portal.lookupDossier(item.dossierCode);
    if (!found.exists) return payload.steps;
    if (found.steps === null) {
      this.log(`outbox #${item.id} ${item.dossierCode}: TraCuuHoSo lists no steps; sending the row's steps again`);
      return payload.steps;
    }
    const held = new Set(found.steps.map(portalStepKey));
    const missing = payload.steps.filter(
      (s) => !held.has(portalStepKey({ at: s.ThoiDiemXuLy, status: s.TrangThai, content: s.NoiDungXuLy })),
    );
    if (missing.length < payload.steps.length) {
      this.log(
        `outbox #${item.id} ${item.dossierCode}: the portal holds ${payload.steps.length - missing.length} of ${payload.steps.length} steps already`,
      );
    }
    return missing;
  }
}
