import { z } from 'zod';
import { TEXT_LIMITS } from '../domain/text-safety';
import { PersonCardField } from './applicant';
import { define, DESK } from './define';
import {
  Channel,
  CODE_LIMITS,
  ComponentSource,
  Delivery,
  Dossier,
  Fee,
  LocalDateTime,
  PersonInput,
  safeText,
} from './schemas';

// Receiving a dossier at the desk: the quote (appointment and fees) and the receipt itself.

export const ComponentChoice = z.object({
  componentCode: z.string().max(CODE_LIMITS.component),
  originals: z.number().int().min(0).max(99),
  copies: z.number().int().min(0).max(99),
  source: ComponentSource,
  reusedDocumentId: z.string().max(CODE_LIMITS.documentId).nullable().default(null),
  /** Required when source = reused: the applicant agreed to share the stored document. */
  consent: z.boolean().default(false),
});

export const ReceiveParams = z.object({
  /** Idempotency key made by the screen when the draft starts; a second Receive returns the first result. */
  requestId: z.string().uuid(),
  applicant: PersonInput,
  /**
   * The card fields of a person already stored that the officer confirmed to change. Receiving
   * writes no other card field over a stored person (a new person is stored as given).
   */
  applicantChanges: z.array(PersonCardField).max(6).default([]),
  procedureCode: z.string().min(1).max(CODE_LIMITS.procedure),
  channel: Channel,
  components: z.array(ComponentChoice).max(200),
  summary: safeText(TEXT_LIMITS.note).default(''),
  contactPhone: z.string().max(20).nullable().default(null),
  contactEmail: z.string().max(200).nullable().default(null),
  delivery: Delivery.default('desk'),
  ticketId: z.number().int().nullable().default(null),
});
export type ReceiveParams = z.input<typeof ReceiveParams>;

export const AppointmentQuote = z.object({
  receivedAt: LocalDateTime,
  appointmentAt: LocalDateTime.nullable(),
  duration: z.number().nullable(),
  unit: z.string(),
  fees: z.array(Fee),
  totalFee: z.number().int(),
  notes: z.array(z.string()),
});

export const intakeMethods = {
  'intake.quote': define(
    z.object({ procedureCode: z.string().min(1).max(CODE_LIMITS.procedure), channel: Channel }),
    AppointmentQuote,
    DESK,
  ),
  'intake.receive': define(ReceiveParams, Dossier, DESK),
} as const;
