import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCore } from './core-support';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'motcua-desk.mjs');

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'motcua-cli-'));
  const t = await startTestCore({ dataDir, fixedNow: '2026-11-20T09:00' });
  await t.session.login();
  const p = await t.session.ok('catalogue.get', { code: '1.004873' });
  await t.session.ok('intake.receive', {
    requestId: randomUUID(),
    procedureCode: p.code,
    channel: 'walk-in',
    applicant: {
      kind: 'citizen',
      idNumber: '001203004567',
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
  await t.dispose();
}, 60_000);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('motcua-desk command line', () => {
  it('doctor reports a healthy training workstation and exits 0', () => {
    const r = cli(['doctor', '--data-dir', dataDir, '--json']);
    expect(r.code, r.out + r.err).toBe(0);
    const report = JSON.parse(r.out) as { healthy: boolean; checks: { name: string; status: string }[] };
    expect(report.healthy).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['config', 'store', 'blobs', 'audit', 'device.documentPrinter', 'remotes']),
    );
    expect(report.checks.find((c) => c.name === 'blobs')?.status).toBe('ok');
  });

  it('doctor finds a corrupted blob and exits 1', () => {
    const copy = mkdtempSync(join(tmpdir(), 'motcua-cli-corrupt-'));
    try {
      spawnSync('cp', ['-a', `${dataDir}/.`, copy]);
      const blobRoot = join(copy, 'blobs');
      const fan = readdirSync(blobRoot).find((d) => d.length === 2)!;
      const name = readdirSync(join(blobRoot, fan))[0]!;
      const file = join(blobRoot, fan, name);
      writeFileSync(file, Buffer.alloc(statSync(file).size, 1));
      const r = cli(['doctor', '--data-dir', copy]);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/\[LỖI \] blobs .*hỏng/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('doctor names the wrong field of a config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-cli-config-'));
    try {
      writeFileSync(
        join(dir, 'motcua-desk.config.json'),
        JSON.stringify({
          agency: { id: 'H56', name: 'UBND xã A', deskSlot: 0 },
          counter: { id: 'Q1', name: 'Quầy 1' },
        }),
      );
      const r = cli(['doctor', '--data-dir', dir]);
      expect(r.code).toBe(1);
      expect(r.out).toContain('agency.id');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('calendar list and due answer in JSON', () => {
    const list = cli(['calendar', 'list', '--year', '2027', '--json', '--data-dir', dataDir]);
    expect(list.code).toBe(0);
    const dates = (JSON.parse(list.out) as { daysOff: { date: string }[] }).daysOff.map((d) => d.date);
    expect(dates).toEqual(
      expect.arrayContaining([
        '2027-01-01',
        '2027-02-06',
        '2027-04-16',
        '2027-04-30',
        '2027-05-01',
        '2027-09-02',
        '2027-11-24',
      ]),
    );
    const due = cli([
      'calendar',
      'due',
      '--received',
      '2026-11-20 16:10',
      '--duration',
      '3',
      '--unit',
      'working-days',
      '--json',
    ]);
    expect(due.code).toBe(0);
    expect(JSON.parse(due.out)).toMatchObject({ due: '2026-11-26T16:10' });
  });

  it('adds a local account whose password comes from the environment, never the command line', () => {
    const add = cli(
      [
        'accounts',
        'add',
        '--data-dir',
        dataDir,
        '--username',
        'hoa.nt',
        '--name',
        'Nguyễn Thị Hoa',
        '--role',
        'officer',
        '--password-env',
        'NEW_PW',
      ],
      { NEW_PW: 'mat-khau-rat-dai' },
    );
    expect(add.code, add.err).toBe(0);
    const list = JSON.parse(cli(['accounts', 'list', '--json', '--data-dir', dataDir]).out) as {
      username: string;
      role: string;
    }[];
    expect(list).toContainEqual(expect.objectContaining({ username: 'hoa.nt', role: 'officer' }));
    expect(
      cli(
        [
          'accounts',
          'add',
          '--data-dir',
          dataDir,
          '--username',
          'x',
          '--name',
          'X',
          '--role',
          'boss',
          '--password-env',
          'NEW_PW',
        ],
        { NEW_PW: 'mat-khau-rat-dai' },
      ).code,
    ).toBe(2);
    expect(
      cli([
        'accounts',
        'add',
        '--data-dir',
        dataDir,
        '--username',
        'y',
        '--name',
        'Y',
        '--role',
        'officer',
        '--password-env',
        'UNSET_PW',
      ]).code,
    ).toBe(2);
  }, 90_000); // four command-line runs, one hashing at scrypt N = 2^17 (docs/architecture.md, "Sign-in")

  it('gives a one-line error and exit 2 for bad commands', () => {
    const r = cli(['calendar', 'due', '--received', 'hôm qua', '--duration', '3', '--unit', 'working-days']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(cli(['frobnicate']).code).toBe(2);
  });
});
