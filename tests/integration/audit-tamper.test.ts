import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../main/cli/doctor.command';
import { auditHash, GENESIS_HASH } from '../../main/store/audit.repository';
import { keyStoreFor } from '../../main/store/key-store';
import { DATABASE_FILE } from '../../main/store/store';
import { applyKey, databaseFileState } from '../../main/store/store-encryption';
import { startTestCore } from './core-support';

/**
 * The audit chain findings end to end (docs/operations.md, "Audit chain"): a real core writes the
 * chain and its checkpoints, a second SQLite connection rewrites or cuts the file as someone with
 * the file but without the key would, and `doctor` must fail with a Vietnamese line.
 */
interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

let parent: string;
let dataDir: string;
const savedKeyDir = process.env.MOTCUA_KEY_DIR;

async function doctor(): Promise<{ code: number; checks: Check[]; text: string }> {
  const out: string[] = [];
  const code = await runDoctor(dataDir, { out: (s) => out.push(s), json: true });
  const checks = (JSON.parse(out.join('\n')) as { checks: Check[] }).checks;
  const textOut: string[] = [];
  await runDoctor(dataDir, { out: (s) => textOut.push(s), json: false });
  return { code, checks, text: textOut.join('\n') };
}
const check = (checks: Check[], name: string): Check | undefined => checks.find((c) => c.name === name);

/** A day at the desk: sign-ins and two received dossiers, then a clean shutdown. */
async function workAndStop(): Promise<void> {
  const t = await startTestCore({ dataDir, fixedNow: '2026-12-07T08:00' });
  try {
    await t.session.login();
    const p = await t.session.ok('catalogue.get', { code: '1.004873' });
    for (const idNumber of ['001203004567', '001203004568']) {
      await t.session.ok('intake.receive', {
        requestId: randomUUID(),
        procedureCode: p.code,
        channel: 'walk-in',
        applicant: {
          kind: 'citizen',
          idNumber,
          fullName: 'Nguyễn Văn Dũng',
          oldIdNumber: null,
          birthDate: null,
          sex: null,
          address: null,
          idIssueDate: null,
          phone: null,
          email: null,
        },
        components: p.components.map((c) => ({ componentCode: c.code, originals: 1, copies: 0, source: 'paper' })),
      });
    }
  } finally {
    await t.dispose();
  }
}

/**
 * The attacker's own connection. The store is encrypted at rest, so this attacker also holds the
 * `database` key (the desk's user, an administrator); the `audit` key is what they must not have.
 */
function withSecondConnection(fn: (db: Database.Database) => void): void {
  const file = join(dataDir, DATABASE_FILE);
  const encrypted = databaseFileState(file) === 'encrypted';
  const db = new Database(file);
  try {
    if (encrypted) {
      const key = keyStoreFor().read('database');
      if (!key) throw new Error('the encrypted store has no database key');
      applyKey(db, key);
    }
    fn(db);
  } finally {
    db.close();
  }
}

beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'motcua-audit-'));
  dataDir = join(parent, 'data');
  process.env.MOTCUA_KEY_DIR = join(parent, 'keys');
});
afterEach(() => {
  process.env.MOTCUA_KEY_DIR = savedKeyDir;
  rmSync(parent, { recursive: true, force: true });
});

describe('audit chain: doctor catches a rewrite or a truncation of the store file', () => {
  it("reports an intact chain and the last checkpoint's date after a working day", async () => {
    await workAndStop();
    const { code, checks } = await doctor();
    expect(code).toBe(0);
    expect(check(checks, 'audit')).toMatchObject({ status: 'ok' });
    expect(check(checks, 'audit.checkpoints')?.status).toBe('ok');
    expect(check(checks, 'audit.checkpoints')?.detail).toMatch(/^điểm neo cuối ngày 2026-12-07 08:0\d/);
    // Outside the data folder, beside the key folder.
    expect(readdirSync(join(parent, 'motcua-desk-audit'))).toHaveLength(1);
  });

  it('fails when a row is edited and every later hash recomputed with sha256', async () => {
    await workAndStop();
    withSecondConnection((db) => {
      db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
      const rows = db
        .prepare<
          [],
          {
            id: number;
            at: string;
            actor: string;
            action: string;
            entity: string;
            entity_id: string | null;
            details_json: string;
          }
        >('SELECT * FROM audit_log ORDER BY id')
        .all();
      let prev = GENESIS_HASH;
      for (const r of rows) {
        const actor = r.id === 2 ? 'nguoi-khac' : r.actor;
        const hash = auditHash(prev, {
          id: r.id,
          at: r.at,
          actor,
          action: r.action,
          entity: r.entity,
          entityId: r.entity_id,
          detailsJson: r.details_json,
        });
        db.prepare('UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?').run(actor, prev, hash, r.id);
        prev = hash;
      }
    });
    const { code, checks, text } = await doctor();
    expect(code).toBe(1);
    expect(check(checks, 'audit')).toMatchObject({ status: 'fail' });
    expect(check(checks, 'audit')?.detail).toContain('không khớp mã HMAC');
    expect(text).toMatch(/\[LỖI \] audit +chuỗi nhật ký bị phá ở mục 1/);
  });

  it('fails when the newest rows are deleted', async () => {
    await workAndStop();
    let before = 0;
    withSecondConnection((db) => {
      before = db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
      db.exec('DROP TRIGGER audit_log_no_delete');
      db.prepare('DELETE FROM audit_log WHERE id > ?').run(before - 2);
    });
    const { code, checks } = await doctor();
    expect(code).toBe(1);
    // What is left is a valid chain: only the checkpoints outside show the cut.
    expect(check(checks, 'audit')?.status).toBe('ok');
    expect(check(checks, 'audit.checkpoints')).toMatchObject({ status: 'fail' });
    expect(check(checks, 'audit.checkpoints')?.detail).toContain(`thiếu các mục mới nhất: kho còn ${before - 2} mục`);
  });

  it('fails when a checkpoint file is edited', async () => {
    await workAndStop();
    const chainDir = join(parent, 'motcua-desk-audit', readdirSync(join(parent, 'motcua-desk-audit'))[0]);
    const file = join(chainDir, '2026-12-07.jsonl');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]) as { count: number; id: number };
    lines[lines.length - 1] = JSON.stringify({ ...last, count: last.count + 5, id: last.id + 5 });
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { code, checks } = await doctor();
    expect(code).toBe(1);
    expect(check(checks, 'audit.checkpoints')?.detail).toContain(
      `điểm neo ${file} dòng ${lines.length} sai chữ ký HMAC`,
    );
  });

  it('fails, saying the chain cannot be verified, when the audit key is missing', async () => {
    await workAndStop();
    unlinkSync(join(parent, 'keys', 'audit.key'));
    const { code, checks } = await doctor();
    expect(code).toBe(1);
    expect(check(checks, 'audit')).toMatchObject({ status: 'fail' });
    expect(check(checks, 'audit')?.detail).toMatch(/^KHÔNG KIỂM ĐƯỢC chuỗi nhật ký: thiếu khoá nhật ký/);
  });
});
