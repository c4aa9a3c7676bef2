import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { FAULT_KINDS, type FaultControls, type FaultKind, type FaultOptions } from './simulator-faults';

/**
 * The admin endpoint of the remote simulators (`/__sim/...`, served by `simulator-server.ts`): who may
 * call it (the admin token) and the body that sets faults.
 */

export const ADMIN_PREFIX = '/__sim';

/**
 * The admin endpoint answers 401 unless this header carries the simulator's admin token: in
 * training mode the core's own token (browser mode: the launch token), for `npm run simulators`
 * `SIMULATOR_TOKEN` or a random one it prints (docs/operations.md, "Simulators").
 */
export const SIM_TOKEN_HEADER = 'x-sim-token';

/** A fresh admin token for a simulator started without one (nobody else can then drive it). */
export function newSimAdminToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time comparison: both sides hashed first, so neither length nor content leaks by timing. */
export function simAdminTokenMatches(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given === '') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Checks an admin token given to a simulator: long enough to be a secret, printable. */
export function checkSimAdminToken(token: string): string {
  if (!/^[\w.~+/=-]{16,4096}$/.test(token))
    throw new RangeError('simulator admin token: 16-4096 characters of [A-Za-z0-9_.~+/=-]');
  return token;
}

const FaultSpec = z.object({
  n: z.number().int().min(1).default(1),
  kind: z.enum(FAULT_KINDS as unknown as [FaultKind, ...FaultKind[]]),
  only: z.string().optional(),
  phase: z.enum(['before', 'after']).optional(),
  status: z.number().int().min(500).max(599).optional(),
  durationMs: z.number().int().min(0).max(600_000).optional(),
  skip: z.number().int().min(0).optional(),
});

/**
 * Body of `POST /__sim/faults` (the admin endpoint, for tests in another process and for people
 * using `npm run simulators`): applied in this order: `clear`, `latencyMs`, `failNext`, `random`.
 * Simulator-specific switches (e.g. `statusFeedOutOfOrder`) are passed to `SimServerOptions.admin`.
 */
export const AdminFaultsBody = z
  .object({
    clear: z.boolean().optional(),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    failNext: z.array(FaultSpec).optional(),
    random: z
      .object({
        probability: z.number().min(0).max(1),
        kinds: z.array(FaultSpec.shape.kind),
        only: z.string().optional(),
        seed: z.number().int().optional(),
      })
      .optional(),
    expireSessions: z.boolean().optional(),
  })
  .loose();

export type AdminFaults = z.infer<typeof AdminFaultsBody>;

/** Applies a parsed `POST /__sim/faults` body to `faults`, in the order the body documents. */
export function applyAdminFaults(faults: FaultControls, b: AdminFaults): void {
  if (b.clear) faults.clear();
  if (b.latencyMs !== undefined) faults.latencyMs = b.latencyMs;
  for (const f of b.failNext ?? []) {
    const o: FaultOptions = {};
    if (f.only !== undefined) o.only = f.only;
    if (f.phase !== undefined) o.phase = f.phase;
    if (f.status !== undefined) o.status = f.status;
    if (f.durationMs !== undefined) o.durationMs = f.durationMs;
    if (f.skip !== undefined) o.skip = f.skip;
    faults.failNext(f.n, f.kind, o);
  }
  if (b.random) {
    const o: FaultOptions & { seed?: number } = {};
    if (b.random.only !== undefined) o.only = b.random.only;
    if (b.random.seed !== undefined) o.seed = b.random.seed;
    faults.failRandomly(b.random.probability, b.random.kinds, o);
  }
}
