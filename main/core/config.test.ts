import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/contract';
import { CONFIG_FILE_NAME, loadConfig, parseConfig, TRAINING_CONFIG } from './config';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'motcua-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const valid = {
  agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình', deskSlot: 1 },
  counter: { id: 'Q02', name: 'Quầy 2' },
  remotes: {
    national: {
      baseUrl: 'https://dvc.example.vn/api',
      username: 'h56',
      passwordEnv: 'MOTCUA_NATIONAL_PASSWORD',
      dstcode: 'H56',
    },
    provincial: { baseUrl: 'https://lgsp.example.vn', clientId: 'desk', clientSecretEnv: 'MOTCUA_PROVINCIAL_SECRET' },
  },
  devices: { documentPrinter: { kind: 'cups', queue: 'A4-Quay2' } },
};

function write(value: unknown): void {
  writeFileSync(join(dir, CONFIG_FILE_NAME), typeof value === 'string' ? value : JSON.stringify(value));
}

function errorOf(): AppError {
  try {
    loadConfig(dir);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('workstation configuration', () => {
  it('is training mode without a file', () => {
    expect(loadConfig(dir)).toEqual({ config: TRAINING_CONFIG, trainingMode: true, file: null });
  });

  it('accepts a production file and fills defaults', () => {
    write(valid);
    const { config, trainingMode } = loadConfig(dir);
    expect(trainingMode).toBe(false);
    expect(config.sync.intervalMs).toBe(3000);
    expect(config.devices.documentPrinter).toEqual({ kind: 'cups', queue: 'A4-Quay2' });
  });

  it.each([
    [{ ...valid, agency: { ...valid.agency, id: 'H56' } }, 'agency.id'],
    [{ ...valid, agency: { ...valid.agency, deskSlot: 12 } }, 'agency.deskSlot'],
    [{ ...valid, counter: { name: 'Quầy 2' } }, 'counter.id'],
    [
      { ...valid, remotes: { ...valid.remotes, national: { ...valid.remotes.national, baseUrl: 'not a url' } } },
      'remotes.national.baseUrl',
    ],
    [
      { ...valid, remotes: { ...valid.remotes, national: { ...valid.remotes.national, password: 'clear-text' } } },
      'remotes.national',
    ],
    [{ ...valid, devices: { documentPrinter: { kind: 'laser' } } }, 'devices.documentPrinter.kind'],
    [
      { ...valid, officeHours: { morning: ['7:00', '11:30'], afternoon: ['13:30', '17:00'], hoursPerDay: 8 } },
      'officeHours.morning.0',
    ],
  ])('names the wrong field (%#)', (value, field) => {
    write(value);
    const err = errorOf();
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain(field);
    expect(
      (err.details as { fields: string[] }).fields.some((f) => f.startsWith(field.split('.').slice(0, 2).join('.'))),
    ).toBe(true);
  });

  it('rejects a file that is not JSON', () => {
    write('{ agency: ');
    expect(errorOf().message).toMatch(/không phải JSON/);
  });
});

describe('log settings in the configuration', () => {
  it('accepts log.maxBytes and log.keep within their ranges and names the field otherwise', () => {
    expect(parseConfig({ ...TRAINING_CONFIG, log: { maxBytes: 1024 * 1024, keep: 3 } }).log).toEqual({
      maxBytes: 1024 * 1024,
      keep: 3,
    });
    expect(parseConfig({ ...TRAINING_CONFIG, log: {} }).log).toEqual({ maxBytes: 10 * 1024 * 1024, keep: 5 });
    for (const [log, field] of [
      [{ maxBytes: 1000 }, 'log.maxBytes'],
      [{ keep: 1 }, 'log.keep'],
      [{ keep: 2.5 }, 'log.keep'],
      [{ maxBytes: '10MB' }, 'log.maxBytes'],
      [{ rotate: true }, 'log'],
    ] as const) {
      expect(() => parseConfig({ ...TRAINING_CONFIG, log }), JSON.stringify(log)).toThrow(field);
    }
  });
});
