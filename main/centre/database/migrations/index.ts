import { centre } from './0001-centre';
import { devices } from './0002-devices';
import { queue } from './0003-queue';
import { dossierNumbers } from './0004-dossier-numbers';
import { deskDay } from './0005-desk-day';
import type { CentreMigration } from './migration';

export type { CentreMigration } from './migration';

/** The centre's schema steps, in order (each has a test beside it). */
export const CENTRE_MIGRATIONS: readonly CentreMigration[] = [centre, devices, queue, dossierNumbers, deskDay];
