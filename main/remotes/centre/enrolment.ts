import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../../common/contract/errors';
import { systemClock, type Clock } from '../../kernel/clock';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../kernel/file-modes';
import { silentLogger, type Logger } from '../../kernel/logger';
import { centreRefusal, centreUrl, parseCentreAnswer } from './centre.client';
import { checkIssued, postTrusting, presentedCa } from './enrolment-tls';
import { CENTRE_API, EnrolAnswer } from './wire-centre';
import { caMatchesCheck, formatPairingCode, parsePairingCode } from './wire-pairing';

/**
 * Joining a desk to a centre (docs/architecture.md, "Centre"). IT types the URL and the desk's
 * pairing code `XXXX-XXXX-FFFF-FFFF`; the second half is a check of the centre's CA. The desk:
 * 1. reads the CA the server presents (a first TLS connection that trusts nothing and sends nothing)
 *    and refuses unless it matches the code's check: a machine in the middle never sees the code;
 * 2. makes an ECDSA P-256 key pair (the private key never leaves the desk);
 * 3. `POST /api/v1/enrol` over a connection that trusts only that CA;
 * 4. keeps under `<desk data>/centre/`: `ca.crt`, `desk.key` (0600), `desk.crt`, `centre.json`,
 *    each written to a temporary file and renamed; `centre.json` last, so a half-written enrolment
 *    is never taken for one.
 */
export const CENTRE_FILES = {
  dir: 'centre',
  ca: 'ca.crt',
  key: 'desk.key',
  cert: 'desk.crt',
  info: 'centre.json',
} as const;

export const EnrolmentInfo = z.object({
  url: z.string().min(1),
  deviceId: z.string().min(1),
  name: z.string(),
  counter: z.string().nullable(),
  deskSlot: z.number().int().min(0).max(9).nullable(),
  agencyId: z.string().min(1),
  centreId: z.string().min(1),
  agencyName: z.string(),
  enrolledAt: z.string().min(1),
});
export type EnrolmentInfo = z.infer<typeof EnrolmentInfo>;

export interface Enrolment extends EnrolmentInfo {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** The desk certificate's end of validity, ISO. */
  certificateExpiresAt: string;
}

export interface JoinOptions {
  url: string;
  code: string;
  /** The desk's data folder; the files go to `<dir>/centre/`. */
  dir: string;
  log?: Logger;
  force?: boolean;
  timeoutMs?: number;
  clock?: Clock;
}

export function centreDirOf(dataDir: string): string {
  return join(dataDir, CENTRE_FILES.dir);
}

export function isEnrolled(dataDir: string): boolean {
  return existsSync(join(centreDirOf(dataDir), CENTRE_FILES.info));
}

export async function joinCentre(opts: JoinOptions): Promise<Enrolment> {
  const log = opts.log ?? silentLogger;
  const clock = opts.clock ?? systemClock;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const parsed = parsePairingCode(opts.code);
  if (parsed.caCheck === null) {
    throw new AppError(
      'CENTRE_PAIRING_INVALID',
      'Mã ghép nối của máy bàn có 16 ký tự (XXXX-XXXX-XXXX-XXXX); mã 8 ký tự dùng cho ki-ốt, màn hình và máy đánh giá.',
    );
  }
  const url = centreUrl(opts.url);
  if (isEnrolled(opts.dir) && !opts.force) {
    const current = readInfoOrNull(opts.dir);
    throw new AppError(
      'CONFLICT',
      `Máy này đã ghép nối với trung tâm${current ? ` ${current.url} (máy "${current.name}")` : ''}. ` +
        'Chạy "motcua-desk centre leave" trước, hoặc dùng --force để ghép nối lại.',
    );
  }
  const origin = url.origin;
  log.log('info', 'centre.join.started', { url: origin });

  const caPem = await presentedCa(url, timeoutMs);
  if (!caMatchesCheck(caPem, parsed.caCheck)) {
    log.log('warn', 'centre.join.ca-mismatch', { url: origin });
    throw new AppError(
      'CENTRE_PAIRING_INVALID',
      `Máy chủ tại ${origin} không xuất trình chứng thư CA của trung tâm đã cấp mã này: kiểm tra lại địa chỉ và mã. ` +
        'Không có gì được gửi đi hay lưu lại.',
    );
  }

  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const what = `${CENTRE_API}/enrol`;
  const body = JSON.stringify({ code: formatPairingCode(parsed.secret, parsed.caCheck), publicKeyPem });
  const answer = await postTrusting(url, what, body, caPem, clock, timeoutMs);
  if (answer.status < 200 || answer.status >= 300) {
    const refusal = centreRefusal(answer.status, answer.text, what);
    log.log('warn', 'centre.join.refused', { url: origin, status: answer.status, code: refusal.code });
    throw refusal;
  }
  const enrolled = parseCentreAnswer(answer.text, EnrolAnswer, what, answer.status);
  checkIssued(enrolled.certificatePem, caPem, publicKey, enrolled.caPem);

  const info: EnrolmentInfo = {
    url: origin,
    deviceId: enrolled.device.id,
    name: enrolled.device.name,
    counter: enrolled.device.counter,
    deskSlot: enrolled.device.deskSlot,
    agencyId: enrolled.device.agencyId,
    centreId: enrolled.centre.centreId,
    agencyName: enrolled.centre.agencyName,
    enrolledAt: new Date(clock.now()).toISOString(),
  };
  saveEnrolment(opts.dir, { caPem, certPem: enrolled.certificatePem, keyPem, info });
  log.log('info', 'centre.join.done', { url: origin, device: info.deviceId, counter: info.counter });
  return loadEnrolment(opts.dir);
}

