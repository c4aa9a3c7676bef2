/**
 * What the signing service needs from a key, whoever holds it: a PKCS#11 token at the desk, or
 * the simulated twin on `node:crypto`. The token driver hands out objects of this shape after a
 * login; the signing service (`main/signing`) builds CMS/PAdES around them and never sees a PIN.
 */
export type SigningKeyAlgorithm = 'rsa' | 'ecdsa-p256' | 'ecdsa-p384';

export interface SigningKey {
  /** The signer's certificate, DER. */
  readonly certificate: Uint8Array;
  /** Issuer certificates, DER, nearest issuer first; empty when neither token nor config has them. */
  readonly chain: readonly Uint8Array[];
  readonly algorithm: SigningKeyAlgorithm;
  /** CKA_ID of the key pair, lower-case hex (the simulated twin makes one up). */
  readonly keyId: string;
  /**
   * Signs a SHA-256 digest of the data to be signed (CMS signed attributes).
   * RSA: PKCS#1 v1.5 signature over the SHA-256 DigestInfo. ECDSA: the DER `ECDSA-Sig-Value`
   * (SEQUENCE of r, s), as CMS carries it. Throws a `DeviceError` (token removed, not logged in,
   * unsupported mechanism) when the token cannot sign.
   */
  signDigest(digest: Uint8Array): Promise<Uint8Array>;
}
