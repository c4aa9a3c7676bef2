import { z } from 'zod';
import {
  WireDossierSchema,
  WireProgressStepSchema,
  type WireDossier,
  type WireProgressStep,
} from '../remotes/national-portal/wire-schemas';
import type { HandOffFile } from '../remotes/provincial/provincial.port';

/**
 * What the outbox rows carry, per kind. Services build the wire records with
 * `main/remotes/national-portal/wire-format.ts` when they write the row, so the sender sends
 * exactly what was recorded at the time of the change.
 *
 * - `dossier.upsert`   → `{ dossier: WireDossier, isUpdating?: boolean }` (or the bare WireDossier)
 * - `dossier.progress` → `{ steps: WireProgressStep[] }` (or a bare array, or one step)
 * - `dossier.handoff`  → `{ dossier: WireDossier, files?: HandOffFile[] }` (or the bare
 *   WireDossier). Without `files` the sender asks `loadFiles(dossierCode)`, so big scans need
 *   not sit in the outbox table.
 */
export interface DossierUpsertPayload {
  dossier: WireDossier;
  /** True when the change is known to be an update (the dossier was synced before). */
  isUpdating?: boolean;
}

export interface DossierProgressPayload {
  steps: WireProgressStep[];
}

export interface DossierHandoffPayload {
  dossier: WireDossier;
  files?: HandOffFile[];
}

/** The payload does not match its kind; retrying cannot help. */
export class PayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadError';
  }
}

const HandOffFileSchema = z
  .object({
    name: z.string().min(1),
    sha256: z.string().min(1),
    base64: z.string().optional(),
    fileId: z.string().min(1).optional(),
  })
  .refine((f) => (f.base64 === undefined) !== (f.fileId === undefined), 'base64 or fileId');

const UpsertWrapped = z.object({ dossier: WireDossierSchema, isUpdating: z.boolean().optional() });
const UpsertBare = WireDossierSchema.extend({ isUpdating: z.boolean().optional() });
const ProgressWrapped = z.object({ steps: z.array(WireProgressStepSchema).min(1) });
const ProgressBare = z.array(WireProgressStepSchema).min(1);
const HandoffWrapped = z.object({ dossier: WireDossierSchema, files: z.array(HandOffFileSchema).optional() });
const HandoffBare = WireDossierSchema.extend({ files: z.array(HandOffFileSchema).optional() });

function hasKey(value: unknown, key: string): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && key in value;
}

function invalid(kind: string, error: z.ZodError): PayloadError {
  const issues = error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
  return new PayloadError(`invalid ${kind} payload: ${issues.join('; ')}`);
}

export function parseUpsertPayload(payload: unknown): DossierUpsertPayload {
  if (hasKey(payload, 'dossier')) {
    const r = UpsertWrapped.safeParse(payload);
    if (!r.success) throw invalid('dossier.upsert', r.error);
    return r.data.isUpdating === undefined
      ? { dossier: r.data.dossier }
      : { dossier: r.data.dossier, isUpdating: r.data.isUpdating };
  }
  const r = UpsertBare.safeParse(payload);
  if (!r.success) throw invalid('dossier.upsert', r.error);
  const { isUpdating, ...dossier } = r.data;
  return isUpdating === undefined ? { dossier } : { dossier, isUpdating };
}

export function parseProgressPayload(payload: unknown): DossierProgressPayload {
  if (Array.isArray(payload)) {
    const r = ProgressBare.safeParse(payload);
    if (!r.success) throw invalid('dossier.progress', r.error);
    return { steps: r.data };
  }
  if (hasKey(payload, 'steps')) {
    const r = ProgressWrapped.safeParse(payload);
    if (!r.success) throw invalid('dossier.progress', r.error);
    return { steps: r.data.steps };
  }
  const r = WireProgressStepSchema.safeParse(payload);
  if (!r.success) throw invalid('dossier.progress', r.error);
  return { steps: [r.data] };
}

export function parseHandoffPayload(payload: unknown): DossierHandoffPayload {
  if (hasKey(payload, 'dossier')) {
    const r = HandoffWrapped.safeParse(payload);
    if (!r.success) throw invalid('dossier.handoff', r.error);
    return r.data.files === undefined ? { dossier: r.data.dossier } : { dossier: r.data.dossier, files: r.data.files };
  }
  const r = HandoffBare.safeParse(payload);
  if (!r.success) throw invalid('dossier.handoff', r.error);
  const { files, ...dossier } = r.data;
  return files === undefined ? { dossier } : { dossier, files };
}
