import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestCore, TestSession } from './core-support';

/**
 * The metadata typed for an open scan batch survives a restart of the whole core on the same data
 * folder: saved through `digitise.saveDrafts`, read back through `digitise.drafts` by a new core.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'motcua-drafts-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const typed = {
  ownerIdNumber: '001203004567',
  ownerName: 'Nguyễn Văn Dũng',
  documentCode: 'KQ0003',
  documentName: 'Căn cước công dân',
  dossierCode: '000.00.12.H56-261120-0001',
  permanent: false,
  validUntil: '17/05/2036',
  issuer: 'Cục Cảnh sát QLHC về TTXH',
  number: '',
  issuedOn: '',
  summary: 'bản sao',
  kind: 'component',
  procedureCode: '1.004873',
  sectorCode: '',
  componentCode: 'TP02',
  componentName: 'Bản sao CCCD',
  componentDossierCode: '000.00.12.H56-261120-0001',
} as const;

describe('metadata drafts across a core restart', () => {
  it('are saved with the batch, audited, and read back by a new core on the same folder', async () => {
    const first = await startTestCore({ dataDir, fixedNow: '2026-11-20T09:00' });
    const digitiser = new TestSession(first.core);
    await digitiser.login('sohoa', 'daotao-sohoa');
    const png = await sharp(Buffer.alloc(120 * 160, 255), { raw: { width: 120, height: 160, channels: 1 } })
      .png()
      .toBuffer();
    const { batchId } = await digitiser.ok('digitise.importFiles', {
      files: [{ name: 'a.png', base64: png.toString('base64') }],
      profile: { dpi: 150 },
    });
    const saved = await digitiser.ok('digitise.saveDrafts', { batchId, drafts: { 0: typed } });
    expect(saved.savedAt).toMatch(/^2026-11-20T09:\d\d$/);
    // Roles and schemas: an officer may not, a malformed draft is refused.
    expect((await first.session.call('digitise.saveDrafts', { batchId, drafts: {} })).ok).toBe(false);
    await first.session.login();
    const officer = await first.session.call('digitise.drafts', { batchId });
    expect(officer.ok ? 'ok' : officer.error.code).toBe('FORBIDDEN');
    const bad = await digitiser.call('digitise.saveDrafts', { batchId, drafts: { x: typed } });
    expect(bad.ok ? 'ok' : bad.error.code).toBe('VALIDATION_FAILED');
    expect(first.core.store.audit.forEntity('batch', batchId).map((e) => e.action)).toContain('digitise.draft');
    await first.dispose();

    const second = await startTestCore({ dataDir, fixedNow: '2026-11-20T10:00' });
    try {
      const again = new TestSession(second.core);
      await again.login('sohoa', 'daotao-sohoa');
      expect((await again.ok('digitise.openBatches')).map((b) => b.batchId)).toContain(batchId);
      expect(await again.ok('digitise.drafts', { batchId })).toEqual({ drafts: { 0: typed }, savedAt: saved.savedAt });
      expect(second.core.store.audit.verifyChain().ok).toBe(true);
    } finally {
      await second.dispose();
    }
  }, 120_000);
});
