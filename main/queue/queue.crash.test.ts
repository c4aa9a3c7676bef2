import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../store/testing/store-fixtures';
import { queueHarness } from './testing/queue-harness';

const root = join(import.meta.dirname, '..', '..');
let temp: ReturnType<typeof tempDir>;
beforeEach(() => {
  temp = tempDir('motcua-queue-crash-');
});
afterEach(() => temp.cleanup());

describe('a crash in the middle of a call', () => {
  it('leaves the on-disk queue as it was before the call', async () => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'main', 'queue', 'testing', 'crash-child.ts'), temp.dir],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(child.signal).toBe('SIGKILL');
    expect(child.stdout).toContain('calling');
    expect(child.stdout).not.toContain('not reached');

    const h = queueHarness({ dataDir: temp.dir });
    try {
      const q1 = h.queue.state('Q01');
      expect(q1.current).toMatchObject({ number: 'A001', state: 'called', counter: 'Q01' });
      expect(q1.waiting.map((t) => t.number)).toEqual(['A002']);
      expect(await h.store.checkIntegrity()).toMatchObject({ database: ['ok'], audit: { ok: true } });
      expect(h.store.audit.forEntity('ticket', '2025-07-15/A001').map((e) => e.action)).toEqual([
        'queue.take',
        'queue.call',
      ]);
      // The desk goes on where it stopped.
      expect(h.queue.callNext('Q01', 'canbo').number).toBe('A002');
      expect(h.store.queue.get(q1.current!.id)).toMatchObject({ state: 'done', outcome: 'served' });
    } finally {
      h.close();
    }
  }, 90_000);
});