/** The saved enrolment, checked: every file there, parsing, the key matching the certificate. */
export function loadEnrolment(dataDir: string): Enrolment {
  const dir = centreDirOf(dataDir);
  const infoFile = join(dir, CENTRE_FILES.info);
  if (!existsSync(infoFile)) {
    throw new AppError(
      'CENTRE_NOT_ENROLLED',
      'Máy này chưa ghép nối với trung tâm. Chạy: motcua-desk centre join --url https://ĐỊA_CHỈ:8443 --code MÃ',
    );
  }
  const info = readInfo(infoFile);
  const caPem = readText(dir, CENTRE_FILES.ca);
  const certPem = readText(dir, CENTRE_FILES.cert);
  const keyPem = readText(dir, CENTRE_FILES.key);
  const ca = parseCertificate(dir, CENTRE_FILES.ca, caPem);
  const cert = parseCertificate(dir, CENTRE_FILES.cert, certPem);
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw corrupt(dir, CENTRE_FILES.key, 'không đọc được khóa riêng');
  }
  if (!cert.checkPrivateKey(key)) throw corrupt(dir, CENTRE_FILES.key, `không phải khóa của ${CENTRE_FILES.cert}`);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
    throw corrupt(dir, CENTRE_FILES.cert, `không do CA trong ${CENTRE_FILES.ca} cấp`);
  }
  return { ...info, caPem, certPem, keyPem, certificateExpiresAt: new Date(cert.validTo).toISOString() };
}

/** Removes the local enrolment; returns what it was (null: there was none). */
export function leaveCentre(dataDir: string): EnrolmentInfo | null {
  const dir = centreDirOf(dataDir);
  const info = readInfoOrNull(dataDir);
  const any = Object.values(CENTRE_FILES).some((f) => f !== CENTRE_FILES.dir && existsSync(join(dir, f)));
  // centre.json first: from here on the desk is not enrolled even if a later removal fails.
  for (const f of [CENTRE_FILES.info, CENTRE_FILES.key, CENTRE_FILES.cert, CENTRE_FILES.ca]) {
    rmSync(join(dir, f), { force: true });
  }
  return info ?? (any ? { ...UNKNOWN_INFO } : null);
}

const UNKNOWN_INFO: EnrolmentInfo = {
  url: '',
  deviceId: '',
  name: '',
  counter: null,
  deskSlot: null,
  agencyId: '',
  centreId: '',
  agencyName: '',
  enrolledAt: '',
};

function saveEnrolment(
  dataDir: string,
  p: { caPem: string; certPem: string; keyPem: string; info: EnrolmentInfo },
): void {
  const dir = centreDirOf(dataDir);
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // A re-join (--force) is not enrolled while the new files are written.
  rmSync(join(dir, CENTRE_FILES.info), { force: true });
  writeAtomically(join(dir, CENTRE_FILES.key), p.keyPem, PRIVATE_FILE_MODE);
  writeAtomically(join(dir, CENTRE_FILES.cert), p.certPem, 0o644);
  writeAtomically(join(dir, CENTRE_FILES.ca), p.caPem, 0o644);
  writeAtomically(join(dir, CENTRE_FILES.info), `${JSON.stringify(p.info, null, 2)}\n`, 0o644);
}

function writeAtomically(file: string, text: string, mode: number): void {
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, text, { mode, flag: 'wx' });
    chmodSync(temp, mode);
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

function readInfo(file: string): EnrolmentInfo {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw corrupt(join(file, '..'), CENTRE_FILES.info, 'không đọc được (không phải JSON)');
  }
  const parsed = EnrolmentInfo.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(gốc)').slice(0, 5);
    throw corrupt(join(file, '..'), CENTRE_FILES.info, `thiếu hoặc sai trường ${fields.join(', ')}`);
  }
  return parsed.data;
}

function readInfoOrNull(dataDir: string): EnrolmentInfo | null {
  try {
    return readInfo(join(centreDirOf(dataDir), CENTRE_FILES.info));
  } catch {
    return null;
  }
}

function readText(dir: string, name: string): string {
  try {
    return readFileSync(join(dir, name), 'utf8');
  } catch {
    throw corrupt(dir, name, 'không có tệp này');
  }
}

function parseCertificate(dir: string, name: string, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw corrupt(dir, name, 'không đọc được chứng thư');
  }
}

function corrupt(dir: string, name: string, why: string): AppError {
  return new AppError(
    'CONFIG_INVALID',
    `Tệp ghép nối trung tâm ${join(dir, name)} hỏng: ${why}. Chạy "motcua-desk centre join … --force" để ghép nối lại.`,
  );
}
