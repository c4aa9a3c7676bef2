import { z } from 'zod';
import { define, none, STAFF } from './define';
import { CODE_LIMITS, LocalDate } from './schemas';

// Sync with the national portal and the provincial system: the outbox's counts, the remotes, dead letters.

export const SyncOverview = z.object({
  pending: z.number().int(),
  retrying: z.number().int(),
  dead: z.number().int(),
  sent: z.number().int(),
  lastError: z.string().nullable(),
});

/** `centre`: the one-stop centre an enrolled desk replicates its day to. */
const SyncTarget = z.enum(['national', 'provincial', 'centre']);
const LocalTime = z.string();

/** Sync as IT staff and officers see it: counts, per remote (with its circuit breaker), status feed. */
export const SyncStatus = z.object({
  counts: z.object({
    pending: z.number().int(),
    retrying: z.number().int(),
    sent: z.number().int(),
    dead: z.number().int(),
  }),
  remotes: z.array(
    z.object({
      target: SyncTarget,
      owed: z.number().int(),
      dead: z.number().int(),
      oldestOwedAt: LocalTime.nullable(),
      nextAttemptAt: LocalTime.nullable(),
      breaker: z.enum(['closed', 'open', 'half-open']),
      breakerRetryAt: LocalTime.nullable(),
      breakerError: z.string().nullable(),
    }),
  ),
  statusFeed: z.object({
    feedId: z.string().nullable(),
    cursor: z.string().nullable(),
    updatedAt: LocalTime.nullable(),
  }),
  lastError: z.string().nullable(),
  /** The national catalogue pull: when it last moved, and procedure versions waiting for their date. */
  catalogue: z
    .object({
      pulledAt: LocalTime.nullable(),
      waiting: z.array(z.object({ code: z.string(), effectiveFrom: LocalDate })),
    })
    .optional(),
});

/** An outbox row that will not be sent again by itself; `message` is Vietnamese, for the officer. */
export const DeadLetter = z.object({
  id: z.number().int(),
  target: SyncTarget,
  kind: z.enum(['dossier.upsert', 'dossier.progress', 'dossier.handoff', 'centre.entry']),
  dossierCode: z.string(),
  attempts: z.number().int(),
  reason: z.enum(['rejected', 'invalid', 'exhausted']),
  errorCode: z.string().nullable(),
  error: z.string().nullable(),
  message: z.string(),
  createdAt: LocalTime,
  deadAt: LocalTime.nullable(),
});

export const DeadLetterFilter = z
  .object({
    target: SyncTarget.optional(),
    dossierCode: z.string().min(1).max(CODE_LIMITS.dossier).optional(),
  })
  .strict();

export const syncMethods = {
  'sync.overview': define(none, SyncOverview, STAFF),
  'sync.status': define(none, SyncStatus, STAFF),
  'sync.deadLetters': define(
    DeadLetterFilter.extend({ limit: z.number().int().min(1).max(1000).default(200) }),
    z.array(DeadLetter),
    STAFF,
  ),
  /** Sends dead rows again: the ids given, or every dead row matching the filter when `all`. */
  'sync.retryDead': define(
    DeadLetterFilter.extend({
      ids: z.array(z.number().int().min(1)).max(1000).optional(),
      all: z.boolean().default(false),
    }).refine((p) => p.all || (p.ids !== undefined && p.ids.length > 0), 'cần ids hoặc all'),
    z.object({ revived: z.array(z.number().int()) }),
    STAFF,
  ),
  /** The dead letters as a JSON file to hand to IT staff (no payloads: they hold personal data). */
  'sync.exportDead': define(
    DeadLetterFilter,
    z.object({ fileName: z.string(), content: z.string(), count: z.number().int() }),
    STAFF,
  ),
} as const;
