import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RemoteError } from '../remote-error';
import { createProvincialClient } from './provincial.client';
import {
  startProvincialSimulator,
  TRAINING_PROVINCIAL_CLIENT,
  trainingResultPdf,
  type ProvincialSimulator,
} from './provincial.simulator';

const CODE = '000.00.12.H56-261120-0001';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RemoteError) return err.code;
    throw err;
  }
  return 'resolved';
}

describe('result files: status feed announcement and download', () => {
  let sim: ProvincialSimulator;
  beforeEach(async () => {
    sim = await startProvincialSimulator();
  });
  afterEach(async () => {
    await sim.close();
  });
  const client = () => createProvincialClient({ baseUrl: sim.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs: 1000 });

  it('announces the file with status 9 and serves the same bytes; corrupt files no longer match; unknown ids are rejected', async () => {
    const item = sim.pushResult(CODE, { documentCode: 'KQ.G15.000031', number: '12/XN' });
    const page = await client().statusChanges(null, 10);
    const result = page.changes[0]!.result!;
    const bytes = trainingResultPdf(CODE);
    expect(page.changes[0]!.status).toBe(9);
    expect(result).toEqual({
      id: item.KetQua!.id,
      fileName: `${CODE}-ket-qua.pdf`,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      documentCode: 'KQ.G15.000031',
      documentName: 'Kết quả giải quyết thủ tục hành chính',
      number: '12/XN',
      url: `${sim.url}/api/results/${item.KetQua!.id}`,
    });
    const file = await client().resultFile(result.id);
    expect(Buffer.from(file.bytes).equals(bytes)).toBe(true);
    sim.state.corruptResultFiles = true;
    const corrupt = await client().resultFile(result.id);
    expect(createHash('sha256').update(corrupt.bytes).digest('hex')).not.toBe(result.sha256);
    expect(await codeOf(client().resultFile('KQ-999999'))).toBe('REMOTE_REJECTED');
    expect(sim.state.resultDownloads).toEqual([result.id, result.id, 'KQ-999999']);
  });

  it('faults on the download are retryable', async () => {
    const item = sim.pushResult(CODE);
    sim.faults.failNext(1, 'garbage', { only: `/api/results/${item.KetQua!.id}` });
    expect(await codeOf(client().resultFile(item.KetQua!.id))).toBe('REMOTE_BAD_RESPONSE');
    sim.faults.failNext(1, '500', { only: `/api/results/${item.KetQua!.id}` });
    expect(await codeOf(client().resultFile(item.KetQua!.id))).toBe('REMOTE_UNAVAILABLE');
    expect((await client().resultFile(item.KetQua!.id)).bytes.length).toBeGreaterThan(0);
  });
});

describe('result files: a remote that answers wrongly', () => {
  let server: Server;
  let url: string;
  let answer: unknown;
  beforeEach(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/oauth/token') return res.end(JSON.stringify({ access_token: 't', expires_in: 3600 }));
      res.end(JSON.stringify(answer));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
  });
  const client = () => createProvincialClient({ baseUrl: url, clientId: 'a', clientSecret: 'b', timeoutMs: 1000 });

  it('refuses another file’s answer, non-base64 content and a malformed announcement', async () => {
    answer = { id: 'KQ-2', TenTep: 'x.pdf', base64: 'JVBERi0=' };
    expect(await codeOf(client().resultFile('KQ-1'))).toBe('REMOTE_BAD_RESPONSE');
    answer = { id: 'KQ-1', TenTep: 'x.pdf', base64: '<html>' };
    expect(await codeOf(client().resultFile('KQ-1'))).toBe('REMOTE_BAD_RESPONSE');
    answer = {
      feedId: 'f',
      next: '1',
      hasMore: false,
      items: [
        {
          seq: 1,
          MaHoSo: CODE,
          TrangThaiHoSo: '9',
          ThoiDiem: '2026-11-20T09:00:00+07:00',
          KetQua: { id: 'KQ-1', TenTep: 'x.pdf', sha256: 'abc', KichThuoc: 1, TenGiayTo: 'KQ' },
        },
      ],
    };
    expect(await codeOf(client().statusChanges(null, 10))).toBe('REMOTE_BAD_RESPONSE');
  });
});
