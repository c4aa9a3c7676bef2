import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, verify, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceError } from '../device-error';
import { createTokenProvider } from '../index';
import { candidateModulePaths, findModules, VIETNAMESE_CA_MODULE_NAMES } from './module-search';
import { signP256Digest } from './p256';
import { ckrName, codeForCkr, wrongPin } from './pkcs11-errors';
import { Pkcs11TokenProvider } from './pkcs11-provider';
import { ecdsaRawToDer, sha256DigestInfo } from './signature-format';
import { SimulatedToken, SimulatedTokenProvider } from './simulated-token';
import { createSoftHsmToken, softHsmAvailable, type SoftHsmFixture } from './testing/softhsm-fixture';
import { opensslVerifies, runTokenContract } from './token.contract';

const run = promisify(execFile);
const haveSoftHsm = await softHsmAvailable();
const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());

runTokenContract('simulated twin', async () => {
  const token = new SimulatedToken({ label: 'Token đào tạo', pin: '246810', maxPinTries: 3 });
  const provider = new SimulatedTokenProvider([new SimulatedToken({ label: 'Token khác', present: false }), token]);
  return {
    provider,
    label: token.label,
    pin: '246810',
    keys: { rsa: '5a01', ec: '5a02' },
    issuerOnToken: true,
    maxPinTries: 3,
    removeToken: async () => token.remove(),
    insertToken: async () => token.insert(),
    dispose: () => provider.dispose(),
  };
});

describe.skipIf(!haveSoftHsm)('SoftHSM2 token', () => {
  let fixture: SoftHsmFixture;

  beforeAll(async () => {
    fixture = await createSoftHsmToken({ caOnToken: true });
  }, 120_000);

  afterAll(async () => {
    await fixture?.dispose();
  });

  runTokenContract('PKCS#11 through SoftHSM2', async () => {
    const provider = new Pkcs11TokenProvider({ modules: [fixture.modulePath], search: false, env: fixture.env });
    return {
      provider,
      label: fixture.label,
      pin: fixture.pin,
      keys: { rsa: fixture.keys.rsa.keyId, ec: fixture.keys.ec.keyId },
      issuerOnToken: true,
      dispose: () => provider.dispose(),
    };
  });

  it('issued the fixture certificate for the key generated on the token, with a UTF8String Vietnamese subject', async () => {
    const cert = new X509Certificate(fixture.certPem);
    expect(cert.subject).toContain('CN=Nguyễn Văn An');
    expect(cert.checkIssued(new X509Certificate(fixture.caCertPem))).toBe(true);
    expect(cert.verify(new X509Certificate(fixture.caCertPem).publicKey)).toBe(true);
    const certFile = path.join(fixture.dir, 'subject-check.pem');
    await writeFile(certFile, fixture.certPem);
    const { stdout } = await run('openssl', ['asn1parse', '-in', certFile]);
    expect(stdout).toMatch(/UTF8STRING\s*:Nguyễn Văn An/);
    const objects = await fixture.pkcs11Tool(['--login', '--pin', fixture.pin, '--list-objects']);
    expect(objects).toMatch(/Private Key Object; RSA/);
    expect(objects).toMatch(/Private Key Object; EC/);
  });

  it('finds the configured module first, and a crashing module never takes the caller down', async () => {
    const provider = new Pkcs11TokenProvider({ modules: [fixture.modulePath], search: false, env: fixture.env });
    try {
      const slots = await provider.listSlots();
      const id = slots.find((s) => s.token?.label === fixture.label)!.id;
      const session = await provider.open(id);
      await session.login(fixture.pin);
      const key = await session.signingKey(fixture.keyId);
      const pid = provider.hostPid(fixture.modulePath);
      expect(pid).toBeGreaterThan(0);
      expect(pid).not.toBe(process.pid);
      process.kill(pid!, 'SIGSEGV');
      const error = await key.signDigest(sha256(Uint8Array.of(1))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeviceError);
      expect((error as DeviceError).code).toBe('TOKEN_MODULE_CRASHED');
      // still here, and a fresh session on a fresh host works
      const again = await provider.open(id);
      await again.login(fixture.pin);
      const data = new TextEncoder().encode('sau sự cố');
      const sig = await (await again.signingKey(fixture.keyId)).signDigest(sha256(data));
      expect(await opensslVerifies(key.certificate, data, sig)).toBe(true);
      await again.close();
    } finally {
      await provider.dispose();
    }
  });
});

