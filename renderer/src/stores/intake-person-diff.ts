import type { Person, PersonCardField } from '../../../common/contract';
import type { IdCardData } from '../../../common/domain';
import type { PersonDiffRow, PersonDraft } from './intake-draft';

/** The card fields in the order the diff shows them. */
export const PERSON_CARD_FIELDS: readonly PersonCardField[] = [
  'fullName',
  'birthDate',
  'sex',
  'address',
  'oldIdNumber',
  'idIssueDate',
];

/** A scanned card as the person form's card fields. */
export function cardAsPerson(card: IdCardData): Pick<PersonDraft, PersonCardField> {
  return {
    fullName: card.fullName,
    birthDate: card.birthDate,
    sex: card.sex,
    address: card.address,
    oldIdNumber: card.oldIdNumber ?? '',
    idIssueDate: card.issueDate,
  };
}

const same = (a: string, b: string): boolean =>
  a.normalize('NFC').replace(/\s+/gu, ' ').trim() === b.normalize('NFC').replace(/\s+/gu, ' ').trim();

/** The card fields where the scanned card differs from the stored person, none ticked. */
export function personDiffRows(stored: Person, card: IdCardData): PersonDiffRow[] {
  const scanned = cardAsPerson(card);
  const rows: PersonDiffRow[] = [];
  for (const field of PERSON_CARD_FIELDS) {
    const storedValue = stored[field] ?? '';
    if (!same(storedValue, scanned[field]))
      rows.push({ field, stored: storedValue, scanned: scanned[field], accept: false });
  }
  return rows;
}
