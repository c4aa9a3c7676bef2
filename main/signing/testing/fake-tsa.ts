/**
 * A local RFC 3161 timestamp authority over HTTP for tests: parses the TimeStampReq, makes a
 * TSTInfo and signs it with a test key through our own CMS code. `failNext()` answers HTTP 500 once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { SigningKey } from '../../../drivers/token/signing-key.port';
import { createSignedData, OID, sha256, toArrayBuffer } from '../cms';

export interface FakeTsa {
  url: string;
  requests: number;
  failNext(): void;
  close(): Promise<void>;
}

export async function startFakeTsa(key: SigningKey): Promise<FakeTsa> {
  let serial = 1;
  let fail = false;
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        state.requests++;
        if (fail || req.headers['content-type'] !== 'application/timestamp-query') {
          fail = false;
          res.writeHead(500).end();
          return;
        }
        const tsReq = pkijs.TimeStampReq.fromBER(toArrayBuffer(new Uint8Array(Buffer.concat(chunks))));
        const tstInfo = new pkijs.TSTInfo({
          version: 1,
          policy: '1.3.6.1.4.1.99999.1.1',
          messageImprint: tsReq.messageImprint,
          serialNumber: new asn1js.Integer({ value: serial++ }),
          genTime: new Date(Math.floor(Date.now() / 1000) * 1000),
          accuracy: new pkijs.Accuracy({ seconds: 1 }),
          ...(tsReq.nonce ? { nonce: tsReq.nonce } : {}),
        });
        const tstDer = new Uint8Array(tstInfo.toSchema().toBER());
        const parts = await createSignedData({
          key,
          contentDigest: sha256(tstDer),
          contentType: OID.tstInfo,
          eContent: tstDer,
        });
        const token = asn1js.fromBER(toArrayBuffer(parts.encode())).result;
        const resp = new asn1js.Sequence({
          value: [new asn1js.Sequence({ value: [new asn1js.Integer({ value: 0 })] }), token],
        });
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(Buffer.from(resp.toBER()));
      })().catch(() => res.writeHead(500).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    get requests() {
      return state.requests;
    },
    failNext() {
      fail = true;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
