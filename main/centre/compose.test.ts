import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCentre } from './compose';
import { startTestPostgres, type TestPostgres } from './database/testing/test-postgres';
import { TestDeskClient } from './testing/desk-client';
import { startTestCentre, testCentreConfig } from './testing/test-centre';
import { parseCentreConfig } from './centre-config';
import { agencyLockHolder } from './centre-identity';

let server: TestPostgres;

beforeAll(async () => {
  server = await startTestPostgres();
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('createCentre', () => {
  it('writes the identity once and refuses a second centre for the same agency on the database', async () => {
    const first = await startTestCentre(server);
    try {
      const rows = await first.db.query<{ agency_id: string }>('SELECT agency_id FROM centre_identity');
      expect(rows.rows).toEqual([{ agency_id: '000.00.12.H56' }]);
      const second = createCentre({
        centreDir: first.centreDir,
        config: first.config,
        databaseUrl: first.databaseUrl,
        port: 0,
        rendererDir: null,
      });
      await expect(second).rejects.toThrow(/trung tâm khác đang phục vụ cơ quan 000\.00\.12\.H56/);
      await expect(second).rejects.toThrow(/motcua-centre .* pid \d+/);
      // The refused one left nothing running: the first still serves.
      expect((await first.anonymous().post('hello')).status).toBe(401);
    } finally {
      await first.stop();
    }
  });

  it('refuses a database initialised for another agency', async () => {
    const first = await startTestCentre(server);
    const { databaseUrl, centreDir } = first;
    await first.close();
    const other = parseCentreConfig({ ...testCentreConfig(), agency: { id: '000.00.34.H99', name: 'UBND khác' } });
    await expect(createCentre({ centreDir, config: other, databaseUrl, port: 0, rendererDir: null })).rejects.toThrow(
      /thuộc trung tâm của cơ quan 000\.00\.12\.H56/,
    );
  });

  it('a restarted centre keeps its tickets and devices; desks keep their certificates', async () => {
    const first = await startTestCentre(server);
    const { client } = await first.enrolDesk({ name: 'Quầy 1', counter: 'Q01' });
    const taken = await first.queue.take({ service: 'HO-TICH', priority: false, kiosk: null, actor: 'test' });
    await first.close();
    const again = await createCentre({
      centreDir: first.centreDir,
      config: first.config,
      databaseUrl: first.databaseUrl,
      port: 0,
      rendererDir: null,
    });
    try {
      const desk = new TestDeskClient({ ...client.opts, url: again.url });
      const called = await desk.post<{ id: number }>('queue/callNext', { actor: 'lan' });
      expect(called.status).toBe(200);
      expect(called.body.id).toBe(taken.ticket.id);
      expect(again.identity.centreId).toBe(first.identity.centreId);
    } finally {
      await again.close();
    }
  });

  it('stops on its own when its agency lock is lost and taken by another process', async () => {
    let fatal: Error | null = null;
    const centre = await startTestCentre(server);
    const admin = new pg.Client({ connectionString: centre.databaseUrl });
    await admin.connect();
    try {
      // Started again with an onFatal (the command line stops the process on it).
      await centre.close();
      const watched = await createCentre({
        centreDir: centre.centreDir,
        config: centre.config,
        databaseUrl: centre.databaseUrl,
        port: 0,
        rendererDir: null,
        onFatal: (err) => {
          fatal = err;
        },
      });
      try {
        const holder = await agencyLockHolder(watched.db, '000.00.12.H56');
        expect(holder?.application).toMatch(/^motcua-centre .* pid \d+$/);
        await admin.query('SELECT pg_terminate_backend($1)', [holder!.pid]);
        // The backend lets go of the lock as it exits; take it before the centre reconnects.
        let took = false;
        for (let i = 0; i < 200 && !took; i++) {
          const r = await admin.query<{ ok: boolean }>(
            "SELECT pg_try_advisory_lock(hashtext('motcua-centre:000.00.12.H56')) AS ok",
          );
          took = r.rows[0]!.ok;
          if (!took) await new Promise((resolve) => setTimeout(resolve, 10));
        }
        expect(took).toBe(true);
        const deadline = Date.now() + 15_000;
        while (!fatal && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(fatal).not.toBeNull();
        expect((fatal as unknown as Error).message).toMatch(/trung tâm khác/);
      } finally {
        await watched.close();
      }
    } finally {
      await admin.end();
      await centre.stop();
    }
  });
});
