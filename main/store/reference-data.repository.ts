import { Procedure } from '../../common/contract/schemas';
import type { CatalogueRepository } from './catalogue.repository';
import type { Db } from './db';

export interface ProcedureChange {
  id: number;
  code: string;
  effectiveFrom: string;
  procedure: Procedure;
  active: boolean;
  remoteUpdatedAt: string;
  source: 'national' | 'local';
  pulledAt: number;
  appliedAt: number | null;
}

export interface AgencyRecord {
  code: string;
  name: string;
  parentCode: string | null;
}

export interface SectorRecord {
  code: string;
  name: string;
}

export interface AdministrativeUnitRecord {
  code: string;
  name: string;
  level: 'province' | 'commune';
  provinceCode: string | null;
  effectiveFrom: string;
  abolishedFrom: string | null;
}

interface ChangeRow {
  id: number;
  code: string;
  effective_from: string;
  procedure_json: string;
  active: number;
  remote_updated_at: string;
  source: 'national' | 'local';
  pulled_at: number;
  applied_at: number | null;
}

function toChange(r: ChangeRow): ProcedureChange {
  return {
    id: r.id,
    code: r.code,
    effectiveFrom: r.effective_from,
    procedure: Procedure.parse(JSON.parse(r.procedure_json)),
    active: r.active === 1,
    remoteUpdatedAt: r.remote_updated_at,
    source: r.source,
    pulledAt: r.pulled_at,
    appliedAt: r.applied_at,
  };
}

/**
 * Reference data pulled from the remotes (migration 0007): procedure changes with their effective
 * dates, agencies, sectors, administrative units. Writes are inserts and updates only; callers
 * wrap a pull in one `store.transaction`.
 */
export class ReferenceDataRepository {
  private readonly insertChange;
  private readonly pendingDue;
  private readonly pendingForCode;
  private readonly markApplied;
  private readonly changesForCode;
  private readonly pendingAll;
  private readonly upsertAgency;
  private readonly upsertSector;
  private readonly upsertUnit;
  private readonly agencyList;
  private readonly sectorList;
  private readonly unitList;

  constructor(db: Db) {
    this.insertChange = db.prepare<[string, string, string, number, string, string, number, number | null]>(`
      INSERT INTO procedure_changes (code, effective_from, procedure_json, active, remote_updated_at, source, pulled_at, applied_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code, effective_from, remote_updated_at) DO NOTHING`);
    this.pendingDue = db.prepare<[string], ChangeRow>(
      'SELECT * FROM procedure_changes WHERE applied_at IS NULL AND effective_from <= ? ORDER BY effective_from, id',
    );
    this.pendingForCode = db.prepare<[string, string], ChangeRow>(
      'SELECT * FROM procedure_changes WHERE applied_at IS NULL AND code = ? AND effective_from <= ? ORDER BY effective_from DESC, id DESC LIMIT 1',
    );
    this.markApplied = db.prepare<[number, number]>('UPDATE procedure_changes SET applied_at = ? WHERE id = ?');
    this.changesForCode = db.prepare<[string], ChangeRow>(
      'SELECT * FROM procedure_changes WHERE code = ? ORDER BY effective_from, id',
    );
    this.pendingAll = db.prepare<[], ChangeRow>(
      'SELECT * FROM procedure_changes WHERE applied_at IS NULL ORDER BY effective_from, id',
    );
    this.upsertAgency = db.prepare<[string, string, string | null, number]>(`
      INSERT INTO agencies (code, name, parent_code, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (code) DO UPDATE SET name = excluded.name, parent_code = excluded.parent_code, updated_at = excluded.updated_at
      WHERE agencies.name IS NOT excluded.name OR agencies.parent_code IS NOT excluded.parent_code`);
    this.upsertSector = db.prepare<[string, string, number]>(`
      INSERT INTO sectors (code, name, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (code) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at WHERE sectors.name IS NOT excluded.name`);
    this.upsertUnit = db.prepare<[string, string, string, string | null, string, string | null, number]>(`
      INSERT INTO administrative_units (code, name, level, province_code, effective_from, abolished_from, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, province_code = excluded.province_code,
        effective_from = excluded.effective_from, abolished_from = excluded.abolished_from, updated_at = excluded.updated_at
      WHERE administrative_units.name IS NOT excluded.name OR administrative_units.province_code IS NOT excluded.province_code
        OR administrative_units.effective_from IS NOT excluded.effective_from OR administrative_units.abolished_from IS NOT excluded.abolished_from`);
    this.agencyList = db.prepare<[], { code: string; name: string; parent_code: string | null }>(
      'SELECT code, name, parent_code FROM agencies ORDER BY code',
    );
    this.sectorList = db.prepare<[], SectorRecord>('SELECT code, name FROM sectors ORDER BY code');
    this.unitList = db.prepare<
      [],
      {
        code: string;
        name: string;
        level: 'province' | 'commune';
        province_code: string | null;
        effective_from: string;
        abolished_from: string | null;
      }
    >(
      'SELECT code, name, level, province_code, effective_from, abolished_from FROM administrative_units ORDER BY code',
    );
  }

