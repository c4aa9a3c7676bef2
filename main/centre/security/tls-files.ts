import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../common/contract/errors';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../kernel/file-modes';
import { certificateFingerprint, createCentreCa, issueServerCertificate } from './ca';

/**
 * The centre's TLS files (docs/operations.md, "Centre"), in `<centre data>/tls/`:
 * `ca.crt`, `ca.key` (0600), `server.crt`, `server.key` (0600). The CA is made once: every desk's
 * client certificate and every desk's trust hang on it, so replacing it means enrolling every desk
 * again. The server certificate can be renewed (new addresses) under the same CA at any time.
 */
export interface CentreTls {
  caPem: string;
  caKeyPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  /** SHA-256 of the CA certificate's DER, lowercase hex. */
  caFingerprint: string;
}

export const TLS_FILES = {
  ca: 'ca.crt',
  caKey: 'ca.key',
  server: 'server.crt',
  serverKey: 'server.key',
} as const;

/** Makes the CA and the server certificate; refuses to replace an existing CA unless `force`. */
export async function initCentreTls(
  dir: string,
  opts: { hosts: readonly string[]; commonName: string; organization?: string; force?: boolean; now?: number },
): Promise<CentreTls> {
  if (!opts.force && (existsSync(join(dir, TLS_FILES.ca)) || existsSync(join(dir, TLS_FILES.caKey)))) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Đã có CA của trung tâm trong ${dir}. Tạo CA mới thì MỌI máy bàn phải ghép nối lại (chứng thư cũ hết giá trị); ` +
        'nếu thật sự muốn vậy, chạy lại với --force. Để chỉ đổi địa chỉ của máy chủ, dùng gia hạn chứng thư máy chủ.',
    );
  }
  const ca = await createCentreCa({
    commonName: opts.commonName,
    ...(opts.organization === undefined ? {} : { organization: opts.organization }),
    ...(opts.now === undefined ? {} : { now: opts.now }),
  });
  const server = await issueServerCertificate(ca, {
    hosts: opts.hosts,
    ...(opts.now === undefined ? {} : { now: opts.now }),
  });
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // Keys first, server before CA: a crash half-way leaves no CA certificate without its key.
  writeAtomically(join(dir, TLS_FILES.caKey), ca.keyPem, PRIVATE_FILE_MODE);
  writeAtomically(join(dir, TLS_FILES.serverKey), server.keyPem, PRIVATE_FILE_MODE);
  writeAtomically(join(dir, TLS_FILES.server), server.certPem, 0o644);
  writeAtomically(join(dir, TLS_FILES.ca), ca.certPem, 0o644);
  return loadCentreTls(dir);
}

/** Reads and checks the four files: each parses, the keys match their certificates, the chain holds. */
export function loadCentreTls(dir: string): CentreTls {
  const { caPem, caKeyPem, ca } = loadCa(dir);
  const serverCertPem = readPem(dir, TLS_FILES.server);
  const serverKeyPem = readPem(dir, TLS_FILES.serverKey);
  const server = parseCert(dir, TLS_FILES.server, serverCertPem);
  const serverKey = parseKey(dir, TLS_FILES.serverKey, serverKeyPem);
  if (!server.checkPrivateKey(serverKey)) {
    throw corrupt(`${TLS_FILES.serverKey} không phải khóa của ${TLS_FILES.server} trong ${dir}`);
  }
  if (!server.checkIssued(ca) || !server.verify(ca.publicKey)) {
    throw corrupt(`${TLS_FILES.server} không do CA ${TLS_FILES.ca} trong ${dir} cấp; gia hạn chứng thư máy chủ`);
  }
  return { caPem, caKeyPem, serverCertPem, serverKeyPem, caFingerprint: certificateFingerprint(caPem) };
}

/** The CA pair alone (renewing the server certificate needs nothing else). */
function loadCa(dir: string): { caPem: string; caKeyPem: string; ca: X509Certificate } {
  const caPem = readPem(dir, TLS_FILES.ca);
  const caKeyPem = readPem(dir, TLS_FILES.caKey);
  const ca = parseCert(dir, TLS_FILES.ca, caPem);
  const caKey = parseKey(dir, TLS_FILES.caKey, caKeyPem);
  if (!ca.ca) throw corrupt(`${TLS_FILES.ca} trong ${dir} không phải chứng thư CA`);
  if (!ca.checkPrivateKey(caKey)) {
    throw corrupt(`${TLS_FILES.caKey} không phải khóa của ${TLS_FILES.ca} trong ${dir}`);
  }
  return { caPem, caKeyPem, ca };
}

/** A new server certificate (new key) for `hosts`, signed by the existing CA; desks keep working. */
export async function renewServerCertificate(dir: string, hosts: readonly string[], now?: number): Promise<CentreTls> {
  const current = loadCa(dir);
  const server = await issueServerCertificate(
    { certPem: current.caPem, keyPem: current.caKeyPem },
    { hosts, ...(now === undefined ? {} : { now }) },
  );
  writeAtomically(join(dir, TLS_FILES.serverKey), server.keyPem, PRIVATE_FILE_MODE);
  writeAtomically(join(dir, TLS_FILES.server), server.certPem, 0o644);
  return loadCentreTls(dir);
}

function readPem(dir: string, file: string): string {
  const path = join(dir, file);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new AppError(
        'VALIDATION_FAILED',
        `Thiếu tệp ${path}. Chạy "motcua-desk centre init" để tạo chứng thư, hoặc chép lại tệp từ bản sao lưu thư mục tls.`,
      );
    }
    throw new AppError('VALIDATION_FAILED', `Không đọc được tệp ${path} (${code ?? String(err)}).`);
  }
}

function parseCert(dir: string, file: string, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw corrupt(`${join(dir, file)} không phải chứng thư PEM đọc được`);
  }
}

function parseKey(dir: string, file: string, pem: string) {
  try {
    return createPrivateKey(pem);
  } catch {
    throw corrupt(`${join(dir, file)} không phải khóa riêng PEM đọc được`);
  }
}

function corrupt(what: string): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    `Tệp chứng thư của trung tâm bị hỏng: ${what}. Chép lại thư mục tls từ bản sao lưu.`,
  );
}

/** Temp file in the same folder, then rename: a reader sees the old file or the new one, whole. */
function writeAtomically(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}
