import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCentreConfig, writeCentreConfig, type CentreConfigInput } from '../../main/centre/centre-config';

/**
 * The centre under test as a child process, started the way IT starts it (`centre init`, then
 * `centre run`), and the sampling of its CPU and memory (and its PostgreSQL's) from /proc.
 */
const CLI = ['bin/motcua-desk.mjs', 'centre'];

/** `centre init` through the command line, then the bench's queue (counters, services) in the file. */
export function initCentre(p: {
  root: string;
  centreDir: string;
  agencyId: string;
  port: number;
  embeddedPort: number;
  queue: CentreConfigInput['queue'];
}): void {
  const r = spawnSync(
    process.execPath,
    [
      ...CLI,
      'init',
      '--centre-dir',
      p.centreDir,
      '--agency-id',
      p.agencyId,
      '--agency-name',
      'UBND huyện Thử Tải',
      '--host',
      '127.0.0.1',
      '--host',
      'localhost',
      '--listen-address',
      '127.0.0.1',
      '--port',
      String(p.port),
      '--embedded-port',
      String(p.embeddedPort),
    ],
    { cwd: p.root, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`centre init failed (${r.status}): ${r.stdout}${r.stderr}`);
  const file = join(p.centreDir, 'centre.config.json');
  const input = JSON.parse(readFileSync(file, 'utf8')) as CentreConfigInput;
  parseCentreConfig({ ...input, queue: p.queue });
  writeCentreConfig(p.centreDir, { ...input, queue: p.queue });
}

export interface CentreProcess {
  child: ChildProcess;
  url: string;
  /** Everything the centre printed (its log lines), for a failed run. */
  output(): string;
  stop(): Promise<number | null>;
}

/** `centre run`; resolves once it prints its address. */
export function startCentre(root: string, centreDir: string): Promise<CentreProcess> {
  const child = spawn(process.execPath, [...CLI, 'run', '--centre-dir', centreDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer): void => {
    out += chunk.toString('utf8');
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`centre did not start in 120 s:\n${out.slice(-3000)}`));
    }, 120_000);
    const onData = (): void => {
      const m = /Trung tâm đang chạy: (https:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({
        child,
        url: m[1]!,
        output: () => out,
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
          const code = await exited;
          clearTimeout(t);
          return code;
        },
      });
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`centre exited (${code}) before serving:\n${out.slice(-3000)}`));
    });
  });
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

interface ProcStat {
  ppid: number;
  /** utime + stime, and the reaped children's (a PostgreSQL backend that ended). */
  ownTicks: number;
  childTicks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(f[1]),
      ownTicks: Number(f[11]) + Number(f[12]),
      childTicks: Number(f[13]) + Number(f[14]),
    };
  } catch {
    return null;
  }
}

function readStatus(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
      const m = /^(Vm\w+|Rss\w+):\s+(\d+) kB/.exec(line);
      if (m) out[m[1]!] = Number(m[2]) * 1024;
    }
  } catch {
    /* gone */
  }
  return out;
}

function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s && s.ppid === ppid) out.push(Number(name));
  }
  return out;
}

export interface UsageSummary {
  samples: number;
  seconds: number;
  /** Of one core: 100 = one core busy all the time. */
  cpuMeanPercent: number;
  cpuPeakPercent: number;
  cpuSeconds: number;
  peakRssBytes: number;
  /** The kernel's high-water mark of the centre process (VmHWM); PostgreSQL: null. */
  hwmBytes: number | null;
  processes?: number;
}

/**
 * Samples once a second: the centre process (utime+stime, VmRSS, VmHWM) and the PostgreSQL
 * cluster (the postmaster of `postmaster.pid` and its children: CPU summed, including ended
 * backends; memory as the sum of private memory plus the largest shared mapping, as the shared
 * buffers are counted in every backend's RSS).
 */
export class UsageSampler {
  private timer: NodeJS.Timeout | null = null;
  private last: { t: number; centre: number; pg: number } | null = null;
  private first: { t: number; centre: number; pg: number } | null = null;
  private readonly centreCpu: number[] = [];
  private readonly pgCpu: number[] = [];
  private centreRss = 0;
  private centreHwm = 0;
  private pgRss = 0;
  private pgProcesses = 0;

  constructor(
    private readonly centrePid: number,
    private readonly clusterDir: string,
  ) {}

  private postmaster(): number | null {
    const file = join(this.clusterDir, 'postmaster.pid');
    if (!existsSync(file)) return null;
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  }

  private sample(): void {
    const t = performance.now();
    const c = readStat(this.centrePid);
    if (!c) return;
    const status = readStatus(this.centrePid);
    this.centreRss = Math.max(this.centreRss, status.VmRSS ?? 0);
    this.centreHwm = Math.max(this.centreHwm, status.VmHWM ?? 0);
    let pgTicks = 0;
    const pm = this.postmaster();
    if (pm !== null) {
      const ps = readStat(pm);
      if (ps) pgTicks += ps.ownTicks + ps.childTicks;
      const kids = childrenOf(pm);
      let privateBytes = readStatus(pm).RssAnon ?? 0;
      let shared = 0;
      for (const pid of kids) {
        const s = readStat(pid);
        if (s) pgTicks += s.ownTicks;
        const st = readStatus(pid);
        privateBytes += st.RssAnon ?? 0;
        shared = Math.max(shared, (st.RssShmem ?? 0) + (st.RssFile ?? 0));
      }
      this.pgRss = Math.max(this.pgRss, privateBytes + shared);
      this.pgProcesses = Math.max(this.pgProcesses, kids.length + 1);
    }
    const now = { t, centre: c.ownTicks, pg: pgTicks };
    if (this.last) {
      const wall = (t - this.last.t) / 1000;
      this.centreCpu.push(((now.centre - this.last.centre) / CLK_TCK / wall) * 100);
      this.pgCpu.push(((now.pg - this.last.pg) / CLK_TCK / wall) * 100);
    } else {
      this.first = now;
    }
    this.last = now;
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
  }

  stop(): { centre: UsageSummary; postgres: UsageSummary } {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const seconds = this.first && this.last ? (this.last.t - this.first.t) / 1000 : 0;
    const summary = (cpu: number[], ticks: number, rss: number, hwm: number | null): UsageSummary => ({
      samples: cpu.length,
      seconds: Math.round(seconds),
      cpuMeanPercent: round1(seconds > 0 ? (ticks / CLK_TCK / seconds) * 100 : 0),
      cpuPeakPercent: round1(Math.max(0, ...cpu)),
      cpuSeconds: round1(ticks / CLK_TCK),
      peakRssBytes: rss,
      hwmBytes: hwm,
    });
    const f = this.first ?? { centre: 0, pg: 0 };
    const l = this.last ?? f;
    return {
      centre: summary(this.centreCpu, l.centre - f.centre, this.centreRss, this.centreHwm),
      postgres: {
        ...summary(this.pgCpu, l.pg - f.pg, this.pgRss, null),
        processes: this.pgProcesses,
      },
    };
  }
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
