import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real CUPS scheduler of its own for tests: `cupsd -f` with its configuration, spool and state in
 * a temp folder, listening only on a Unix socket there (no TCP port, no effect on the machine's own
 * CUPS). Clients reach it through `CUPS_SERVER=<socket>` in `env`. Needs the Debian packages
 * cups-daemon and cups-client, and root (cupsd drops to the `lp` user for its filters).
 */
export interface PrivateCupsd {
  env: Record<string, string>;
  /** Runs a CUPS client command (lpadmin, lpstat, cupsdisable …) against this scheduler. */
  admin(command: string, args: string[]): { code: number | null; out: string };
  stop(): Promise<void>;
}

export function privateCupsdAvailable(): boolean {
  return (
    process.platform === 'linux' &&
    process.getuid?.() === 0 &&
    existsSync('/usr/sbin/cupsd') &&
    existsSync('/usr/sbin/lpadmin') &&
    existsSync('/usr/bin/lp')
  );
}

export async function startPrivateCupsd(): Promise<PrivateCupsd> {
  const dir = await mkdtemp(join(tmpdir(), 'motcua-cupsd-'));
  await chmod(dir, 0o755);
  for (const sub of ['spool', 'cache', 'state', 'log', 'run']) await mkdir(join(dir, sub), { recursive: true });
  const socket = join(dir, 'run', 'cups.sock');
  await writeFile(
    join(dir, 'cupsd.conf'),
    [
      `Listen ${socket}`,
      'LogLevel warn',
      'WebInterface No',
      'Browsing No',
      '<Location />',
      '  Order allow,deny',
      '  Allow all',
      '</Location>',
      '<Location /admin>',
      '  Order allow,deny',
      '  Allow all',
      '</Location>',
      '<Policy default>',
      '  <Limit All>',
      '    Order deny,allow',
      '  </Limit>',
      '</Policy>',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'cups-files.conf'),
    [
      `ServerRoot ${dir}`,
      `RequestRoot ${join(dir, 'spool')}`,
      `CacheDir ${join(dir, 'cache')}`,
      `StateDir ${join(dir, 'state')}`,
      `TempDir ${join(dir, 'spool')}`,
      `ErrorLog ${join(dir, 'log', 'error_log')}`,
      `AccessLog ${join(dir, 'log', 'access_log')}`,
      `PageLog ${join(dir, 'log', 'page_log')}`,
      'ServerBin /usr/lib/cups',
      'DataDir /usr/share/cups',
      'User lp',
      'Group lp',
      '',
    ].join('\n'),
  );
  const env = { CUPS_SERVER: socket };
  const child: ChildProcess = spawn(
    '/usr/sbin/cupsd',
    ['-f', '-c', join(dir, 'cupsd.conf'), '-s', join(dir, 'cups-files.conf')],
    { stdio: 'ignore' },
  );
  const admin = (command: string, args: string[]): { code: number | null; out: string } => {
    const r = spawnSync(command, args, {
      env: { ...process.env, ...env, LC_ALL: 'C' },
      encoding: 'utf8',
      timeout: 10_000,
    });
    return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
  };
  const started = Date.now();
  while (!existsSync(socket) || admin('lpstat', ['-r']).out.includes('not running')) {
    if (child.exitCode !== null || Date.now() - started > 10_000) {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
      throw new Error('the private cupsd did not start');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    env,
    admin,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
