import { execFile } from 'node:child_process';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../device-error';
import type { TokenProvider, TokenSession, TokenSlotInfo } from './token.port';

const run = promisify(execFile);

/** What the shared suite needs from an adapter under test. */
export interface TokenHarness {
  provider: TokenProvider;
  /** Label of the token under test. */
  label: string;
  pin: string;
  /** CKA_IDs (hex) of the RSA 2048 and EC P-256 keys, each with its certificate. */
  keys: { rsa: string; ec: string };
  /** The issuer certificate is on the token, so `chain` must contain it. */
  issuerOnToken: boolean;
  /** The token locks its PIN after `maxPinTries` wrong tries (SoftHSM2 never locks). */
  maxPinTries?: number;
  /** Pulls the token out; absent when the adapter cannot do it here. */
  removeToken?: () => Promise<void>;
  insertToken?: () => Promise<void>;
  dispose(): Promise<void>;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject');
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<DeviceError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(DeviceError);
  expect((error as DeviceError).code).toBe(code);
  return error as DeviceError;
}

const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());

/** `openssl dgst -sha256 -verify` of a signature against the certificate's public key. */
export async function opensslVerifies(
  certificate: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const dir = await mkdtemp(path.join(tmpdir(), 'motcua-verify-'));
  try {
    const pub = new X509Certificate(certificate).publicKey.export({ type: 'spki', format: 'pem' });
    await writeFile(path.join(dir, 'pub.pem'), pub);
    await writeFile(path.join(dir, 'data.bin'), data);
    await writeFile(path.join(dir, 'sig.bin'), signature);
    try {
      const { stdout } = await run(
        'openssl',
        ['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig.bin', 'data.bin'],
        { cwd: dir },
      );
      return stdout.includes('Verified OK');
    } catch {
      return false;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs the token contract (see `token.port.ts`) against one adapter. */
export function runTokenContract(name: string, make: () => Promise<TokenHarness>): void {
  describe(`Token contract: ${name}`, () => {
    let h: TokenHarness;
    let session: TokenSession | null = null;

    const slot = async (): Promise<TokenSlotInfo> => {
      const found = (await h.provider.listSlots()).find((s) => s.token?.label === h.label);
      expect(found, `a slot with token "${h.label}"`).toBeDefined();
      return found!;
    };
    const openSession = async (): Promise<TokenSession> => {
      session = await h.provider.open((await slot()).id);
      return session;
    };

    beforeEach(async () => {
      h = await make();
      session = null;
    });

    afterEach(async () => {
      await session?.close().catch(() => undefined);
      await h.dispose();
    });

    it('lists the module and a slot holding the token, PIN not locked', async () => {
      const modules = await h.provider.listModules();
      expect(modules.some((m) => m.loaded)).toBe(true);
      const s = await slot();
      expect(s.id).not.toBe('');
      expect(s.token).toMatchObject({ label: h.label, pinLocked: false });
      expect(s.token?.serialNumber).not.toBe('');
    });

    it('lists certificates with CKA_IDs and a Vietnamese subject before login; keys appear after login', async () => {
      const s = await openSession();
      expect(s.loggedIn).toBe(false);
      const before = await s.certificates();
      const rsa = before.find((c) => c.keyId === h.keys.rsa);
      const ec = before.find((c) => c.keyId === h.keys.ec);
      expect(rsa?.algorithm).toBe('rsa');
      expect(ec?.algorithm).toBe('ecdsa-p256');
      expect(rsa?.subject).toContain('CN=Nguyễn Văn An');
      expect(rsa?.subject).toContain('O=UBND xã Hòa Phú');
      expect(rsa!.notAfter.getTime()).toBeGreaterThan(Date.now());
      expect(rsa?.privateKey).not.toBe('missing');
      await s.login(h.pin);
      expect(s.loggedIn).toBe(true);
      const after = await s.certificates();
      expect(after.find((c) => c.keyId === h.keys.rsa)?.privateKey).toBe('found');
      expect(after.find((c) => c.keyId === h.keys.ec)?.privateKey).toBe('found');
    });

    it('signs a SHA-256 digest with the RSA key (PKCS#1 v1.5 over DigestInfo), verified by node and openssl', async () => {
      const s = await openSession();
      await s.login(h.pin);
      const key = await s.signingKey(h.keys.rsa);
      expect(key.algorithm).toBe('rsa');
      expect(key.keyId).toBe(h.keys.rsa);
      expect(key.mechanism).toBe('CKM_RSA_PKCS');
      const data = new TextEncoder().encode('Bản sao điện tử hồ sơ 000.00.00.H00-261204-0001');
      const signature = await key.signDigest(sha256(data));
      expect(signature.length).toBe(256);
      const cert = new X509Certificate(key.certificate);
      expect(verify('sha256', data, cert.publicKey, signature)).toBe(true);
      expect(await opensslVerifies(key.certificate, data, signature)).toBe(true);
      const viaData = await key.signData(data);
      expect(verify('sha256', data, cert.publicKey, viaData)).toBe(true);
    });

    it('signs a SHA-256 digest with the EC key as a DER ECDSA-Sig-Value, verified by node and openssl', async () => {
      const s = await openSession();
      await s.login(h.pin);
      const key = await s.signingKey(h.keys.ec);
      expect(key.algorithm).toBe('ecdsa-p256');
      expect(key.mechanism).toBe('CKM_ECDSA');
      const data = new TextEncoder().encode('Kết quả giải quyết thủ tục hành chính');
      for (let i = 0; i < 5; i += 1) {
        const signature = await key.signDigest(sha256(data));
        expect(signature[0]).toBe(0x30);
        expect(verify('sha256', data, new X509Certificate(key.certificate).publicKey, signature)).toBe(true);
        if (i === 0) expect(await opensslVerifies(key.certificate, data, signature)).toBe(true);
      }
    });

    it('hands out the issuer certificates as the chain', async () => {
      const s = await openSession();
      await s.login(h.pin);
      const key = await s.signingKey(h.keys.rsa);
      if (h.issuerOnToken) {
        expect(key.chain.length).toBeGreaterThanOrEqual(1);
        expect(new X509Certificate(key.certificate).checkIssued(new X509Certificate(key.chain[0]!))).toBe(true);
      }
      const extra = (await s.signingKey(h.keys.rsa, { chain: [key.certificate] })).chain;
      expect(extra.some((c) => Buffer.from(c).equals(Buffer.from(key.certificate)))).toBe(true);
    });

    it('signs a batch of documents in one session', async () => {
      const s = await openSession();
      await s.login(h.pin);
      const key = await s.signingKey(h.keys.rsa);
      const cert = new X509Certificate(key.certificate);
      for (let i = 0; i < 20; i += 1) {
        const data = new TextEncoder().encode(`tài liệu ${i}`);
        expect(verify('sha256', data, cert.publicKey, await key.signDigest(sha256(data)))).toBe(true);
      }
    });

    it('reports a wrong PIN as TOKEN_PIN_INCORRECT and still accepts the right one', async () => {
      const s = await openSession();
      const error = await expectCode(s.login(`${h.pin}9`), 'TOKEN_PIN_INCORRECT');
      expect(error.message).not.toContain(h.pin);
      expect(s.loggedIn).toBe(false);
      const token = (await slot()).token!;
      expect(token.pinCountLow || token.pinFinalTry || token.pinLocked).toBe(true);
      await s.login(h.pin);
      expect(s.loggedIn).toBe(true);
    });

    it('refuses keys before login and after logout or close', async () => {
      const s = await openSession();
      await expectCode(s.signingKey(h.keys.rsa), 'TOKEN_NOT_LOGGED_IN');
      await s.login(h.pin);
      const key = await s.signingKey(h.keys.rsa);
      await s.logout();
      expect(s.loggedIn).toBe(false);
      await expectCode(key.signDigest(sha256(Uint8Array.of(1))), 'TOKEN_NOT_LOGGED_IN');
      await s.login(h.pin);
      const again = await s.signingKey(h.keys.ec);
      await s.close();
      await expectCode(again.signDigest(sha256(Uint8Array.of(1))), 'TOKEN_NOT_LOGGED_IN');
    });

    it('finds keys by CKA_ID only: unknown id is TOKEN_KEY_NOT_FOUND, malformed id and bad digest are RangeError', async () => {
      const s = await openSession();
      await s.login(h.pin);
      await expectCode(s.signingKey('00ff00ff'), 'TOKEN_KEY_NOT_FOUND');
      expect(await rejection(s.signingKey('Nguyễn Văn An'))).toBeInstanceOf(RangeError);
      const key = await s.signingKey(h.keys.rsa.toUpperCase());
      expect(await rejection(key.signDigest(new Uint8Array(20)))).toBeInstanceOf(RangeError);
    });

    it('rejects an unknown slot', async () => {
      const slots = await h.provider.listSlots();
      const empty = slots.find((s) => s.token === null);
      if (empty !== undefined) await expectCode(h.provider.open(empty.id), 'TOKEN_NOT_FOUND');
      expect(await rejection(h.provider.open('no-such-slot'))).toBeInstanceOf(RangeError);
    });

    it('locks the PIN after too many wrong tries, counting down', async (ctx) => {
      if (h.maxPinTries === undefined) return ctx.skip();
      const s = await openSession();
      for (let left = h.maxPinTries - 1; left >= 1; left -= 1) {
        const error = await expectCode(s.login('000000'), 'TOKEN_PIN_INCORRECT');
        expect(error.details).toMatchObject({ triesLeft: left });
      }
      await expectCode(s.login('000000'), 'TOKEN_PIN_LOCKED');
      await expectCode(s.login(h.pin), 'TOKEN_PIN_LOCKED');
      expect((await slot()).token?.pinLocked).toBe(true);
    });

    it('reports a token pulled out mid-batch as TOKEN_REMOVED and notices removal and insertion', async (ctx) => {
      if (h.removeToken === undefined) return ctx.skip();
      const changes: string[] = [];
      const stop = h.provider.watch((c) => changes.push(`${c.kind}:${c.slot.token?.label ?? ''}`), { intervalMs: 20 });
      try {
        const s = await openSession();
        await s.login(h.pin);
        const key = await s.signingKey(h.keys.rsa);
        await new Promise((r) => setTimeout(r, 60));
        await key.signDigest(sha256(Uint8Array.of(1)));
        await h.removeToken();
        await expectCode(key.signDigest(sha256(Uint8Array.of(2))), 'TOKEN_REMOVED');
        expect((await h.provider.listSlots()).some((x) => x.token?.label === h.label)).toBe(false);
        await new Promise((r) => setTimeout(r, 80));
        await h.insertToken?.();
        await new Promise((r) => setTimeout(r, 80));
        expect(changes).toEqual([`removed:${h.label}`, `inserted:${h.label}`]);
        // the old session stays dead; a new one works
        await expectCode(key.signDigest(sha256(Uint8Array.of(3))), 'TOKEN_NOT_LOGGED_IN');
        const fresh = await openSession();
        await fresh.login(h.pin);
        await (await fresh.signingKey(h.keys.rsa)).signDigest(sha256(Uint8Array.of(4)));
      } finally {
        stop();
      }
    });
  });
}
