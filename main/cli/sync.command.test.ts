import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/store';
import { tempDir } from '../store/testing/store-fixtures';
import { guardClosedPipes, main } from './cli';

const CODE = '000.00.12.H56-250715-0001';

function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  return main(args, {
    out: (s) => {
      out.push(s);
      return true;
    },
    err: (s) => {
      err.push(s);
      return true;
    },
  }).then((code) => ({ code, out: out.join('\n'), err: err.join('\n') }));
}

describe('motcua-desk sync status | retry | export-dead', () => {
  let temp: ReturnType<typeof tempDir>;
  const ids: number[] = [];

  beforeEach(() => {
    temp = tempDir('motcua-cli-sync-');
    ids.length = 0;
    const store = openStore({ dataDir: temp.dir });
    const add = (
      target: 'national' | 'provincial',
      kind: 'dossier.upsert' | 'dossier.progress' | 'dossier.handoff',
      key: string,
    ) =>
      store.outbox.enqueue({
        target,
        kind,
        dossierCode: CODE,
        idempotencyKey: key,
        payload: { dossier: { MaHoSo: CODE, SoDinhDanh: '001203004567' } },
        now: 1_750_000_000_000,
      }).id;
    ids.push(
      add('national', 'dossier.upsert', 'k1'),
      add('national', 'dossier.progress', 'k2'),
      add('provincial', 'dossier.handoff', 'k3'),
      add('provincial', 'dossier.handoff', 'k4'),
    );
    store.outbox.markSent(ids[0]!, 1_750_000_001_000, CODE);
    store.outbox.markDead(
      ids[1]!,
      'CapNhatTienDoHoSoMC rejected: Hồ sơ chưa được đồng bộ',
      'rejected',
      'REMOTE_REJECTED',
      1_750_000_002_000,
    );
    store.outbox.markDead(
      ids[2]!,
      'gave up after 12 attempts: REMOTE_TIMEOUT: x',
      'exhausted',
      'REMOTE_TIMEOUT',
      1_750_000_003_000,
    );
    store.syncState.saveHealth({
      remote: 'provincial',
      breakerState: 'open',
      openedAt: 1_750_000_000_000,
      retryAt: 1_750_000_030_000,
      lastError: 'REMOTE_UNAVAILABLE: connection refused',
      updatedAt: 1,
    });
    store.close();
  });
  afterEach(() => temp.cleanup());

  it('status reports counts, remotes and the stored breaker, and exits 1 while dead letters exist', async () => {
    const r = await run(['sync', 'status', '--json', '--data-dir', temp.dir]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as {
      counts: Record<string, number>;
      remotes: { target: string; owed: number; dead: number; breaker: string; breakerError: string | null }[];
    };
    expect(report.counts).toEqual({ pending: 1, retrying: 0, sent: 1, dead: 2 });
    expect(report.remotes).toEqual([
      expect.objectContaining({ target: 'national', owed: 0, dead: 1, breaker: 'closed' }),
      expect.objectContaining({
        target: 'provincial',
        owed: 1,
        dead: 1,
        breaker: 'open',
        breakerError: 'REMOTE_UNAVAILABLE: connection refused',
      }),
    ]);
    const text = await run(['sync', 'status', '--data-dir', temp.dir]);
    expect(text.out).toMatch(/1 chờ gửi, 0 đang thử lại, 1 đã gửi, 2 lỗi cần xử lý/);
    expect(text.out).toMatch(/Hệ thống của tỉnh .*tạm ngừng gửi/);
  });

  it('status counts an enrolled desk’s centre rows and its breaker; retry takes --target centre', async () => {
    const store = openStore({ dataDir: temp.dir });
    store.outbox.replicateToCentre({ deviceId: 'dev-1', centreId: 'c-1' });
    const entry = {
      kind: 'dossier.status',
      at: 1,
      payload: { code: CODE, status: 5, at: '2026-12-08T10:00', officer: 'x' },
    };
    const owed = store.outbox.enqueueCentre(entry, CODE, 1_750_000_000_000)!.id;
    const dead = store.outbox.enqueueCentre(entry, 'document:L:1', 1_750_000_000_000)!.id;
    store.outbox.markDead(
      dead,
      'centre rejected: Hồ sơ không thuộc cơ quan',
      'rejected',
      'FORBIDDEN',
      1_750_000_004_000,
    );
    store.syncState.saveHealth({
      remote: 'centre',
      breakerState: 'open',
      openedAt: 1,
      retryAt: 1_750_000_030_000,
      lastError: 'CENTRE_DEVICE_REVOKED: Máy đã bị thu hồi',
      updatedAt: 1,
    });
    store.close();
    const r = await run(['sync', 'status', '--json', '--data-dir', temp.dir]);
    const report = JSON.parse(r.out) as { remotes: { target: string; owed: number; dead: number; breaker: string }[] };
    expect(report.remotes.find((x) => x.target === 'centre')).toEqual(
      expect.objectContaining({ owed: 1, dead: 1, breaker: 'open' }),
    );
    const text = await run(['sync', 'status', '--data-dir', temp.dir]);
    expect(text.out).toMatch(/Trung tâm Một cửa .*còn nợ 1, lỗi 1.*tạm ngừng gửi.*CENTRE_DEVICE_REVOKED/);
    expect(text.out).toContain(
      `#${dead} document:L:1 (FORBIDDEN): Trung tâm Một cửa từ chối dữ liệu ngày làm việc của giấy tờ L:1`,
    );
    const retried = await run(['sync', 'retry', '--target', 'centre', '--json', '--data-dir', temp.dir]);
    expect(JSON.parse(retried.out)).toEqual({ revived: [dead] });
    expect(owed).toBeLessThan(dead);
    const wrong = await run(['sync', 'retry', '--target', 'mars', '--data-dir', temp.dir]);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('national, provincial hoặc centre');
  });

  it('export-dead explains each dead letter in Vietnamese; payloads only on request', async () => {
    const r = await run(['sync', 'export-dead', '--json', '--data-dir', temp.dir]);
    expect(r.code).toBe(0);
    const exported = JSON.parse(r.out) as {
      count: number;
      items: { id: number; reason: string; message: string; payload?: unknown }[];
    };
    expect(exported.count).toBe(2);
    expect(exported.items.map((i) => [i.id, i.reason])).toEqual([
      [ids[1], 'rejected'],
      [ids[2], 'exhausted'],
    ]);
    expect(exported.items[0]!.message).toBe(
      `Cổng Dịch vụ công quốc gia từ chối tiến độ xử lý của hồ sơ ${CODE}: "Hồ sơ chưa được đồng bộ". Kiểm tra, sửa thông tin hồ sơ rồi bấm "Gửi lại".`,
    );
    expect(exported.items[1]!.message).toMatch(
      /^Đã thử gửi bàn giao hồ sơ .* tới Hệ thống giải quyết thủ tục hành chính của tỉnh 1 lần nhưng không thành công \(không phản hồi kịp thời\)/u,
    );
    expect(exported.items[0]!.payload).toBeUndefined();
    expect(r.out).not.toContain('001203004567');

    const file = join(temp.dir, 'dead.json');
    const w = await run([
      'sync',
      'export-dead',
      '--target',
      'provincial',
      '--with-payload',
      '--out',
      file,
      '--data-dir',
      temp.dir,
    ]);
    expect(w.out).toMatch(/Đã ghi 1 bản ghi lỗi/);
    const written = JSON.parse(readFileSync(file, 'utf8')) as { items: { payload: unknown }[] };
    expect(written.items[0]!.payload).toEqual({ dossier: { MaHoSo: CODE, SoDinhDanh: '001203004567' } });
  });

  it('retry revives what is named (attempts reset, audited) and refuses to guess', async () => {
    expect((await run(['sync', 'retry', '--data-dir', temp.dir])).code).toBe(2);
    expect((await run(['sync', 'retry', '--target', 'moon', '--data-dir', temp.dir])).code).toBe(2);
    const one = await run(['sync', 'retry', '--id', String(ids[2]), '--json', '--data-dir', temp.dir]);
    expect(JSON.parse(one.out)).toEqual({ revived: [ids[2]] });
    const all = await run(['sync', 'retry', '--all', '--data-dir', temp.dir]);
    expect(all.out).toBe(`Đã đưa 1 bản ghi vào hàng đợi gửi lại: ${ids[1]}.`);
    const store = openStore({ dataDir: temp.dir });
    try {
      expect(store.outbox.get(ids[1]!)).toMatchObject({ status: 'retrying', attempts: 0, deadReason: null });
      expect(store.outbox.counts().dead).toBe(0);
      expect(
        store.db
          .prepare("SELECT count(*) FROM audit_log WHERE action = 'sync.retry-dead' AND actor = 'cli'")
          .pluck()
          .get(),
      ).toBe(2);
    } finally {
      store.close();
    }
    expect((await run(['sync', 'retry', '--all', '--data-dir', temp.dir])).out).toBe(
      'Không có bản ghi lỗi nào phù hợp.',
    );
  });

  it('status shows when the catalogue was pulled and the procedure versions waiting for their date', async () => {
    const store = openStore({ dataDir: temp.dir });
    try {
      const procedure = {
        code: '2.000635',
        name: 'Cấp bản sao trích lục',
        sectorCode: 'HO-TICH',
        sectorName: 'Hộ tịch',
        level: 'Cấp xã',
        agencyName: 'UBND xã',
        resultName: 'Bản sao',
        resultCode: null,
        cutoff: null,
        components: [],
        channels: [],
        effectiveFrom: '2026-03-01',
      };
      store.referenceData.recordChange({
        procedure,
        active: true,
        remoteUpdatedAt: '2026-01-10T08:00:00',
        source: 'national',
        pulledAt: 1,
        appliedAt: null,
      });
      store.syncState.saveCursor({
        remote: 'national',
        stream: 'catalogue',
        feedId: null,
        cursor: '2026-01-10T08:00:00',
        updatedAt: 1_750_000_000_000,
      });
    } finally {
      store.close();
    }
    const json = JSON.parse((await run(['sync', 'status', '--json', '--data-dir', temp.dir])).out) as {
      catalogue: { waiting: unknown[] };
    };
    expect(json.catalogue.waiting).toEqual([{ code: '2.000635', effectiveFrom: '2026-03-01' }]);
    expect((await run(['sync', 'status', '--data-dir', temp.dir])).out).toMatch(
      /Danh mục TTHC: cập nhật lúc .*; 1 thay đổi chờ hiệu lực \(2\.000635 từ 2026-03-01\)/,
    );
  });

  it('is reachable through the motcua-desk binary', () => {
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'motcua-desk.mjs');
    const r = spawnSync(process.execPath, [bin, 'sync', 'status', '--json', '--data-dir', temp.dir], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ counts: { dead: 2 } });
  }, 60_000);

  it('status lists each dead letter with its code and the remote’s own words', async () => {
    const text = (await run(['sync', 'status', '--data-dir', temp.dir])).out;
    expect(text).toContain(
      `#${ids[1]} ${CODE} (REMOTE_REJECTED): Cổng Dịch vụ công quốc gia từ chối tiến độ xử lý của hồ sơ ${CODE}: "Hồ sơ chưa được đồng bộ"`,
    );
    expect(text).toContain(`#${ids[2]} ${CODE} (REMOTE_TIMEOUT)`);
  });

  it('piped to a reader that has gone (`sync status | head`), it stops quietly instead of crashing on EPIPE', async () => {
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'motcua-desk.mjs');
    // Enough dead letters that the output does not fit in what was written before the reader left.
    const store = openStore({ dataDir: temp.dir });
    for (let i = 0; i < 30; i++) {
      const id = store.outbox.enqueue({
        target: 'national',
        kind: 'dossier.upsert',
        dossierCode: `${CODE}-${i}`,
        idempotencyKey: `more-${i}`,
        payload: {},
        now: 1,
      }).id;
      store.outbox.markDead(
        id,
        'DongBoHoSoMC rejected: [error_code -3] MaTTHC không hợp lệ',
        'rejected',
        'REMOTE_REJECTED',
        2,
      );
    }
    store.close();
    const child = spawn(process.execPath, [bin, 'sync', 'status', '--data-dir', temp.dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader goes away before the command writes anything.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|Error/);
    expect(code).toBe(0);
  }, 60_000);

  it('the pipe guard exits quietly on EPIPE and lets other stream errors through', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    const exits: number[] = [];
    guardClosedPipes([stream], (c) => exits.push(c));
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(exits).toEqual([0]);
    expect(() => stream.emit('error', Object.assign(new Error('disk full'), { code: 'ENOSPC' }))).toThrow('disk full');
  });
});
