import { z } from 'zod';
import { define, DESK, STAFF } from './define';
import { ApplicantKind, Person, PersonInput, StoredDocument } from './schemas';

// The applicant (steps 1-2 of the walk-in intake): found locally and at the national portal, saved, searched.

export const ApplicantLookup = z.object({
  /** The person as kept in the local store, if known here. */
  local: Person.nullable(),
  /** What the national portal knows (TraCuuTechID); null when unknown or unreachable. */
  national: z.object({ fullName: z.string(), verified: z.boolean() }).nullable(),
  nationalReachable: z.boolean(),
  documents: z.array(StoredDocument),
});

/** The person fields an ID card shows (docs/architecture.md, "Stored person and a differing card"). */
export const PersonCardField = z.enum(['fullName', 'birthDate', 'sex', 'address', 'oldIdNumber', 'idIssueDate']);
export type PersonCardField = z.infer<typeof PersonCardField>;

export const applicantMethods = {
  'applicant.lookup': define(
    z.object({ kind: ApplicantKind, idNumber: z.string().min(1).max(20) }),
    ApplicantLookup,
    DESK,
  ),
  'applicant.save': define(PersonInput, Person, DESK),
  'applicant.search': define(
    z.object({ query: z.string().min(1).max(100), limit: z.number().int().min(1).max(100).default(20) }),
    z.array(Person),
    STAFF,
  ),
} as const;
