import { z } from 'zod';
import { define, none } from './define';
import { Role } from './schemas';

// The app itself: what the login screen shows before anyone signs in.

export const TrainingAccount = z.object({
  username: z.string(),
  password: z.string(),
  role: Role,
  displayName: z.string(),
});

export const AppInfo = z.object({
  version: z.string(),
  trainingMode: z.boolean(),
  agencyId: z.string(),
  agencyName: z.string(),
  counter: z.string(),
  /** Listed on the login screen in training mode only; empty otherwise. */
  trainingAccounts: z.array(TrainingAccount),
  /** Keyboard-wedge barcode detection thresholds (config `barcode.wedge`); absent = the renderer's defaults. */
  barcodeWedge: z.object({ enabled: z.boolean(), maxGapMs: z.number(), minLength: z.number().int() }).optional(),
  /** Config `session`: the screen locks itself after `idleTimeoutMinutes` without keys or clicks. */
  session: z.object({ idleTimeoutMinutes: z.number().int(), maxHours: z.number().int() }).optional(),
  /**
   * The centre this desk is enrolled at (docs/architecture.md, "Centre"); null (or absent) when it
   * runs alone. `broken`: the enrolment files could not be read, the desk runs alone and `reason` says why.
   */
  centre: z
    .object({
      name: z.string(),
      url: z.string(),
      counter: z.string().nullable(),
      state: z.enum(['connected', 'unreachable', 'revoked', 'broken']),
      reason: z.string().nullable(),
    })
    .nullable()
    .optional(),
});

export const appMethods = {
  'app.info': define(none, AppInfo, 'public'),
} as const;
