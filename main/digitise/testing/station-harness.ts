import type { DigitisedMetadata, EventPayload, SessionUser } from '../../../common/contract';
import { EventHub } from '../../core/event-hub';
import { fixedClock } from '../../kernel/clock';
import { silentLogger } from '../../kernel/logger';
import { openStore, type Store } from '../../store/store';
import { newDossier, personInput, procedure, tempDir } from '../../store/testing/store-fixtures';
import type { ScannerProvider } from '../../../drivers/scanner/scanner.port';
import { DigitiseStation, type DigitiseStationDeps } from '../station/digitise-station';
import type { PipelineFactory } from '../station/pipeline-port';

export const DIGITISER: SessionUser = { username: 'sohoa', displayName: 'Lê Minh Quân', role: 'digitiser' };
export const DOSSIER_CODE = '000.00.12.H56-250715-0001';

/** Metadata of the citizen ID card copy the sample dossier's TP2 component asks for. */
export function idCardMetadata(overrides: Partial<DigitisedMetadata> = {}): DigitisedMetadata {
  return {
    ownerIdNumber: '001203004567',
    ownerName: 'Nguyễn Văn Dũng',
    documentCode: 'KQ0003',
    documentName: 'Căn cước công dân',
    dossierCode: DOSSIER_CODE,
    permanent: false,
    validUntil: '2036-05-17',
    issuer: 'Cục Cảnh sát QLHC về TTXH',
    number: '001203004567',
    issuedOn: '2021-08-10',
    summary: null,
    kind: 'component',
    procedureCode: null,
    sectorCode: null,
    ...overrides,
  };
}

/** A store with the sample procedure and a received dossier whose TP2 (KQ0003) is to be digitised. */
export function seededStore(dir: string): Store {
  const store = openStore({ dataDir: dir });
  store.catalogue.upsertProcedure(procedure());
  const applicant = store.people.upsert(personInput());
  const base = newDossier(applicant);
  store.dossiers.insert({
    ...base,
    components: [
      base.components[0]!,
      { ...base.components[1]!, source: 'to-digitise', reusedDocumentId: null, consentAt: null },
    ],
  });
  return store;
}

export interface StationHarness {
  store: Store;
  station: DigitiseStation;
  events: EventPayload<'digitise.progress'>[];
  dir: string;
  /** A second station on the same data folder (what a restart gives). */
  restart(pipelines?: PipelineFactory): DigitiseStation;
  dispose(): Promise<void>;
}

export function stationHarness(
  opts: { scanners: ScannerProvider; pipelines: PipelineFactory } & Partial<DigitiseStationDeps>,
): StationHarness {
  const temp = tempDir('motcua-station-');
  let store = seededStore(temp.dir);
  const events: EventPayload<'digitise.progress'>[] = [];
  const clock = fixedClock('2025-07-15T10:00');
  const hub = new EventHub(silentLogger);
  hub.on('digitise.progress', (e) => events.push(e));
  const make = (s: Store, pipelines: PipelineFactory): DigitiseStation =>
    new DigitiseStation({
      store: s,
      clock,
      log: silentLogger,
      agency: { id: '000.00.12.H56', name: 'UBND phường Bến Nghé' },
      events: hub,
      ...opts,
      pipelines,
    });
  const stations: DigitiseStation[] = [make(store, opts.pipelines)];
  const harness: StationHarness = {
    get store() {
      return store;
    },
    get station() {
      return stations[stations.length - 1]!;
    },
    events,
    dir: temp.dir,
    restart(pipelines = opts.pipelines) {
      store.close();
      store = openStore({ dataDir: temp.dir });
      const station = make(store, pipelines);
      stations.push(station);
      return station;
    },
    async dispose() {
      for (const s of stations) await s.close();
      store.close();
      temp.cleanup();
    },
  };
  return harness;
}

/** Resolves when `test` holds, polling (background work has no other hook). */
export async function until(test: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
