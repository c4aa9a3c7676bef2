import type { Db } from './db';

/**
 * Where a desk's dossier numbers come from. Desks of one agency share the daily sequence, so a
 * desk only issues numbers from blocks it holds: `lease` blocks granted by the provincial system
 * while online, and `reserve` blocks set aside for this desk in advance (used when a lease runs
 * out offline). Numbers are taken in order, lease first, and a taken number is committed before
 * it is returned: it is never handed out again, even after a crash or restart.
 */
export type BlockSource = 'lease' | 'reserve';

export interface NewBlock {
  agencyId: string;
  /** Local receipt date `YYYY-MM-DD`. */
  date: string;
  from: number;
  to: number;
  source: BlockSource;
}

export interface SequenceBlock extends NewBlock {
  id: number;
  /** The next number this block will issue (`to + 1` when used up). */
  next: number;
}

export interface Remaining {
  lease: number;
  reserve: number;
  total: number;
}

interface BlockRow {
  id: number;
  agency_id: string;
  date: string;
  from_seq: number;
  to_seq: number;
  next_seq: number;
  source: BlockSource;
}

function toBlock(row: BlockRow): SequenceBlock {
  return {
    id: row.id,
    agencyId: row.agency_id,
    date: row.date,
    from: row.from_seq,
    to: row.to_seq,
    next: row.next_seq,
    source: row.source,
  };
}

export class SequenceRepository {
  private readonly overlapping;
  private readonly insertStmt;
  private readonly nextBlock;
  private readonly advance;
  private readonly remainingStmt;
  private readonly blocksStmt;
  private readonly addTx;
  private readonly takeTx;

  constructor(db: Db) {
    this.overlapping = db.prepare<[string, string, number, number], BlockRow>(
      'SELECT * FROM code_blocks WHERE agency_id = ? AND date = ? AND from_seq <= ? AND to_seq >= ? LIMIT 1',
    );
    this.insertStmt = db.prepare<[string, string, number, number, number, BlockSource], BlockRow>(
      'INSERT INTO code_blocks (agency_id, date, from_seq, to_seq, next_seq, source) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
    );
    this.nextBlock = db.prepare<[string, string], BlockRow>(`
      SELECT * FROM code_blocks
      WHERE agency_id = ? AND date = ? AND next_seq <= to_seq
      ORDER BY CASE source WHEN 'lease' THEN 0 ELSE 1 END, next_seq, id
      LIMIT 1`);
    this.advance = db.prepare<[number, number]>(
      'UPDATE code_blocks SET next_seq = next_seq + 1 WHERE id = ? AND next_seq = ?',
    );
    this.remainingStmt = db.prepare<[string, string], { source: BlockSource; n: number }>(`
      SELECT source, sum(to_seq - next_seq + 1) AS n FROM code_blocks
      WHERE agency_id = ? AND date = ? GROUP BY source`);
    this.blocksStmt = db.prepare<[string, string], BlockRow>(
      'SELECT * FROM code_blocks WHERE agency_id = ? AND date = ? ORDER BY from_seq',
    );

    this.addTx = db.transaction((block: NewBlock): SequenceBlock => {
      const clash = this.overlapping.get(block.agencyId, block.date, block.to, block.from);
      if (clash) {
        throw new Error(
          `block ${block.from}-${block.to} overlaps block ${clash.from_seq}-${clash.to_seq} (${clash.source}) of ${block.agencyId} on ${block.date}`,
        );
      }
      const row = this.insertStmt.get(block.agencyId, block.date, block.from, block.to, block.from, block.source);
      if (!row) throw new Error('block insert returned nothing');
      return toBlock(row);
    });

    this.takeTx = db.transaction((agencyId: string, date: string): { sequence: number; source: BlockSource } | null => {
      const row = this.nextBlock.get(agencyId, date);
      if (!row) return null;
      if (this.advance.run(row.id, row.next_seq).changes !== 1) throw new Error('sequence block changed underneath');
      return { sequence: row.next_seq, source: row.source };
    });
  }

  /**
   * Records a block of numbers this desk may issue. Overlapping an existing block of the same agency and day throws.
   */
  addBlock(block: NewBlock): SequenceBlock {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(block.date)) throw new Error(`not a YYYY-MM-DD date: ${block.date}`);
    if (!Number.isInteger(block.from) || !Number.isInteger(block.to) || block.from < 1 || block.to < block.from) {
      throw new Error(`invalid block ${block.from}-${block.to}`);
    }
    return this.addTx.immediate(block);
  }

  /** The lowest unused number, lease blocks before reserve blocks; null when every block is used up. */
  take(agencyId: string, date: string): { sequence: number; source: BlockSource } | null {
    return this.takeTx.immediate(agencyId, date);
  }

  remaining(agencyId: string, date: string): Remaining {
    const remaining: Remaining = { lease: 0, reserve: 0, total: 0 };
    for (const row of this.remainingStmt.all(agencyId, date)) remaining[row.source] = row.n;
    remaining.total = remaining.lease + remaining.reserve;
    return remaining;
  }

  blocks(agencyId: string, date: string): SequenceBlock[] {
    return this.blocksStmt.all(agencyId, date).map(toBlock);
  }
}
