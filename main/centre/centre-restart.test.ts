import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCentreCommand } from '../cli/centre.command';
import { systemClock } from '../kernel/clock';
import { silentLogger } from '../kernel/logger';
import { repoRoot } from '../kernel/resources';
import { loadCentreConfig } from './centre-config';
import { embeddedUrl } from './centre-database';
import { startEmbeddedPostgres } from './database/embedded-postgres';
import { freePort } from '../kernel/free-port';
import { openCentreDb } from './database/sql';
import { CentreQueueService } from './queue/centre-queue.service';
import { enrolTestDesk } from './testing/desk-client';

/**
 * The centre as a service manager runs it: `node bin/motcua-desk.mjs centre run` in its own
 * process, on its embedded PostgreSQL (this file's one server). Killed with SIGKILL, PostgreSQL
 * keeps running; the restarted centre reuses it and has lost nothing committed.
 */
let dir: string;
let embeddedPort: number;
let child: ChildProcess | null = null;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'motcua-centre-restart-'));
  embeddedPort = await freePort();
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (existsSync(join(dir, 'postgres', 'PG_VERSION'))) {
    const pg = await startEmbeddedPostgres({
      clusterDir: join(dir, 'postgres'),
      passwordFile: join(dir, 'secrets', 'postgres-password'),
      port: embeddedPort,
      log: silentLogger,
    });
    await pg.stop();
  }
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function cli(...args: string[]): Promise<string[]> {
  const out: string[] = [];
  const code = await runCentreCommand([...args, '--centre-dir', dir], {
    out: (s) => out.push(s),
    err: (s) => out.push(s),
    env: {},
  });
  expect(code, out.join('\n')).toBe(0);
  return out;
}

/** Starts `centre run` as a child process; resolves with its URL once it serves. */
function startCentreProcess(): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(
    process.execPath,
    [join(repoRoot(), 'bin', 'motcua-desk.mjs'), 'centre', 'run', '--centre-dir', dir],
    {
      cwd: repoRoot(),
      env: { ...process.env, MOTCUA_CENTRE_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child = proc;
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`centre did not start: ${seen.slice(-2000)}`)), 90_000);
    const onData = (c: Buffer) => {
      seen += c.toString('utf8');
      const m = /Trung tâm đang chạy: (https:\/\/\S+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]! });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (c: Buffer) => (seen += c.toString('utf8')));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`centre exited ${code}: ${seen.slice(-2000)}`));
    });
  });
}

function exited(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
}

describe('centre process', () => {
  it('killed with SIGKILL and started again keeps its tickets and enrolled desks', async () => {
    const port = await freePort();
    await cli(
      'init',
      '--agency-id',
      '000.00.12.H56',
      '--agency-name',
      'UBND xã Hòa Bình',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--listen-address',
      '127.0.0.1',
      '--embedded-port',
      String(embeddedPort),
    );
    const first = await startCentreProcess();
    const enrolled = await cli('enrol', '--kind', 'desk', '--name', 'Quầy 1', '--counter', 'Q01');
    const code = /: (\S+-\S+-\S+-\S+)$/.exec(enrolled[0]!)![1]!;
    const caPem = readFileSync(join(dir, 'tls', 'ca.crt'), 'utf8');
    const { client } = await enrolTestDesk(first.url, caPem, code);

    // A kiosk's ticket, taken through the service on the running centre's database.
    const config = loadCentreConfig(dir);
    const db = openCentreDb({ url: embeddedUrl(dir, embeddedPort)!, log: silentLogger });
    let ticketId: number;
    try {
      const queue = new CentreQueueService({
        db,
        clock: systemClock,
        log: silentLogger,
        setup: { services: config.queue.services, counters: config.queue.counters, priority: config.queue.priority },
        agency: config.agency,
        printerFor: () => null,
      });
      ticketId = (await queue.take({ service: 'TTHC', priority: false, kiosk: null, actor: 'test' })).ticket.id;
    } finally {
      await db.close();
    }

    first.proc.kill('SIGKILL');
    await exited(first.proc);
    const second = await startCentreProcess();
    expect(second.url).toBe(first.url);
    const called = await client.post<{ id: number }>('queue/callNext', { actor: 'lan' });
    expect(called.status, JSON.stringify(called.body)).toBe(200);
    expect(called.body.id).toBe(ticketId);

    second.proc.kill('SIGTERM');
    expect(await exited(second.proc)).toBe(0);
    // Stopped cleanly: the HTTPS port is closed and the embedded server went down with it.
    expect(await reachable(first.url)).toBe(false);
    expect(await reachable(`tcp://127.0.0.1:${embeddedPort}`)).toBe(false);
  }, 240_000);
});

async function reachable(url: string): Promise<boolean> {
  const { connect } = await import('node:net');
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect({ host: u.hostname, port: Number(u.port) }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}
