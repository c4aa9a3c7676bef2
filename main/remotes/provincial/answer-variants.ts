import type { SimReply } from '../simulator-server';

/**
 * How integrations of the provincial resolution system's gateway write the same answer. The
 * provincial twin answers in any one of these (`answers` option, or `{ "answers": "<name>" }` on
 * `POST /__sim/faults`), and the sync fault matrix and the crash test run against every one
 * (docs/architecture.md, "Sync" → answers). `provincial.client.ts` must read all of them the
 * same way.
 *
 * A variant rewrites the twin's canonical reply: `{ id, duplicate, MaHoSo, idempotencyKey }` for
 * a hand-off, `{ feedId, items, next, hasMore }` for the status feed, `{ access_token,
 * token_type, expires_in }` for a token, `{ error: { code, message } }` for any refusal.
 */
export const PROVINCIAL_ANSWER_VARIANTS = [
  'canonical',
  'numeric-ids',
  'strings-for-numbers',
  'code-message-errors',
  'text-errors',
  'ok-with-error-body',
  'extra-fields',
] as const;
export type ProvincialAnswerVariantName = (typeof PROVINCIAL_ANSWER_VARIANTS)[number];

/** Which answer of the protocol a reply is. */
export type ProvincialAnswerKind = 'token' | 'hand-off' | 'status-changes' | 'other';

export interface ProvincialAnswerVariant {
  name: ProvincialAnswerVariantName;
  /** One line for people choosing a variant by hand (`npm run simulators`). */
  description: string;
  /** The reply as this variant writes it (the canonical one is left untouched). */
  render(kind: ProvincialAnswerKind, reply: SimReply): SimReply;
}

type Json = Record<string, unknown>;

function jsonOf(reply: SimReply): Json | null {
  if (!('json' in reply)) return null;
  const body = reply.json;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Json) : null;
}

/** `{ error: { code, message } }` of a gateway refusal (not the OAuth `{ error: "invalid_client" }`). */
function refusalOf(reply: SimReply): { code: string; message: string } | null {
  const body = jsonOf(reply);
  const error = body?.['error'];
  if (reply.status < 400 || typeof error !== 'object' || error === null) return null;
  const e = error as Json;
  return { code: String(e['code'] ?? ''), message: String(e['message'] ?? '') };
}

/** Rewrites the JSON body of one kind of successful answer; anything else passes unchanged. */
function rewrite(
  kind: ProvincialAnswerKind,
  reply: SimReply,
  change: Partial<Record<ProvincialAnswerKind, (body: Json) => Json>>,
): SimReply {
  const body = jsonOf(reply);
  const fn = change[kind];
  if (body === null || fn === undefined || reply.status >= 400) return reply;
  return { ...reply, json: fn(body) };
}

/** `HTTT-000123` → 123: the system numbers its dossiers. */
function numericId(id: unknown): unknown {
  const m = typeof id === 'string' ? /(\d+)$/.exec(id) : null;
  return m ? Number(m[1]) : id;
}

const VARIANTS: Record<ProvincialAnswerVariantName, ProvincialAnswerVariant> = {
  canonical: {
    name: 'canonical',
    description:
      'ids as strings, duplicate always present, seq a number, TrangThaiHoSo a string, hasMore a boolean, refusals { error: { code, message } } with HTTP 4xx',
    render: (_kind, reply) => reply,
  },
  'numeric-ids': {
    name: 'numeric-ids',
    description: 'a hand-off id as a number (4711) and `duplicate` only on repeats',
    render: (kind, reply) =>
      rewrite(kind, reply, {
        'hand-off': ({ duplicate, ...b }) => ({
          ...b,
          id: numericId(b['id']),
          ...(duplicate === true ? { duplicate: true } : {}),
        }),
      }),
  },
  'strings-for-numbers': {
    name: 'strings-for-numbers',
    description:
      'seq as a string, TrangThaiHoSo as a number, next as a number, hasMore and duplicate as "true"/"false", expires_in as a string',
    render: (kind, reply) =>
      rewrite(kind, reply, {
        token: (b) => ({ ...b, expires_in: String(b['expires_in']) }),
        'hand-off': (b) => ({ ...b, duplicate: String(b['duplicate'] === true) }),
        'status-changes': (b) => ({
          ...b,
          next: Number(b['next']),
          hasMore: String(b['hasMore'] === true),
          items: (b['items'] as Json[]).map((i) => ({
            ...i,
            seq: String(i['seq']),
            TrangThaiHoSo: Number(i['TrangThaiHoSo']),
          })),
        }),
      }),
  },
  'code-message-errors': {
    name: 'code-message-errors',
    description: 'refusals as { code, message } at the top level (same HTTP status)',
    render: (_kind, reply) => {
      const refusal = refusalOf(reply);
      return refusal ? { ...reply, json: { code: refusal.code, message: refusal.message } } : reply;
    },
  },
  'text-errors': {
    name: 'text-errors',
    description: 'refusals as { error: "message" } (same HTTP status, no code)',
    render: (_kind, reply) => {
      const refusal = refusalOf(reply);
      return refusal ? { ...reply, json: { error: refusal.message } } : reply;
    },
  },
  'ok-with-error-body': {
    name: 'ok-with-error-body',
    description:
      'refusals (HTTP 400/404/409/422) answered HTTP 200 with the error body; an invalid token stays HTTP 401',
    render: (_kind, reply) => (refusalOf(reply) && reply.status !== 401 ? { ...reply, status: 200 } : reply),
  },
  'extra-fields': {
    name: 'extra-fields',
    description:
      'acknowledgements, feed pages, items and tokens carry extra fields (status, receivedAt, links, scope, ...)',
    render: (kind, reply) =>
      rewrite(kind, reply, {
        token: (b) => ({ ...b, scope: 'dossier.write status.read', issued_at: Date.now() }),
        'hand-off': (b) => ({
          ...b,
          status: 'RECEIVED',
          receivedAt: new Date().toISOString(),
          links: { self: `/api/dossiers/${String(b['id'])}` },
          warnings: [],
        }),
        'status-changes': (b) => ({
          ...b,
          total: (b['items'] as Json[]).length,
          items: (b['items'] as Json[]).map((i) => ({ ...i, DonViXuLy: 'Sở Tư pháp', nguoiCapNhat: null })),
        }),
      }),
  },
};

export function provincialAnswerVariant(name: ProvincialAnswerVariantName): ProvincialAnswerVariant {
  return VARIANTS[name];
}

export function isProvincialAnswerVariantName(value: unknown): value is ProvincialAnswerVariantName {
  return typeof value === 'string' && (PROVINCIAL_ANSWER_VARIANTS as readonly string[]).includes(value);
}
