import { X509Certificate } from 'node:crypto';
import type { TokenCertificate, TokenKeyAlgorithm } from './token.port';

/** What `X509Certificate` tells about a certificate, in the port's terms. */
export function describeCertificate(
  der: Uint8Array,
): Pick<TokenCertificate, 'subject' | 'issuer' | 'notBefore' | 'notAfter' | 'algorithm'> {
  const cert = new X509Certificate(der);
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    algorithm: keyAlgorithm(cert),
  };
}

function keyAlgorithm(cert: X509Certificate): TokenKeyAlgorithm | 'other' {
  const key = cert.publicKey;
  if (key.asymmetricKeyType === 'rsa') return 'rsa';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1' || curve === 'P-256') return 'ecdsa-p256';
    if (curve === 'secp384r1' || curve === 'P-384') return 'ecdsa-p384';
  }
  return 'other';
}

/**
 * Issuer certificates for `leaf`, nearest first, picked from `pool` by signature (an issuer is
 * the certificate whose key verifies the child's signature, not one whose name merely matches).
 * Stops at a self-signed certificate or when no issuer is found.
 */
export function buildChain(leaf: Uint8Array, pool: readonly Uint8Array[]): Uint8Array[] {
  const candidates = pool.map((der) => ({ der, cert: safeParse(der) })).filter((c) => c.cert !== null) as {
    der: Uint8Array;
    cert: X509Certificate;
  }[];
  const chain: Uint8Array[] = [];
  let current = safeParse(leaf);
  const used = new Set<number>();
  while (current !== null && chain.length < 8) {
    if (current.checkIssued(current) && current.verify(current.publicKey)) break;
    const child: X509Certificate = current;
    const index = candidates.findIndex(
      (c, i) =>
        !used.has(i) && !sameBytes(c.der, child.raw) && child.checkIssued(c.cert) && child.verify(c.cert.publicKey),
    );
    if (index < 0) break;
    used.add(index);
    chain.push(candidates[index]!.der);
    current = candidates[index]!.cert;
  }
  return chain;
}

function safeParse(der: Uint8Array): X509Certificate | null {
  try {
    return new X509Certificate(der);
  } catch {
    return null;
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

/** Adds `extra` to `chain` after it, without repeating a certificate. */
export function mergeChain(chain: readonly Uint8Array[], extra: readonly Uint8Array[] = []): Uint8Array[] {
  const out = [...chain];
  for (const der of extra) if (!out.some((c) => sameBytes(c, der))) out.push(Uint8Array.from(der));
  return out;
}
