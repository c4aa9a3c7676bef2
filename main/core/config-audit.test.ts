import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/contract';
import { CONFIG_FILE_NAME, loadConfig } from './config';

let parent: string;
let dataDir: string;
beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'motcua-config-audit-'));
  dataDir = join(parent, 'data');
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

const base = {
  agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình', deskSlot: 1 },
  counter: { id: 'Q02', name: 'Quầy 2' },
};

function load(audit: unknown): ReturnType<typeof loadConfig> {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, CONFIG_FILE_NAME), JSON.stringify({ ...base, audit }));
  return loadConfig(dataDir);
}

function refusal(audit: unknown): AppError {
  try {
    load(audit);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('audit.checkpointDir', () => {
  it('takes an absolute folder outside the data folder', () => {
    expect(load({ checkpointDir: join(parent, 'checkpoints') }).config.audit).toEqual({
      checkpointDir: join(parent, 'checkpoints'),
    });
    expect(load({ checkpointDir: join(parent, '..data-like') }).config.audit?.checkpointDir).toBe(
      join(parent, '..data-like'),
    );
  });

  it('refuses the data folder itself, a folder inside it, a relative path and unknown keys', () => {
    for (const inside of [dataDir, join(dataDir, 'audit'), join(dataDir, 'x', '..', 'audit'), `${dataDir}/`]) {
      const err = refusal({ checkpointDir: inside });
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.message).toContain('audit.checkpointDir: phải nằm ngoài thư mục dữ liệu');
    }
    expect(refusal({ checkpointDir: 'audit-checkpoints' }).message).toContain(
      'audit.checkpointDir: đường dẫn tuyệt đối',
    );
    expect(refusal({ checkpointDir: '' }).message).toContain('audit.checkpointDir');
    expect(refusal({ checkpointDir: join(parent, 'c'), extra: 1 }).message).toContain('audit');
  });
});
