import { randomUUID } from 'node:crypto';
import type { AuthenticatedDevice } from '../../security/device';

/** Entries as a desk sends them, for the replication tests and the bench. */
export const FIXTURE_AGENCY = '000.00.12.H56';
/** Vietnam 2026-12-08 10:00 as epoch ms. */
export const FIXTURE_NOW = Date.parse('2026-12-08T10:00:00.000+07:00');

export function fixtureDesk(over: Partial<AuthenticatedDevice> = {}): AuthenticatedDevice {
  return {
    id: randomUUID(),
    kind: 'desk',
    name: 'Quầy 1',
    agencyId: FIXTURE_AGENCY,
    counter: 'Q01',
    deskSlot: 0,
    printer: null,
    ...over,
  };
}

export function dossierCode(n: number, agency = FIXTURE_AGENCY): string {
  return `${agency}-261208-${String(n).padStart(4, '0')}`;
}

type Entry = { key: string; kind: string; at: number; payload: Record<string, unknown> };

export function receivedEntry(
  key: string,
  code: string,
  over: Record<string, unknown> = {},
  at = FIXTURE_NOW - 60_000,
): Entry {
  return {
    key,
    kind: 'dossier.received',
    at,
    payload: {
      code,
      agencyId: FIXTURE_AGENCY,
      procedureCode: '1.001193',
      procedureName: 'Đăng ký khai sinh',
      channel: 'walk-in',
      officer: 'canbo1',
      counter: 'Q01',
      receivedAt: '2026-12-08T09:59',
      appointmentAt: '2026-12-11T16:00',
      applicantKey: 'a'.repeat(64),
      applicantIdMasked: '00120****567',
      components: [
        { code: 'TP1', name: 'Tờ khai đăng ký khai sinh', source: 'paper' },
        { code: 'TP2', name: 'Giấy chứng sinh', source: 'digitised' },
      ],
      fee: 0,
      ticketId: 12,
      ticketNumber: 'A012',
      ...over,
    },
  };
}

export function statusEntry(key: string, code: string, status: number, at: number, local = '2026-12-08T10:00'): Entry {
  return { key, kind: 'dossier.status', at, payload: { code, status, at: local, officer: 'canbo1' } };
}

export function returnedEntry(key: string, code: string, at: number): Entry {
  return {
    key,
    kind: 'dossier.returned',
    at,
    payload: { code, at: '2026-12-08T10:05', officer: 'canbo2', outcome: 'applicant' },
  };
}

export function ratedEntry(key: string, code: string, rating: number, at: number): Entry {
  return { key, kind: 'dossier.rated', at, payload: { code, rating, at: '2026-12-08T10:06' } };
}

export function digitisedEntry(key: string, code: string | null, at: number): Entry {
  return {
    key,
    kind: 'document.digitised',
    at,
    payload: { dossierCode: code, documentCode: 'KQ0001', pages: 2, officer: 'sohoa1', at: '2026-12-08T10:01' },
  };
}

export function signedEntry(key: string, code: string | null, at: number): Entry {
  return {
    key,
    kind: 'document.signed',
    at,
    payload: {
      dossierCode: code,
      documentCode: 'KQ0001',
      signer: 'UBND xã',
      officer: 'sohoa1',
      at: '2026-12-08T10:02',
    },
  };
}
