import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../main/centre/database/testing/test-postgres';
import { startTestCentre, type TestCentre } from '../../main/centre/testing/test-centre';
import { joinCentre, type Enrolment } from '../../main/remotes/centre/enrolment';
import { startTestCore, type TestSession, DUNG, until } from './core-support';

/**
 * A desk core enrolled at a real centre replicating its day through its outbox
 * (docs/architecture.md, "Centre"): the officer's RPC calls write the centre's rows in the same
 * transaction as the change, the core's sender delivers them, the centre projects them and
 * finishes the queue ticket the dossier was received for.
 */
let pg: TestPostgres;
let centre: TestCentre;
let dataDir: string;
let enrolment: Enrolment;
let t: Awaited<ReturnType<typeof startTestCore>>;

async function receive(session: TestSession, ticketId: number | null) {
  const procedure = await session.ok('catalogue.get', { code: '1.004873' });
  return session.ok('intake.receive', {
    requestId: randomUUID(),
    applicant: DUNG,
    procedureCode: '1.004873',
    channel: 'walk-in',
    components: procedure.components.map((c) => ({ componentCode: c.code, originals: 1, copies: 0, source: 'paper' })),
    ...(ticketId !== null ? { ticketId } : {}),
  });
}

beforeAll(async () => {
  pg = await startTestPostgres();
  centre = await startTestCentre(pg);
  dataDir = mkdtempSync(join(tmpdir(), 'motcua-centre-repl-'));
  const code = await centre.pairingCode({ kind: 'desk', name: 'Quầy 1', counter: 'Q01' });
  enrolment = await joinCentre({ url: centre.url, code, dir: dataDir });
  t = await startTestCore({ dataDir });
  await t.session.login();
  await until(() => t.core.centre?.state().state === 'connected');
}, 120_000);
afterAll(async () => {
  await t?.dispose();
  await centre?.stop();
  await pg?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('an enrolled desk core', () => {
  it('replicates a receipt from a centre ticket and the next status; the centre finishes the ticket', async () => {
    const taken = await centre.queue.take({ service: 'HO-TICH', priority: false, kiosk: null, actor: 'it' });
    await until(async () => (await t.session.ok('queue.state')).waiting.some((w) => w.id === taken.ticket.id));
    const called = await t.session.ok('queue.callNext');
    expect(called.id).toBe(taken.ticket.id);

    const d = await receive(t.session, called.id);
    const rows = t.core.store.outbox.listForDossier(d.code);
    expect(rows.map((r) => r.target).sort()).toEqual(['centre', 'national', 'national', 'provincial']);
    const centreRow = rows.find((r) => r.target === 'centre')!;
    expect(centreRow.idempotencyKey).toBe(`${enrolment.deviceId}:${centreRow.id}`);

    await t.core.sender.drainOnce();
    const projected = await centre.db.query<Record<string, unknown>>('SELECT * FROM centre_dossiers WHERE code = $1', [
      d.code,
    ]);
    expect(projected.rows[0]).toMatchObject({
      code: d.code,
      status: 2,
      device_id: enrolment.deviceId,
      counter: 'Q01',
      ticket_id: called.id,
      ticket_number: called.number,
    });
    const ticket = await centre.db.query<{ state: string; outcome: string; dossier_code: string }>(
      'SELECT state, outcome, dossier_code FROM queue_tickets WHERE id = $1',
      [called.id],
    );
    expect(ticket.rows[0]).toEqual({ state: 'done', outcome: 'served', dossier_code: d.code });
    // No name and no readable ID number reached the centre.
    const sent = await centre.db.query<{ payload: string }>(
      'SELECT payload::text AS payload FROM replicated_entries WHERE device_id = $1',
      [enrolment.deviceId],
    );
    for (const r of sent.rows) {
      expect(r.payload).not.toContain(DUNG.idNumber);
      expect(r.payload).not.toContain(DUNG.fullName);
    }

    const component = d.components[0]!.componentCode;
    await t.session.ok('dossier.requestSupplement', { code: d.code, missing: [component], reason: 'Thiếu bản sao' });
    await t.core.sender.drainOnce();
    const after = await centre.db.query<{ status: number }>('SELECT status FROM centre_dossiers WHERE code = $1', [
      d.code,
    ]);
    expect(after.rows[0]?.status).toBe(5);

    const status = await t.session.ok('sync.status');
    expect(status.remotes.find((r) => r.target === 'centre')).toMatchObject({ owed: 0, dead: 0, breaker: 'closed' });
  });
});
