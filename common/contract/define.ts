import { z } from 'zod';
import { CODE_LIMITS, type Role } from './schemas';

/**
 * How a method of the API is declared: its params, its result and who may call it. Each feature
 * declares its methods in its own file (`auth.ts`, `intake.ts`, …) with `define`; `methods.ts`
 * assembles them into the one map every process imports (docs/architecture.md, "Contract and RPC").
 *
 * `roles: 'public'` methods work before login; `'any'` needs a session of any role.
 */
export type Access = 'public' | 'any' | readonly Role[];

export interface MethodDef<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  params: P;
  result: R;
  roles: Access;
}

export function define<P extends z.ZodType, R extends z.ZodType>(params: P, result: R, roles: Access): MethodDef<P, R> {
  return { params, result, roles };
}

export function rolesAllow(access: Access, role: Role | null): boolean {
  if (access === 'public') return true;
  if (role === null) return false;
  if (access === 'any') return true;
  return access.includes(role);
}

// ---- role groups ----

/** The desk roles: receiving, the queue counter, the return of results. */
export const DESK = ['officer', 'supervisor', 'admin'] as const;
/** Every staff role: reading dossiers, people, the catalogue and sync. */
export const STAFF = ['officer', 'digitiser', 'supervisor', 'admin'] as const;
/** The digitisation station and the documents it stores. */
export const DIGITISE = ['digitiser', 'supervisor', 'admin'] as const;
/** Batch signing: the roles that hold the agency's token. */
export const SIGNERS = ['digitiser', 'supervisor'] as const;
/** Checking signatures: the signers, and admins (IT staff check trust anchors with it). */
export const VERIFIERS = ['digitiser', 'supervisor', 'admin'] as const;

// ---- small schemas several features share ----

/** No params. */
export const none = z.object({}).strict();
/** The answer of a method that only does something. */
export const ok = z.object({ done: z.literal(true) });
/** A dossier code a caller sends (`000.00.12.H56-260408-0001`). */
export const DossierCodeParam = z.string().min(1).max(CODE_LIMITS.dossier);
/** A PDF handed to the screen (a form, a stored document, a result file). */
export const PdfFile = z.object({ fileName: z.string(), base64: z.string(), sha256: z.string() });
/** A print job sent to the desk's document printer. */
export const PrintJob = z.object({ printer: z.string(), jobId: z.string() });
