import { z } from 'zod';
import { Channel, DossierStatus, LocalDate, LocalDateTime, SatisfactionRating } from '../../../common/contract';

/**
 * Dossier number leases and the replication of a desk's day (docs/architecture.md, "Centre"):
 * `POST /api/v1/numbers/lease` and `POST /api/v1/replicate`, JSON over mutual TLS like the rest
 * of wire-centre.ts.
 *
 * Replicated payloads are STRICT: a field the centre does not know refuses the entry (never
 * silently dropped). The centre keeps no personal data but a masked ID and the desk's HMAC key of
 * the applicant, and an unknown field could carry a name; a desk that sends more needs a centre of
 * its version first. Times inside payloads are Vietnam wall-clock `YYYY-MM-DDTHH:mm` as the desk
 * shows them; the entry's `at` (epoch ms, the desk's clock) orders the entries of one dossier.
 */

/** `POST /api/v1/numbers/lease`: a block of the agency's numbers 1-8999 for a day. */
export const LeaseRequest = z.strictObject({
  agencyId: z.string().min(1).max(40),
  /** Receipt day `YYYY-MM-DD`, today … +7 days on the centre's clock. */
  date: LocalDate,
  /**
   * How many numbers the desk would like. A hint only: the centre hands out whole blocks of its
   * `numbers.blockSize` (the last block of a day is shorter); the desk takes what it gets.
   */
  count: z.number().int().min(1).max(8999).optional(),
});
export type LeaseRequest = z.infer<typeof LeaseRequest>;

/** The block, both ends included. */
export const LeaseAnswer = z.object({
  agencyId: z.string(),
  date: LocalDate,
  from: z.number().int().min(1).max(8999),
  to: z.number().int().min(1).max(8999),
});
export type LeaseAnswer = z.infer<typeof LeaseAnswer>;

export const MAX_REPLICATION_BATCH = 500;
/** Size of one entry's payload as JSON (UTF-8 bytes). */
export const MAX_REPLICATION_PAYLOAD_BYTES = 64 * 1024;
export const MAX_REPLICATION_KEY_LENGTH = 120;

const Code = z.string().min(1).max(60);
const Officer = z.string().min(1).max(60);
const Text = (max: number) => z.string().min(1).max(max);
const DocumentCode = z.string().min(1).max(40);

/** How a component of a received dossier came (docs/domain.md §3, components). */
export const ReplicatedComponentSource = z.enum(['paper', 'reused', 'digitised', 'to-digitise']);

export const DossierReceivedPayload = z.strictObject({
  code: Code,
  agencyId: z.string().min(1).max(40),
  procedureCode: Text(100),
  procedureName: Text(1000),
  channel: Channel,
  officer: Officer,
  counter: z.string().min(1).max(20).nullable(),
  receivedAt: LocalDateTime,
  appointmentAt: LocalDateTime.nullable(),
  /** The desk's keyed hash (HMAC) of the applicant's ID number, hex: links one applicant's dossiers. */
  applicantKey: z.string().regex(/^[0-9a-f]{32,128}$/, 'hex'),
  /** `maskIdNumber` of the ID number (e.g. `00120****567`); anything still readable is refused. */
  applicantIdMasked: z.string().min(1).max(20),
  components: z.array(z.strictObject({ code: Text(100), name: Text(500), source: ReplicatedComponentSource })).max(100),
  /** Whole đồng collected; null: none. */
  fee: z.number().int().min(0).max(1_000_000_000).nullable(),
  ticketId: z.number().int().nullable(),
  ticketNumber: z.string().min(1).max(20).nullable(),
});

export const DossierStatusPayload = z.strictObject({
  code: Code,
  status: DossierStatus,
  at: LocalDateTime,
  officer: Officer,
});

export const DocumentDigitisedPayload = z.strictObject({
  dossierCode: Code.nullable(),
  documentCode: DocumentCode,
  pages: z.number().int().min(1).max(10_000),
  officer: Officer,
  at: LocalDateTime,
});

export const DocumentSignedPayload = z.strictObject({
  dossierCode: Code.nullable(),
  documentCode: DocumentCode,
  /** The signing certificate's subject as the desk shows it (an officer or the agency, not an applicant). */
  signer: Text(200),
  officer: Officer,
  at: LocalDateTime,
});

/** Who took the result: the applicant, an authorised person, or sent by post. */
export const ReturnOutcome = z.enum(['applicant', 'authorised', 'post']);

export const DossierReturnedPayload = z.strictObject({
  code: Code,
  at: LocalDateTime,
  officer: Officer,
  outcome: ReturnOutcome,
});

export const DossierRatedPayload = z.strictObject({
  code: Code,
  rating: SatisfactionRating,
  at: LocalDateTime,
});

const envelope = {
  key: z.string().min(1).max(MAX_REPLICATION_KEY_LENGTH),
  /** Epoch ms on the desk's clock when the change happened. */
  at: z.number().int().min(946_684_800_000).max(4_102_444_800_000),
};

/** One replicated entry; `key` is the desk's idempotency key (`<device id>:<outbox id>`). */
export const ReplicationEntry = z.discriminatedUnion('kind', [
  z.strictObject({ ...envelope, kind: z.literal('dossier.received'), payload: DossierReceivedPayload }),
  z.strictObject({ ...envelope, kind: z.literal('dossier.status'), payload: DossierStatusPayload }),
  z.strictObject({ ...envelope, kind: z.literal('document.digitised'), payload: DocumentDigitisedPayload }),
  z.strictObject({ ...envelope, kind: z.literal('document.signed'), payload: DocumentSignedPayload }),
  z.strictObject({ ...envelope, kind: z.literal('dossier.returned'), payload: DossierReturnedPayload }),
  z.strictObject({ ...envelope, kind: z.literal('dossier.rated'), payload: DossierRatedPayload }),
]);
export type ReplicationEntry = z.infer<typeof ReplicationEntry>;
export type ReplicationKind = ReplicationEntry['kind'];
export const REPLICATION_KINDS: readonly ReplicationKind[] = [
  'dossier.received',
  'dossier.status',
  'document.digitised',
  'document.signed',
  'dossier.returned',
  'dossier.rated',
];

/**
 * `POST /api/v1/replicate`. Entries are checked one by one by the centre (a bad one is refused
 * alone), so the request is only a list; `ReplicationIngest` refuses the whole request, with a
 * Vietnamese message, when it holds more than {@link MAX_REPLICATION_BATCH} entries.
 */
export const ReplicateRequest = z.strictObject({ entries: z.array(z.unknown()) });
export type ReplicateRequest = z.infer<typeof ReplicateRequest>;

/**
 * Per entry, in the order sent: `stored` (new), `duplicate` (this key was stored before: done),
 * `rejected` (will never be stored as sent: the desk marks it dead and shows `error.message`).
 * `key` is null when the entry had no usable key.
 */
export const ReplicationResult = z.object({
  key: z.string().nullable(),
  outcome: z.enum(['stored', 'duplicate', 'rejected']),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type ReplicationResult = z.infer<typeof ReplicationResult>;

export const ReplicateAnswer = z.object({ results: z.array(ReplicationResult) });
export type ReplicateAnswer = z.infer<typeof ReplicateAnswer>;
