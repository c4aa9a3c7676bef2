import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Procedure } from '../../common/contract/schemas';

/** Seed data shipped for training mode: the commune-level catalogue and the national code lists. */
function readSeed(file: string): unknown {
  const path = fileURLToPath(new URL(`../../resources/seed/${file}`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

const DocumentCodes = z.record(z.string(), z.union([z.record(z.string(), z.string()), z.string()]));
const Provinces = z.object({
  effectiveFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  provinces: z.array(z.object({ code: z.string().regex(/^\d{2}$/), name: z.string().min(1), kind: z.string() })),
});

const catalogue = z.array(Procedure).parse(readSeed('catalogue.json'));
const knownDocumentCodes = new Set(
  Object.values(DocumentCodes.parse(readSeed('document-codes.json'))).flatMap((group) =>
    typeof group === 'string' ? [] : Object.keys(group),
  ),
);

function byCode(code: string): Procedure {
  const found = catalogue.find((p) => p.code === code);
  if (!found) throw new Error(`procedure ${code} missing from the seed catalogue`);
  return found;
}

describe('seed catalogue (resources/seed/catalogue.json)', () => {
  it('validates every procedure against the contract schema', () => {
    for (const raw of z.array(z.unknown()).parse(readSeed('catalogue.json'))) {
      const result = Procedure.safeParse(raw);
      expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
    }
  });

  it('holds at least 8 procedures with unique national-style codes', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(8);
    const codes = catalogue.map((p) => p.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^\d\.\d{6}$/);
  });

  it('is commune level, in Vietnamese, effective from the two-level reform', () => {
    for (const p of catalogue) {
      expect(p.level).toBe('Cấp xã');
      expect(p.agencyName).toMatch(/xã$/);
      expect(p.name.length).toBeGreaterThan(5);
      expect(p.effectiveFrom >= '2025-07-01').toBe(true);
      expect(p.channels.length).toBeGreaterThan(0);
      expect(p.components.length).toBeGreaterThan(0);
    }
  });

  it('has exactly one same-day cut-off procedure: 2.000815 at 15:00, 0 working days, per-page fee', () => {
    const withCutoff = catalogue.filter((p) => p.cutoff !== null);
    expect(withCutoff.map((p) => p.code)).toEqual(['2.000815']);
    const copyCertification = byCode('2.000815');
    expect(copyCertification.cutoff).toBe('15:00');
    const walkIn = copyCertification.channels.find((c) => c.channel === 'walk-in');
    expect(walkIn).toMatchObject({ duration: 0, unit: 'working-days' });
    expect(walkIn?.fees).toEqual([expect.objectContaining({ code: 'PHI-CTBS-TRANG', amount: 2000 })]);
  });

  it('registers births the same day with the birth certificate (KQ0001) as the result', () => {
    const birth = byCode('1.001193');
    expect(birth.resultCode).toBe('KQ0001');
    expect(birth.channels.find((c) => c.channel === 'walk-in')).toMatchObject({ duration: 0, unit: 'working-days' });
    expect(byCode('1.004873').channels.find((c) => c.channel === 'walk-in')).toMatchObject({
      duration: 3,
      unit: 'working-days',
    });
    expect(byCode('1.004222').channels.find((c) => c.channel === 'walk-in')).toMatchObject({
      duration: 7,
      unit: 'working-days',
    });
  });

  it('covers every duration unit, and only "none" has no duration', () => {
    const units = new Set(catalogue.flatMap((p) => p.channels.map((c) => c.unit)));
    expect([...units].sort()).toEqual(['calendar-days', 'hours', 'none', 'working-days']);
    for (const terms of catalogue.flatMap((p) => p.channels)) {
      expect(terms.duration === null).toBe(terms.unit === 'none');
    }
  });

  it('lists each channel at most once per procedure', () => {
    for (const p of catalogue) {
      const channels = p.channels.map((c) => c.channel);
      expect(new Set(channels).size, p.code).toBe(channels.length);
    }
  });

  it('uses only document codes that exist in document-codes.json', () => {
    expect(knownDocumentCodes.has('KQ0003')).toBe(true);
    for (const p of catalogue) {
      if (p.resultCode !== null) expect(knownDocumentCodes.has(p.resultCode), `${p.code} result`).toBe(true);
      const componentCodes = p.components.map((c) => c.code);
      expect(new Set(componentCodes).size, p.code).toBe(componentCodes.length);
      for (const component of p.components) {
        if (component.documentCode !== null) {
          expect(knownDocumentCodes.has(component.documentCode), `${p.code}/${component.code}`).toBe(true);
        }
        expect(component.originals + component.copies, `${p.code}/${component.code}`).toBeGreaterThan(0);
      }
    }
  });

  it('charges fees as non-negative whole VND amounts', () => {
    const fees = catalogue.flatMap((p) => p.channels.flatMap((c) => c.fees));
    expect(fees.length).toBeGreaterThan(0);
    for (const fee of fees) {
      expect(Number.isInteger(fee.amount)).toBe(true);
      expect(fee.amount).toBeGreaterThanOrEqual(0);
      expect(fee.code).toMatch(/^[A-Z0-9-]+$/);
      expect(fee.name.length).toBeGreaterThan(0);
    }
  });
});

describe('seed code lists', () => {
  it('ships the 34 provincial units in force from 2025-07-01', () => {
    const seed = Provinces.parse(readSeed('provinces-2025.json'));
    expect(seed.effectiveFrom).toBe('2025-07-01');
    expect(seed.provinces).toHaveLength(34);
    expect(new Set(seed.provinces.map((p) => p.code)).size).toBe(34);
    expect(seed.provinces.find((p) => p.code === '01')?.name).toBe('Thành phố Hà Nội');
  });

  it('ships the national document codes', () => {
    for (const code of ['KQ0001', 'KQ0003', 'KQ0010', 'KQ0013', 'DC0001', 'KQ1001']) {
      expect(knownDocumentCodes.has(code), code).toBe(true);
    }
  });
});