describe.skipIf(!haveSoftHsm)('SoftHSM2 token removed mid-batch', () => {
  it('reports TOKEN_REMOVED for the next signature and a removal to watchers', async () => {
    const fixture = await createSoftHsmToken({ label: 'Token sẽ bị rút' });
    const provider = new Pkcs11TokenProvider({ modules: [fixture.modulePath], search: false, env: fixture.env });
    const changes: string[] = [];
    const stop = provider.watch((c) => changes.push(`${c.kind}:${c.slot.token?.label ?? ''}`), { intervalMs: 50 });
    try {
      const slot = (await provider.listSlots()).find((s) => s.token?.label === fixture.label)!;
      const session = await provider.open(slot.id);
      await session.login(fixture.pin);
      const key = await session.signingKey(fixture.keyId);
      await key.signDigest(sha256(Uint8Array.of(1)));
      await new Promise((r) => setTimeout(r, 200));
      // SoftHSM2 has no USB plug: deleting the token from under the open session is its removal.
      await run('softhsm2-util', ['--delete-token', '--token', fixture.label], {
        env: { ...process.env, ...fixture.env },
      });
      const error = (await key.signDigest(sha256(Uint8Array.of(2))).catch((e: unknown) => e)) as DeviceError;
      expect(error).toBeInstanceOf(DeviceError);
      expect(error.code).toBe('TOKEN_REMOVED');
      await new Promise((r) => setTimeout(r, 300));
      expect(changes).toContain(`removed:${fixture.label}`);
    } finally {
      stop();
      await provider.dispose();
      await fixture.dispose();
    }
  }, 120_000);
});

describe.skipIf(!haveSoftHsm)('vendor modules that fail', () => {
  let dir: string;
  let aborting: string;
  let hanging: string;
  let notPkcs11: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'motcua-badmodule-'));
    // A module whose every PKCS#11 function aborts the process, as a broken vendor library can.
    await writeFile(
      path.join(dir, 'aborting.c'),
      `#include <stdlib.h>
#include <unistd.h>
typedef unsigned long rv_t;
static rv_t die(void) { abort(); return 0; }
static rv_t hang(void) { for (;;) pause(); return 0; }
struct fl { unsigned char major, minor; void *f[68]; };
static struct fl list;
rv_t C_GetFunctionList(struct fl **out) {
  list.major = 2; list.minor = 40;
  for (int i = 0; i < 68; i++) list.f[i] = (void *)(getenv("MODULE_HANG") ? hang : die);
  *out = &list;
  return 0;
}
`,
    );
    await writeFile(path.join(dir, 'plain.c'), 'int not_a_token(void) { return 1; }\n');
    aborting = path.join(dir, 'libaborting.so');
    hanging = path.join(dir, 'libhanging.so');
    notPkcs11 = path.join(dir, 'libplain.so');
    await run('cc', ['-shared', '-fPIC', '-o', aborting, path.join(dir, 'aborting.c')]);
    await run('cc', ['-shared', '-fPIC', '-o', hanging, path.join(dir, 'aborting.c')]);
    await run('cc', ['-shared', '-fPIC', '-o', notPkcs11, path.join(dir, 'plain.c')]);
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports a module that aborts in C_Initialize as TOKEN_MODULE_CRASHED and keeps running', async () => {
    const provider = new Pkcs11TokenProvider({ modules: [aborting], search: false });
    try {
      const error = await provider.listSlots().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeviceError);
      expect((error as DeviceError).code).toBe('TOKEN_MODULE_CRASHED');
      const modules = await provider.listModules();
      expect(modules).toEqual([
        expect.objectContaining({
          path: aborting,
          loaded: false,
          error: expect.objectContaining({ code: 'TOKEN_MODULE_CRASHED' }),
        }),
      ]);
      expect(process.pid).toBeGreaterThan(0);
    } finally {
      await provider.dispose();
    }
  });

  it('kills a module that hangs after the call timeout', async () => {
    const provider = new Pkcs11TokenProvider({
      modules: [hanging],
      search: false,
      env: { MODULE_HANG: '1' },
      callTimeoutMs: 1500,
    });
    try {
      const error = await provider.listSlots().catch((e: unknown) => e);
      expect((error as DeviceError).code).toBe('TOKEN_MODULE_CRASHED');
      expect((error as DeviceError).message).toMatch(/did not answer/);
    } finally {
      await provider.dispose();
    }
  });

  it('reports a file that is not a PKCS#11 module, or no file, as TOKEN_MODULE_LOAD_FAILED', async () => {
    for (const file of [notPkcs11, path.join(dir, 'missing.so')]) {
      const provider = new Pkcs11TokenProvider({ modules: [file], search: false });
      try {
        const error = await provider.listSlots().catch((e: unknown) => e);
        expect((error as DeviceError).code).toBe('TOKEN_MODULE_LOAD_FAILED');
      } finally {
        await provider.dispose();
      }
    }
  });

  it('lists the slots of the good modules when another one fails', async () => {
    const fixture = await createSoftHsmToken({ label: 'Token thứ hai' });
    const provider = new Pkcs11TokenProvider({
      modules: [aborting, fixture.modulePath],
      search: false,
      env: fixture.env,
    });
    try {
      const slots = await provider.listSlots();
      expect(slots.some((s) => s.token?.label === 'Token thứ hai')).toBe(true);
    } finally {
      await provider.dispose();
      await fixture.dispose();
    }
  }, 120_000);
});