  /**
   * Records a pulled procedure version; `appliedAt` set when it was applied at once. False when it was already
   * recorded.
   */
  recordChange(c: {
    procedure: Procedure;
    active: boolean;
    remoteUpdatedAt: string;
    source: 'national' | 'local';
    pulledAt: number;
    appliedAt: number | null;
  }): boolean {
    const p = Procedure.parse(c.procedure);
    return (
      this.insertChange.run(
        p.code,
        p.effectiveFrom,
        JSON.stringify(p),
        c.active ? 1 : 0,
        c.remoteUpdatedAt,
        c.source,
        c.pulledAt,
        c.appliedAt,
      ).changes > 0
    );
  }

  /** Changes not yet applied whose date has come (`YYYY-MM-DD`), oldest first. */
  dueChanges(today: string): ProcedureChange[] {
    return this.pendingDue.all(today).map(toChange);
  }

  /** The newest waiting change of a procedure effective on `date`, if any. */
  pendingEffective(code: string, date: string): ProcedureChange | null {
    const row = this.pendingForCode.get(code, date);
    return row ? toChange(row) : null;
  }

  setApplied(id: number, at: number): void {
    this.markApplied.run(at, id);
  }

  /** Every recorded version of a procedure, by effective date. */
  history(code: string): ProcedureChange[] {
    return this.changesForCode.all(code).map(toChange);
  }

  /** Changes waiting for their date. */
  pending(): ProcedureChange[] {
    return this.pendingAll.all().map(toChange);
  }

  /** True when the row was inserted or changed. */
  saveAgency(a: AgencyRecord, at: number): boolean {
    return this.upsertAgency.run(a.code, a.name, a.parentCode, at).changes > 0;
  }

  saveSector(s: SectorRecord, at: number): boolean {
    return this.upsertSector.run(s.code, s.name, at).changes > 0;
  }

  saveAdministrativeUnit(u: AdministrativeUnitRecord, at: number): boolean {
    return (
      this.upsertUnit.run(u.code, u.name, u.level, u.provinceCode, u.effectiveFrom, u.abolishedFrom, at).changes > 0
    );
  }

  agencies(): AgencyRecord[] {
    return this.agencyList.all().map((r) => ({ code: r.code, name: r.name, parentCode: r.parent_code }));
  }

  sectors(): SectorRecord[] {
    return this.sectorList.all();
  }

  administrativeUnits(): AdministrativeUnitRecord[] {
    return this.unitList.all().map((r) => ({
      code: r.code,
      name: r.name,
      level: r.level,
      provinceCode: r.province_code,
      effectiveFrom: r.effective_from,
      abolishedFrom: r.abolished_from,
    }));
  }
}

/**
 * The procedure as it is effective on `date` (`YYYY-MM-DD`): the newest waiting change dated on or
 * before it, else the catalogue row. Intake uses it with the receiving date.
 */
export function effectiveProcedure(
  store: {
    catalogue: Pick<CatalogueRepository, 'get'>;
    referenceData: Pick<ReferenceDataRepository, 'pendingEffective'>;
  },
  code: string,
  date: string,
): Procedure | null {
  const current = store.catalogue.get(code);
  const waiting = store.referenceData.pendingEffective(code.trim(), date);
  if (!waiting || !waiting.active) return current;
  return { ...waiting.procedure, cutoff: current?.cutoff ?? waiting.procedure.cutoff };
}
