import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenProvider } from '../../drivers';

/**
 * The training CAs a desk has signed with, kept in `<data dir>/signing/training-ca/` so that the
 * verify screen and the `verify` command trust the same training-signed files. The simulated
 * token makes a new training CA each time the desk starts; remembering each one keeps a file
 * signed in an earlier training session "tin cậy" after a restart, on the screen and on the
 * command line alike. Only training mode reads or writes this folder.
 */
export const TRAINING_CA_FOLDER = join('signing', 'training-ca');
const MAX_REMEMBERED = 200;

export function trainingCaFolder(dataDir: string): string {
  return join(dataDir, TRAINING_CA_FOLDER);
}

/** Stores each CA certificate (DER) once, named by its SHA-256; returns how many were new. */
export function rememberTrainingAnchors(dataDir: string, ders: readonly Uint8Array[]): number {
  const folder = trainingCaFolder(dataDir);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  let added = 0;
  for (const der of ders) {
    const file = join(folder, `${createHash('sha256').update(der).digest('hex').slice(0, 32)}.der`);
    if (existsSync(file)) continue;
    const temp = `${file}.tmp-${process.pid}`;
    writeFileSync(temp, der, { mode: 0o600 });
    renameSync(temp, file);
    added += 1;
  }
  return added;
}

/** Every remembered training CA (DER); files that are not certificates are skipped. */
export function readTrainingAnchors(dataDir: string): Uint8Array[] {
  const folder = trainingCaFolder(dataDir);
  if (!existsSync(folder)) return [];
  const anchors: Uint8Array[] = [];
  for (const name of readdirSync(folder)
    .filter((n) => /^[0-9a-f]{32}\.der$/.test(n))
    .sort()
    .slice(0, MAX_REMEMBERED)) {
    const der = new Uint8Array(readFileSync(join(folder, name)));
    try {
      if (new X509Certificate(der).ca) anchors.push(der);
    } catch {
      // Not a certificate: ignored (the folder is the desk's own, but a stray file must not break verification).
    }
  }
  return anchors;
}

/** The CA certificates on the simulated token (the training CA of this run). */
export async function twinCaCertificates(tokens: TokenProvider): Promise<Uint8Array[]> {
  const found: Uint8Array[] = [];
  for (const slot of await tokens.listSlots()) {
    if (!slot.token) continue;
    const session = await tokens.open(slot.id);
    try {
      for (const c of await session.certificates()) if (new X509Certificate(c.der).ca) found.push(c.der);
    } finally {
      await session.close();
    }
  }
  return found;
}
