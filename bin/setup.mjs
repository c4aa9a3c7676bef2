// Set-up shared by `npm start` and `npm test` on a fresh machine: installs the project's packages
// when they are missing or differ from package-lock.json (`npm ci`, without the Electron binary
// download, which needs a host other than the npm registry), and for the tests the Debian
// packages listed in `.ci/debian-packages` (apt-get, as root; otherwise the command to run is printed).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * True when node_modules holds every package of package-lock.json at its locked version, read from
 * the list npm keeps of what it installed (node_modules/.package-lock.json). Optional packages
 * (other platforms' builds) may be absent.
 */
export function packagesInstalled(dir = root) {
  const installedFile = join(dir, 'node_modules', '.package-lock.json');
  if (!existsSync(installedFile)) return false;
  try {
    const locked = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')).packages ?? {};
    const installed = JSON.parse(readFileSync(installedFile, 'utf8')).packages ?? {};
    for (const [path, entry] of Object.entries(locked)) {
      if (path === '' || entry.optional) continue;
      if (installed[path]?.version !== entry.version) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function ensurePackages() {
  if (packagesInstalled()) return;
  process.stdout.write('\n=== npm ci (first run, or package-lock.json changed)\n');
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: process.env.ELECTRON_SKIP_BINARY_DOWNLOAD ?? '1' },
    shell: process.platform === 'win32',
  });
  if (r.status !== 0) {
    process.stderr.write('npm ci failed: see above.\n');
    process.exit(r.status ?? 1);
  }
}

/** The Debian packages of `.ci/debian-packages` that dpkg does not list as installed. */
export function missingDebianPackages(dir = root) {
  const wanted = readFileSync(join(dir, '.ci', 'debian-packages'), 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join(' ')
    .split(/\s+/)
    .filter(Boolean);
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...wanted], { encoding: 'utf8' });
  const installed = new Set(
    (r.stdout ?? '')
      .split('\n')
      .filter((l) => l.endsWith('install ok installed'))
      .map((l) => l.split(' ')[0]),
  );
  return wanted.filter((p) => !installed.has(p));
}

function ensureDebianPackages() {
  if (process.platform !== 'linux' || !existsSync('/etc/debian_version')) return;
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    process.stderr.write(
      `Missing Debian packages the tests use: ${missing.join(' ')}\nInstall them as root: ${command}\n`,
    );
    return;
  }
  process.stdout.write(`\n=== Debian packages: ${missing.join(' ')}\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', ...missing],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      process.stderr.write(`apt-get ${args[0]} failed; the tests that need ${missing.join(', ')} will fail.\n`);
      return;
    }
  }
}

/** `forTests`: the Debian packages too. */
export function ensureSetup({ forTests = false } = {}) {
  if (forTests) ensureDebianPackages();
  ensurePackages();
}
