import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Procedure } from '../../common/contract';
import type { AccountsService } from '../admin/accounts.service';
import { resourcesDir } from '../kernel/resources';
import type { QueueService } from '../queue/queue.service';
import type { Store } from '../store/store';

/** The training catalogue (resources/seed/catalogue.json): the desk's seed and what the portal twin publishes. */
export function seedProcedures(): Procedure[] {
  const raw = JSON.parse(readFileSync(join(resourcesDir(), 'seed', 'catalogue.json'), 'utf8')) as unknown[];
  return raw.map((p) => Procedure.parse(p));
}

/** Training catalogue from resources/seed (idempotent: upserts by procedure code). */
export function seedCatalogue(store: Store): number {
  const procedures = seedProcedures();
  store.transaction(() => {
    for (const p of procedures) store.catalogue.upsertProcedure(p);
  });
  return procedures.length;
}

/** Training mode at start: the seed catalogue, the training accounts and six tickets waiting. */
export function seedTraining(store: Store, accounts: AccountsService, queue: QueueService): void {
  seedCatalogue(store);
  accounts.seedTrainingAccounts();
  queue.seedTraining(6);
}
