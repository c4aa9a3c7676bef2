import { z } from 'zod';
import { ChannelTerms, ProcedureComponent, type Procedure, type ProcedureSummary } from '../../common/contract/schemas';
import type { Db } from './db';
import { foldVietnamese } from '../../common/domain/text-normalise';
import { clampLimit, exactKey, toFtsQuery } from './search-query';

interface ProcedureRow {
  code: string;
  name: string;
  sector_code: string;
  sector_name: string;
  level: string;
  agency_name: string;
  result_name: string;
  result_code: string | null;
  cutoff: string | null;
  effective_from: string;
  components_json: string;
  channels_json: string;
}

type SummaryRow = Pick<ProcedureRow, 'code' | 'name' | 'sector_code' | 'sector_name'>;

const Components = z.array(ProcedureComponent);
const Channels = z.array(ChannelTerms);
const SUMMARY = 'p.code, p.name, p.sector_code, p.sector_name';

function toSummary(row: SummaryRow): ProcedureSummary {
  return { code: row.code, name: row.name, sectorCode: row.sector_code, sectorName: row.sector_name };
}

function toProcedure(row: ProcedureRow): Procedure {
  return {
    ...toSummary(row),
    level: row.level,
    agencyName: row.agency_name,
    resultName: row.result_name,
    resultCode: row.result_code,
    cutoff: row.cutoff,
    components: Components.parse(JSON.parse(row.components_json)),
    channels: Channels.parse(JSON.parse(row.channels_json)),
    effectiveFrom: row.effective_from,
  };
}

interface UpsertParams {
  code: string;
  name: string;
  nameFold: string;
  sectorCode: string;
  sectorName: string;
  level: string;
  agencyName: string;
  resultName: string;
  resultCode: string | null;
  cutoff: string | null;
  effectiveFrom: string;
  components: string;
  channels: string;
}

/** The procedure catalogue (TTHC): synced from upstream, read at intake. */
export class CatalogueRepository {
  private readonly upsertStmt;
  private readonly byCode;
  private readonly firstByCode;
  private readonly byText;
  private readonly countStmt;

  constructor(db: Db) {
    this.upsertStmt = db.prepare<[UpsertParams]>(`
      INSERT INTO procedures (code, name, name_fold, sector_code, sector_name, level, agency_name, result_name,
                              result_code, cutoff, effective_from, components_json, channels_json)
      VALUES (@code, @name, @nameFold, @sectorCode, @sectorName, @level, @agencyName, @resultName,
              @resultCode, @cutoff, @effectiveFrom, @components, @channels)
      ON CONFLICT (code) DO UPDATE SET
        name = excluded.name, name_fold = excluded.name_fold,
        sector_code = excluded.sector_code, sector_name = excluded.sector_name,
        level = excluded.level, agency_name = excluded.agency_name,
        result_name = excluded.result_name, result_code = excluded.result_code,
        cutoff = excluded.cutoff, effective_from = excluded.effective_from,
        components_json = excluded.components_json, channels_json = excluded.channels_json,
        updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`);
    this.byCode = db.prepare<[string], ProcedureRow>('SELECT * FROM procedures WHERE code = ?');
    this.firstByCode = db.prepare<[number], SummaryRow>(`SELECT ${SUMMARY} FROM procedures p ORDER BY p.code LIMIT ?`);
    this.byText = db.prepare<[string, number], SummaryRow>(`
      SELECT ${SUMMARY} FROM procedures_fts JOIN procedures p ON p.id = procedures_fts.rowid
      WHERE procedures_fts MATCH ? ORDER BY procedures_fts.rank, p.code LIMIT ?`);
    this.countStmt = db.prepare<[], number>('SELECT count(*) FROM procedures').pluck();
  }

  upsertProcedure(procedure: Procedure): void {
    this.upsertStmt.run({
      code: procedure.code.trim(),
      name: procedure.name,
      nameFold: foldVietnamese(procedure.name),
      sectorCode: procedure.sectorCode,
      sectorName: procedure.sectorName,
      level: procedure.level,
      agencyName: procedure.agencyName,
      resultName: procedure.resultName,
      resultCode: procedure.resultCode,
      cutoff: procedure.cutoff,
      effectiveFrom: procedure.effectiveFrom,
      components: JSON.stringify(Components.parse(procedure.components)),
      channels: JSON.stringify(Channels.parse(procedure.channels)),
    });
  }

  get(code: string): Procedure | null {
    const row = this.byCode.get(code.trim());
    return row ? toProcedure(row) : null;
  }

  /** Exact code first, then folded full-text matches on code and name; empty query → first `limit` by code. */
  search(query: string, limit: number): ProcedureSummary[] {
    const max = clampLimit(limit);
    const match = toFtsQuery(query);
    if (match === null) return this.firstByCode.all(max).map(toSummary);
    const found = new Map<string, ProcedureSummary>();
    const key = exactKey(query);
    const exact = key === null ? undefined : this.byCode.get(key);
    if (exact) found.set(exact.code, toSummary(exact));
    for (const row of this.byText.all(match, max)) {
      if (found.size >= max) break;
      if (!found.has(row.code)) found.set(row.code, toSummary(row));
    }
    return [...found.values()];
  }

  count(): number {
    return this.countStmt.get() ?? 0;
  }
}
