import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { systemClock } from '../kernel/clock';
import { keyStoreFor } from '../store/key-store';
import { openStore } from '../store/store';
import type { DeadFilter } from '../store/outbox.repository';
import { SyncService } from '../sync/sync.service';

/**
 * `motcua-desk sync status | retry | export-dead [--json]` for IT staff. Works on the data
 * directory directly (the desk may be running: SQLite handles the two processes). The breaker
 * state shown is what the running engine last stored. A retry here is picked up by the running
 * engine on its next round (within `sync.intervalMs`).
 */
/** Dead letters listed by `sync status` (all of them: `sync export-dead`). */
const DEAD_SHOWN = 20;
const REMOTE_NAMES = { national: 'Cổng DVC quốc gia', provincial: 'Hệ thống của tỉnh', centre: 'Trung tâm Một cửa' };

export async function runSyncCommand(
  args: string[],
  dataDir: string,
  io: { out: (s: string) => void; err: (s: string) => void },
): Promise<number> {
  const [sub, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        json: { type: 'boolean' },
        id: { type: 'string', multiple: true },
        target: { type: 'string' },
        dossier: { type: 'string' },
        all: { type: 'boolean' },
        out: { type: 'string' },
        'with-payload': { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (err) {
    io.err(`Tham số không hợp lệ: ${(err as Error).message}`);
    return 2;
  }
  const filter: DeadFilter = {};
  if (parsed.target !== undefined) {
    if (parsed.target !== 'national' && parsed.target !== 'provincial' && parsed.target !== 'centre') {
      io.err('--target phải là national, provincial hoặc centre.');
      return 2;
    }
    filter.target = parsed.target;
  }
  if (parsed.dossier !== undefined) filter.dossierCode = parsed.dossier;
  if (parsed.id !== undefined) {
    const ids = parsed.id.map(Number);
    if (ids.some((n) => !Number.isInteger(n) || n < 1)) {
      io.err('--id phải là số nguyên dương.');
      return 2;
    }
    filter.ids = ids;
  }
  if (sub !== 'status' && sub !== 'retry' && sub !== 'export-dead') {
    io.err(
      'dùng: sync status [--json] | sync retry (--all | --id N... | --target T | --dossier MÃ) [--json] | sync export-dead [--target T] [--dossier MÃ] [--out tệp.json] [--with-payload] [--json]',
    );
    return 2;
  }

  const store = openStore({ dataDir, keyStore: keyStoreFor() });
  try {
    const service = new SyncService({ store, clock: systemClock });
    switch (sub) {
      case 'status': {
        const report = service.status();
        // Exit 1 while dead letters wait, so monitoring scripts notice them.
        const exitCode = report.counts.dead > 0 ? 1 : 0;
        if (parsed.json) {
          io.out(JSON.stringify(report));
          return exitCode;
        }
        const c = report.counts;
        io.out(
          `Hàng đợi gửi: ${c.pending} chờ gửi, ${c.retrying} đang thử lại, ${c.sent} đã gửi, ${c.dead} lỗi cần xử lý`,
        );
        for (const r of report.remotes) {
          const name = REMOTE_NAMES[r.target];
          const breaker = { closed: 'bình thường', open: 'tạm ngừng gửi', 'half-open': 'đang thử lại kết nối' }[
            r.breaker
          ];
          io.out(
            `${name.padEnd(18)} còn nợ ${r.owed}, lỗi ${r.dead}; cũ nhất ${r.oldestOwedAt ?? '-'}; kết nối: ${breaker}${r.breakerRetryAt ? ` (thử lại lúc ${r.breakerRetryAt})` : ''}${r.breakerError ? ` — ${r.breakerError}` : ''}`,
          );
        }
        io.out(
          `Trạng thái từ tỉnh: ${report.statusFeed.updatedAt ? `cập nhật lúc ${report.statusFeed.updatedAt} (con trỏ ${report.statusFeed.cursor ?? '-'})` : 'chưa nhận lần nào'}`,
        );
        if (report.catalogue) {
          const waiting = report.catalogue.waiting.map((w) => `${w.code} từ ${w.effectiveFrom}`).join(', ');
          io.out(
            `Danh mục TTHC: ${report.catalogue.pulledAt ? `cập nhật lúc ${report.catalogue.pulledAt}` : 'chưa cập nhật lần nào'}; ${report.catalogue.waiting.length} thay đổi chờ hiệu lực${waiting ? ` (${waiting})` : ''}`,
          );
        }
        if (report.lastError) io.out(`Lỗi gần nhất: ${report.lastError}`);
        // Each dead letter with the remote's own code and words (e.g. a dossier the portal refused).
        const shown = service.deadLetters({}, DEAD_SHOWN);
        for (const d of shown) io.out(`  #${d.id} ${d.dossierCode} (${d.errorCode ?? '-'}): ${d.message}`);
        if (c.dead > shown.length) io.out(`  … và ${c.dead - shown.length} bản ghi lỗi khác (xem: sync export-dead)`);
        return exitCode;
      }
      case 'retry': {
        const hasFilter = filter.ids !== undefined || filter.target !== undefined || filter.dossierCode !== undefined;
        if (!hasFilter && !parsed.all) {
          io.err('Chọn bản ghi cần gửi lại: --all, --id N, --target national|provincial|centre hoặc --dossier MÃ.');
          return 2;
        }
        const { revived } = service.retryDead(filter, 'cli');
        if (parsed.json) io.out(JSON.stringify({ revived }));
        else
          io.out(
            revived.length === 0
              ? 'Không có bản ghi lỗi nào phù hợp.'
              : `Đã đưa ${revived.length} bản ghi vào hàng đợi gửi lại: ${revived.join(', ')}.`,
          );
        return 0;
      }
      case 'export-dead': {
        const exported = service.exportDead(filter, { withPayload: parsed['with-payload'] === true });
        const text = JSON.stringify(exported, null, 2);
        if (parsed.out) {
          writeFileSync(parsed.out, `${text}\n`, { mode: 0o600 });
          if (parsed.json) io.out(JSON.stringify({ file: parsed.out, count: exported.count }));
          else io.out(`Đã ghi ${exported.count} bản ghi lỗi vào ${parsed.out}.`);
        } else if (parsed.json) {
          io.out(JSON.stringify(exported));
        } else {
          if (exported.count === 0) io.out('Không có bản ghi lỗi.');
          for (const d of exported.items)
            io.out(
              `#${d.id} ${d.target} ${d.kind} ${d.dossierCode} (${d.attempts} lần, ${d.deadAt ?? '-'}): ${d.message}`,
            );
        }
        return 0;
      }
    }
  } finally {
    store.close();
  }
}
