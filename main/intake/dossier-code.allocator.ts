import { AppError } from '../../common/contract';
import { formatDossierCode, reserveRange } from '../../common/domain';
import type { CodeBlock, CodeLeaseRequest } from '../remotes/provincial/provincial.port';
import type { Store } from '../store/store';
import type { Logger } from '../kernel/logger';

/**
 * Who leases the agency's numbers 1-8999 to this desk: the provincial system, or the centre the desk
 * is enrolled at (docs/architecture.md, "Centre"). Leased numbers are never leased twice.
 */
export interface DossierNumberLessor {
  leaseCodeBlock(request: CodeLeaseRequest): Promise<CodeBlock>;
}

/**
 * Dossier numbers `{agency}-{yyMMdd}-{NNNN}`, never issued twice by any desk of the agency.
 *
 * Scheme (docs/architecture.md, "Dossier codes"): the provincial system (or the centre, when the desk
 * is enrolled at one) leases blocks of numbers 1-8999 per agency and day; a desk keeps a block ahead
 * (today and the next days) and refills it in the background. When a desk is offline and its leased
 * numbers run out, it falls back to its own reserve range 9000+slot*100 … +99 (`agency.deskSlot`, or
 * the slot the centre gave at enrolment; unique per desk), which no lessor ever leases; a desk
 * without a slot has no reserve. Numbers are taken inside the receiving transaction, so a rolled-back
 * dossier gives its number back; a committed one is never reused (gaps are allowed, duplicates not).
 */
export class DossierCodeAllocator {
  private refilling = new Set<string>();

  constructor(
    private readonly deps: {
      store: Store;
      /** The provincial system, the centre, or none. */
      provincial: DossierNumberLessor | null;
      agencyId: string;
      deskSlot: number | null;
      blockSize: number;
      log: Logger;
    },
  ) {}

  /** Synchronous: call inside the transaction that writes the dossier. */
  allocate(date: string): string {
    const { store, agencyId } = this.deps;
    let taken = store.sequences.take(agencyId, date);
    if (!taken) {
      const hasReserve = store.sequences.blocks(agencyId, date).some((b) => b.source === 'reserve');
      if (!hasReserve && this.deps.deskSlot !== null) {
        const range = reserveRange(this.deps.deskSlot);
        store.sequences.addBlock({ agencyId, date, from: range.from, to: range.to, source: 'reserve' });
        this.deps.log.log('warn', 'dossier-code.reserve-opened', { date, from: range.from, to: range.to });
      }
      taken = store.sequences.take(agencyId, date);
    }
    if (!taken) {
      throw new AppError(
        'DOSSIER_CODE_EXHAUSTED',
        'Đã hết số hồ sơ dự phòng của quầy trong ngày; cần kết nối hệ thống cấp tỉnh để nhận thêm.',
      );
    }
    return formatDossierCode(agencyId, date, taken.sequence);
  }

  /** Keeps at least half a block of leased numbers for `date`; failures are logged, never thrown. */
  async refill(date: string): Promise<boolean> {
    const { store, provincial, agencyId, blockSize } = this.deps;
    if (!provincial) return false;
    const key = `${agencyId}|${date}`;
    if (this.refilling.has(key)) return false;
    if (store.sequences.remaining(agencyId, date).lease >= Math.ceil(blockSize / 2)) return false;
    this.refilling.add(key);
    try {
      const block = await provincial.leaseCodeBlock({ agencyId, date, count: blockSize });
      store.sequences.addBlock({ agencyId, date, from: block.from, to: block.to, source: 'lease' });
      this.deps.log.log('info', 'dossier-code.leased', { date, from: block.from, to: block.to });
      return true;
    } catch (err) {
      this.deps.log.log('warn', 'dossier-code.lease-failed', {
        date,
        error: err instanceof Error ? err.message : String(err),
      });
      return false;
    } finally {
      this.refilling.delete(key);
    }
  }
}
