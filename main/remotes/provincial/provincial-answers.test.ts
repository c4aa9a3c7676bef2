import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createProvincialClient } from './provincial.client';

/**
 * The provincial system's answers as other integrations write them: ids and statuses as
 * numbers, a missing `duplicate`, extra fields, `expires_in` as a string, other error bodies.
 */
let server: Server | null = null;

async function provincialAnswering(
  route: (method: string, path: string) => { status: number; body: string },
): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/oauth/token') {
        res.end(JSON.stringify({ access_token: 't1', token_type: 'Bearer', expires_in: '3600' }));
        return;
      }
      const r = route(req.method ?? 'GET', (req.url ?? '/').split('?')[0]!);
      res.statusCode = r.status;
      res.end(r.body);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  server = null;
});

const client = (baseUrl: string) =>
  createProvincialClient({ baseUrl, clientId: 'c', clientSecret: 's', timeoutMs: 1000 });
const dossier = { MaHoSo: 'H56-1' } as Parameters<ReturnType<typeof createProvincialClient>['handOff']>[0];

describe('provincial answers read tolerantly', () => {
  it('a hand-off acknowledged with a numeric id, no duplicate flag and extra fields', async () => {
    const url = await provincialAnswering(() => ({
      status: 201,
      body: '{"id":4711,"MaHoSo":"H56-1","receivedAt":"2025-07-16T09:00:00+07:00"}',
    }));
    expect(await client(url).handOff({ ...dossier, files: [] }, 'k1')).toEqual({ remoteId: '4711', duplicate: false });
  });

  it('a status page with numbers as strings and strings as numbers', async () => {
    const url = await provincialAnswering(() => ({
      status: 200,
      body: JSON.stringify({
        feedId: 'f1',
        next: 7,
        hasMore: 'false',
        items: [
          {
            seq: '7',
            MaHoSo: 'H56-1',
            TrangThaiHoSo: 4,
            ThoiDiem: '2025-07-16T09:00:00+07:00',
            GhiChu: null,
            extra: 1,
          },
        ],
      }),
    }));
    const page = await client(url).statusChanges(null, 10);
    expect(page).toMatchObject({ feedId: 'f1', cursor: '7', hasMore: false });
    expect(page.changes[0]).toMatchObject({ seq: 7, dossierCode: 'H56-1', status: 4, note: '' });
  });

  it.each([
    ['{"error":{"code":42,"message":"Hồ sơ thiếu thành phần"}}', 'Hồ sơ thiếu thành phần', '42'],
    ['{"code":"E_FIELD","message":"Thiếu MaHoSo"}', 'Thiếu MaHoSo', 'E_FIELD'],
    ['{"error":"Không hợp lệ"}', 'Không hợp lệ', null],
    ['<html>Bad Request</html>', 'HTTP 422', null],
  ])('a refusal written as %s keeps its words', async (body, message, code) => {
    const url = await provincialAnswering(() => ({ status: 422, body }));
    await expect(client(url).handOff({ ...dossier, files: [] }, 'k1')).rejects.toMatchObject({
      code: 'REMOTE_REJECTED',
      retryable: false,
      message: `POST /api/dossiers rejected: ${message}`,
      details: { remoteCode: code },
    });
  });

  it('a status outside 1-10 or an acknowledgement of another dossier is still a bad answer', async () => {
    let body = '{"id":"1","duplicate":false,"MaHoSo":"H56-2"}';
    const url = await provincialAnswering(() => ({ status: 200, body }));
    await expect(client(url).handOff({ ...dossier, files: [] }, 'k1')).rejects.toMatchObject({
      code: 'REMOTE_BAD_RESPONSE',
    });
    body = JSON.stringify({
      feedId: 'f1',
      next: '1',
      hasMore: false,
      items: [{ seq: 1, MaHoSo: 'H56-1', TrangThaiHoSo: 11, ThoiDiem: '2025-07-16T09:00:00+07:00' }],
    });
    await expect(client(url).statusChanges(null, 10)).rejects.toMatchObject({ code: 'REMOTE_BAD_RESPONSE' });
  });
});
