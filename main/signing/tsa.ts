/**
 * RFC 3161 timestamps. The signing service asks a `TimestampAuthority` for a token over the
 * SHA-256 of a signature value; `HttpTimestampAuthority` speaks the HTTP transport
 * (`application/timestamp-query` → `application/timestamp-reply`). Tests use a local fake server.
 */
import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID, toArrayBuffer } from './cms';

export interface TimestampAuthority {
  /**
   * Returns a timestamp token (ContentInfo with SignedData over a TSTInfo, DER) whose message
   * imprint is `digest` (SHA-256). Throws `TimestampError` when the authority fails or answers badly.
   */
  timestamp(digest: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
}

export class TimestampError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimestampError';
  }
}

export function buildTimestampRequest(digest: Uint8Array, nonce: Uint8Array): Uint8Array {
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(digest) }),
    }),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }),
    certReq: true,
  });
  return new Uint8Array(req.toSchema().toBER());
}

export interface TimestampInfo {
  genTime: Date;
  hashAlgorithm: string;
  hashedMessage: Uint8Array;
  nonce: Uint8Array | null;
  serialNumber: string;
}

/** Reads the TSTInfo out of a token (no signature check; `verify.ts` does that). */
export function readTimestampToken(tokenDer: Uint8Array): {
  signedData: pkijs.SignedData;
  info: TimestampInfo;
  tstInfoDer: Uint8Array;
} {
  const ci = pkijs.ContentInfo.fromBER(toArrayBuffer(tokenDer));
  if (ci.contentType !== OID.signedData) throw new TimestampError('timestamp token is not SignedData');
  const signedData = new pkijs.SignedData({ schema: ci.content });
  const eci = signedData.encapContentInfo;
  if (eci.eContentType !== OID.tstInfo || !eci.eContent) throw new TimestampError('timestamp token carries no TSTInfo');
  const tstInfoDer = new Uint8Array(eci.eContent.getValue());
  const tst = pkijs.TSTInfo.fromBER(toArrayBuffer(tstInfoDer));
  return {
    signedData,
    tstInfoDer,
    info: {
      genTime: tst.genTime,
      hashAlgorithm: tst.messageImprint.hashAlgorithm.algorithmId,
      hashedMessage: new Uint8Array(tst.messageImprint.hashedMessage.valueBlock.valueHexView),
      nonce: tst.nonce ? new Uint8Array(tst.nonce.valueBlock.valueHexView) : null,
      serialNumber: Buffer.from(tst.serialNumber.valueBlock.valueHexView).toString('hex'),
    },
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function stripLeadingZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

export interface HttpTimestampAuthorityOptions {
  url: string;
  timeoutMs?: number;
  /** Extra request headers (e.g. basic authentication some authorities require). */
  headers?: Record<string, string>;
}

export class HttpTimestampAuthority implements TimestampAuthority {
  constructor(private readonly options: HttpTimestampAuthorityOptions) {}

  async timestamp(digest: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const nonce = randomBytes(8);
    nonce[0] = nonce[0]! & 0x7f; // a positive INTEGER
    const body = buildTimestampRequest(digest, nonce);
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 15_000);
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query', ...this.options.headers },
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new TimestampError(`timestamp authority unreachable: ${(err as Error).message}`);
    }
    if (!response.ok) throw new TimestampError(`timestamp authority answered HTTP ${response.status}`);
    const reply = new Uint8Array(await response.arrayBuffer());
    let resp: pkijs.TimeStampResp;
    try {
      resp = pkijs.TimeStampResp.fromBER(toArrayBuffer(reply));
    } catch {
      throw new TimestampError('timestamp authority answered something that is not a TimeStampResp');
    }
    const status = resp.status.status;
    if ((status !== 0 && status !== 1) || !resp.timeStampToken) {
      throw new TimestampError(`timestamp authority refused the request (status ${status})`);
    }
    const token = new Uint8Array(resp.timeStampToken.toSchema().toBER());
    const { info } = readTimestampToken(token);
    if (info.hashAlgorithm !== OID.sha256 || !sameBytes(info.hashedMessage, digest)) {
      throw new TimestampError('timestamp token is over another message');
    }
    if (!info.nonce || !sameBytes(stripLeadingZeros(info.nonce), stripLeadingZeros(nonce))) {
      throw new TimestampError('timestamp token nonce does not match the request');
    }
    return token;
  }
}
