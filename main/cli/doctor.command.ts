import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../common/contract';
import { loadConfig, type LoadedConfig } from '../core/config';
import { auditSetup, reportAudit } from './doctor-audit';
import type { CheckResult, CheckStatus } from './doctor-check';
import { checkStoreEncryption, type CheckedKeyStore } from './doctor-encryption';
import { checkDataPermissions } from './doctor-permissions';
import { checkDevices } from './doctor-devices';
import { checkDocumentPrinter } from './doctor-printer';
import { checkScanners } from './doctor-scanners';
import { checkNationalPortal } from './doctor-national';
import { checkCentre } from './doctor-centre';
import { createProvincialClient } from '../remotes/provincial/provincial.client';
import { latestVersion, schemaVersion } from '../store/migrate';
import { keyStoreFor } from '../store/key-store';
import { DATABASE_FILE, openStore } from '../store/store';

const LABEL: Record<CheckStatus, string> = { ok: 'OK  ', warn: 'CẢNH', fail: 'LỖI ' };

/**
 * `motcua-desk doctor`: configuration, data folder permissions, store, blob integrity, audit
 * chain, devices (document and ticket printers, scanners, barcode reader, signing token), remotes.
 * Read-mostly: it opens the store (which applies pending migrations) but changes no record.
 * Exit 0 when nothing failed (warnings allowed), 1 otherwise.
 */
export async function runDoctor(
  dataDir: string,
  io: { out: (s: string) => void; json: boolean; platform?: NodeJS.Platform; keyStore?: CheckedKeyStore },
): Promise<number> {
  const results: CheckResult[] = [];
  const add = (name: string, status: CheckStatus, detail: string) => results.push({ name, status, detail });

  let loaded: LoadedConfig | null = null;
  try {
    loaded = loadConfig(dataDir);
    add(
      'config',
      'ok',
      loaded.file
        ? `${loaded.file}${loaded.trainingMode ? ' (chế độ đào tạo)' : ''}`
        : 'không có tệp cấu hình: chế độ đào tạo',
    );
  } catch (err) {
    add('config', 'fail', err instanceof AppError ? err.message : String(err));
  }

  // Before the store is opened, so what is reported is what the folder held.
  checkDataPermissions(dataDir, add, io.platform);
  // Also before: an unencrypted store is reported as found, and opened below without encrypting it.
  const keyStore = io.keyStore ?? keyStoreFor();
  const dbState = checkStoreEncryption(dataDir, keyStore, loaded?.trainingMode ?? false, add);

  const dbFile = join(dataDir, DATABASE_FILE);
  if (!existsSync(dbFile)) {
    add('store', 'warn', `chưa có kho dữ liệu ${dbFile} (ứng dụng chưa chạy lần nào trên máy này)`);
  } else {
    let store: ReturnType<typeof openStore> | null = null;
    try {
      const audit = auditSetup(loaded);
      store = openStore({ dataDir, audit: audit.options, keyStore: dbState === 'plaintext' ? null : keyStore });
      const mode = String(store.db.pragma('journal_mode', { simple: true }));
      const sync = Number(store.db.pragma('synchronous', { simple: true }));
      const integrity = await store.checkIntegrity();
      const dbOk = integrity.database.length === 1 && integrity.database[0] === 'ok';
      add(
        'store',
        dbOk && mode === 'wal' && sync === 2 ? 'ok' : 'fail',
        `${dbFile}: lược đồ ${schemaVersion(store.db)}/${latestVersion()}, journal ${mode}, synchronous ${sync === 2 ? 'FULL' : sync}, integrity ${integrity.database.slice(0, 3).join('; ')}`,
      );
      const b = integrity.blobs;
      add(
        'blobs',
        b.corrupt.length || b.missing.length ? 'fail' : 'ok',
        `${b.checked} tệp đã băm lại` +
          (b.corrupt.length ? `; hỏng: ${b.corrupt.join(', ')}` : '') +
          (b.missing.length ? `; thiếu: ${b.missing.join(', ')}` : ''),
      );
      reportAudit(integrity.audit, integrity.auditAnchors, audit, add);
      const counts = store.outbox.counts();
      add(
        'outbox',
        counts.dead > 0 ? 'warn' : 'ok',
        `chờ ${counts.pending}, thử lại ${counts.retrying}, lỗi ${counts.dead}, đã gửi ${counts.sent}`,
      );
    } catch (err) {
      add('store', 'fail', err instanceof Error ? err.message : String(err));
    } finally {
      store?.close();
    }
  }

  if (loaded) {
    const { trainingMode } = loaded;
    await checkDocumentPrinter(loaded, dataDir, add, io.platform);
    await checkScanners(loaded, add);
    await checkDevices(loaded, add);
    if (trainingMode) {
      add('remotes', 'ok', 'chế độ đào tạo: Cổng DVC quốc gia và hệ thống cấp tỉnh là bản mô phỏng');
    } else {
      await checkRemotes(loaded, add);
    }
  }

  await checkCentre(dataDir, add, { agencyId: loaded?.config.agency.id });

  if (io.json) {
    io.out(JSON.stringify({ healthy: !results.some((r) => r.status === 'fail'), dataDir, checks: results }, null, 2));
  } else {
    io.out(`Kiểm tra máy trạm Một Cửa Desk — thư mục dữ liệu ${dataDir}`);
    for (const r of results) io.out(`[${LABEL[r.status]}] ${r.name.padEnd(24)} ${r.detail}`);
    const failed = results.filter((r) => r.status === 'fail').length;
    io.out(failed ? `Kết luận: ${failed} mục lỗi cần xử lý.` : 'Kết luận: máy trạm hoạt động bình thường.');
  }
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

async function checkRemotes(
  loaded: LoadedConfig,
  add: (name: string, status: CheckStatus, detail: string) => void,
): Promise<void> {
  const { national, provincial } = loaded.config.remotes;
  if (national) await checkNationalPortal({ ...national, agencyCode: loaded.config.agency.id }, process.env, add);
  else add('remote.national', 'fail', 'thiếu remotes.national');
  if (provincial) {
    const secret = process.env[provincial.clientSecretEnv];
    if (!secret)
      add(
        'remote.provincial',
        'fail',
        `biến môi trường ${provincial.clientSecretEnv} (remotes.provincial.clientSecretEnv) chưa được đặt`,
      );
    else {
      const client = createProvincialClient({
        baseUrl: provincial.baseUrl,
        clientId: provincial.clientId,
        clientSecret: secret,
        timeoutMs: 5000,
      });
      try {
        await client.holidayNotices(new Date().getFullYear());
        add('remote.provincial', 'ok', `${provincial.baseUrl}: cấp token và truy vấn được`);
      } catch (err) {
        add('remote.provincial', 'fail', `${provincial.baseUrl}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } else add('remote.provincial', 'fail', 'thiếu remotes.provincial');
}