describe('simulated twin specifics', () => {
  it('refuses a bare digest when the token signs only with CKM_SHA256_RSA_PKCS, and signs data instead', async () => {
    const token = new SimulatedToken({
      mechanisms: ['CKM_SHA256_RSA_PKCS'],
      keys: [{ algorithm: 'rsa', keyId: '01' }],
    });
    const session = await new SimulatedTokenProvider([token]).open('sim:1');
    await session.login('123456');
    const key = await session.signingKey('01');
    expect(key.mechanism).toBe('CKM_SHA256_RSA_PKCS');
    const data = new TextEncoder().encode('dữ liệu');
    expect(((await key.signDigest(sha256(data)).catch((e: unknown) => e)) as DeviceError).code).toBe(
      'TOKEN_MECHANISM_UNSUPPORTED',
    );
    expect(verify('sha256', data, new X509Certificate(key.certificate).publicKey, await key.signData(data))).toBe(true);
  });

  it('reports an EC key on a token without CKM_ECDSA, a certificate without its key, and injected faults', async () => {
    const token = new SimulatedToken({
      mechanisms: ['CKM_RSA_PKCS'],
      keys: [
        { algorithm: 'ecdsa-p256', keyId: '02' },
        { algorithm: 'rsa', keyId: '03', withoutPrivateKey: true },
        { algorithm: 'rsa', keyId: '04' },
      ],
    });
    const session = await new SimulatedTokenProvider([token]).open('sim:1');
    await session.login('123456');
    expect(((await session.signingKey('02').catch((e: unknown) => e)) as DeviceError).code).toBe(
      'TOKEN_MECHANISM_UNSUPPORTED',
    );
    expect(((await session.signingKey('03').catch((e: unknown) => e)) as DeviceError).code).toBe('TOKEN_KEY_NOT_FOUND');
    expect((await session.certificates()).find((c) => c.keyId === '03')?.privateKey).toBe('missing');
    const key = await session.signingKey('04');
    token.failNextSign('TOKEN_MECHANISM_UNSUPPORTED');
    expect(((await key.signDigest(sha256(Uint8Array.of(1))).catch((e: unknown) => e)) as DeviceError).code).toBe(
      'TOKEN_MECHANISM_UNSUPPORTED',
    );
    await key.signDigest(sha256(Uint8Array.of(1)));
  });

  it('removes the token after a number of signatures (removal mid-batch)', async () => {
    const token = new SimulatedToken();
    const session = await new SimulatedTokenProvider([token]).open('sim:1');
    await session.login('123456');
    const key = await session.signingKey('5a01');
    token.removeAfterSignatures(3);
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      outcomes.push(
        await key.signDigest(sha256(Uint8Array.of(i))).then(
          () => 'ok',
          (e: DeviceError) => e.code,
        ),
      );
    }
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'TOKEN_REMOVED', 'TOKEN_NOT_LOGGED_IN']);
  });

  it('gives exact tries left and the final-try flag', async () => {
    const token = new SimulatedToken({ maxPinTries: 2 });
    const provider = new SimulatedTokenProvider([token]);
    const session = await provider.open('sim:1');
    const error = (await session.login('999999').catch((e: unknown) => e)) as DeviceError;
    expect(error.details).toEqual({ triesLeft: 1, pinCountLow: true, finalTry: true });
    expect((await provider.listSlots())[0]?.token).toMatchObject({ pinFinalTry: true, pinLocked: false });
    token.unlockPin();
    await session.login('123456');
  });
});

describe('signature formats', () => {
  it('builds the SHA-256 DigestInfo that RSA PKCS#1 v1.5 signs', () => {
    const digest = sha256(new TextEncoder().encode('abc'));
    const info = sha256DigestInfo(digest);
    expect(Buffer.from(info.subarray(0, 19)).toString('hex')).toBe('3031300d060960864801650304020105000420');
    expect(Buffer.from(info.subarray(19)).equals(Buffer.from(digest))).toBe(true);
  });

  it('turns raw r||s into DER, with sign padding and leading zeros stripped', () => {
    const raw = new Uint8Array(64);
    raw[0] = 0x80; // r needs a 0x00 pad
    raw[63] = 0x01; // s = 1: all its leading zeros go
    const der = ecdsaRawToDer(raw);
    expect(Buffer.from(der.subarray(0, 5)).toString('hex')).toBe('3026022100');
    expect(Buffer.from(der.subarray(-3)).toString('hex')).toBe('020101');
    expect(() => ecdsaRawToDer(new Uint8Array(3))).toThrow(RangeError);
  });

  it('signs a digest with P-256 so that node:crypto verifies it', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const data = new TextEncoder().encode('Một Cửa');
    const der = ecdsaRawToDer(signP256Digest(privateKey, sha256(data)));
    expect(verify('sha256', data, publicKey, der)).toBe(true);
  });
});

