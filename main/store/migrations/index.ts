import { initial } from './0001-initial';
import { search } from './0002-search';
import { digitisedDocuments } from './0003-digitised-documents';
import { queue } from './0004-queue';
import { sync } from './0005-sync';
import { results } from './0006-results';
import { referenceData } from './0007-reference-data';
import { sessions } from './0008-sessions';
import { auditKeyed } from './0009-audit-keyed';
import { centreOutbox } from './0010-centre-outbox';
import type { Migration } from './migration';

export type { Migration } from './migration';

/** Every migration, in order. Append only: a shipped migration is never edited. */
export const MIGRATIONS: readonly Migration[] = [
  initial,
  search,
  digitisedDocuments,
  queue,
  sync,
  results,
  referenceData,
  sessions,
  auditKeyed,
  centreOutbox,
];