describe('module search', () => {
  it('knows the Vietnamese CA module names and never the CSP shells', () => {
    expect(VIETNAMESE_CA_MODULE_NAMES).toEqual(
      expect.arrayContaining([
        'vnptca_p11_v6',
        'vnptca_p11_v10',
        'viettel-ca_v1',
        'viettel-ca_v6',
        'viettel-ca_pkcs11',
        'BkavCAv2S',
        'fptca_v4',
        'CA2_csp11',
        'nca_v9',
        'eTPKCS11',
        'ShuttleCsp11_3003',
      ]),
    );
    expect(VIETNAMESE_CA_MODULE_NAMES.some((n) => n.endsWith('_s'))).toBe(false);
    const win = candidateModulePaths('win32', { SystemRoot: 'C:\\Windows' });
    expect(win).toContain('C:\\Windows\\System32\\vnptca_p11_v6.dll');
    expect(candidateModulePaths('linux', {})).toContain('/usr/lib/fptca_v4.so');
    expect(candidateModulePaths('darwin', {}).every((p) => p.endsWith('.dylib'))).toBe(true);
  });

  it('puts configured modules first and lists only modules that exist', () => {
    const present = new Set(['/usr/lib/fptca_v4.so', '/usr/lib/libviettel-ca_v5.so']);
    const found = findModules({
      configured: ['/opt/ca/custom.so', '/usr/lib/fptca_v4.so'],
      platform: 'linux',
      env: {},
      exists: (f) => present.has(f),
    });
    expect(found).toEqual(['/opt/ca/custom.so', '/usr/lib/fptca_v4.so', '/usr/lib/libviettel-ca_v5.so']);
    expect(findModules({ configured: ['/x.so'], search: false, exists: () => true })).toEqual(['/x.so']);
  });
});

describe('createTokenProvider', () => {
  it('gives training mode the simulated token whatever is configured, production the PKCS#11 provider', async () => {
    const training = createTokenProvider('training', { kind: 'pkcs11', modules: ['/nowhere/vnptca_p11_v6.so'] });
    expect(training).toBeInstanceOf(SimulatedTokenProvider);
    expect((await training.listSlots())[0]?.token?.label).toBe('Token đào tạo');
    const production = createTokenProvider('production', { kind: 'pkcs11', modules: [], search: false });
    expect(production).toBeInstanceOf(Pkcs11TokenProvider);
    expect(((await production.listSlots().catch((e: unknown) => e)) as DeviceError).code).toBe('TOKEN_NOT_FOUND');
    await production.dispose();
  });
});

describe('PKCS#11 error mapping', () => {
  it('reads the CKR name from a pkcs11js error', () => {
    expect(ckrName(new Error('CKR_PIN_INCORRECT:160'))).toBe('CKR_PIN_INCORRECT');
    expect(ckrName(new Error('dlopen failed'))).toBeNull();
  });

  it('maps return values to codes', () => {
    expect(codeForCkr('CKR_DEVICE_REMOVED')).toBe('TOKEN_REMOVED');
    expect(codeForCkr('CKR_TOKEN_NOT_PRESENT')).toBe('TOKEN_REMOVED');
    expect(codeForCkr('CKR_SESSION_HANDLE_INVALID')).toBe('TOKEN_REMOVED');
    expect(codeForCkr('CKR_PIN_LOCKED')).toBe('TOKEN_PIN_LOCKED');
    expect(codeForCkr('CKR_USER_NOT_LOGGED_IN')).toBe('TOKEN_NOT_LOGGED_IN');
    expect(codeForCkr('CKR_MECHANISM_INVALID')).toBe('TOKEN_MECHANISM_UNSUPPORTED');
    expect(codeForCkr('CKR_GENERAL_ERROR')).toBe('DEVICE_UNAVAILABLE');
  });

  it('reads tries left from the token flags after a wrong PIN', () => {
    expect(wrongPin(0)).toEqual({ code: 'TOKEN_PIN_INCORRECT', details: {} });
    expect(wrongPin(0x10000)).toEqual({ code: 'TOKEN_PIN_INCORRECT', details: { pinCountLow: true } });
    expect(wrongPin(0x20000 | 0x10000)).toEqual({
      code: 'TOKEN_PIN_INCORRECT',
      details: { triesLeft: 1, pinCountLow: true },
    });
    expect(wrongPin(0x40000).code).toBe('TOKEN_PIN_LOCKED');
  });
});
