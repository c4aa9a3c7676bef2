import { useI18n } from 'vue-i18n';
import { useRouter } from 'vue-router';
import { looksLikeIdCardQr, parseDossierCode } from '../../../common/domain';
import { api } from '../api';
import { useIntakeStore } from '../stores/intake';
import { useReturnsStore } from '../stores/returns';
import { useScanStore } from '../stores/scan';
import { useSessionStore } from '../stores/session';
import { FOCUS, focusById } from './use-intake-actions';

export type ScanKind = { kind: 'id-card' } | { kind: 'dossier'; code: string } | { kind: 'unknown' };

const CODE_IN_TEXT = /\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}/g;

/**
 * What a scan is: an ID card QR (12 digits and `|`, or anything with the `|` separators, so a
 * damaged card QR is reported by the ID parser rather than as unknown), a dossier code (the
 * receipt's QR holds the code, or a lookup link with exactly one code in it), or unknown.
 */
export function classifyScan(text: string): ScanKind {
  const value = text.trim();
  if (looksLikeIdCardQr(value) || value.includes('|')) return { kind: 'id-card' };
  if (parseDossierCode(value) !== null) return { kind: 'dossier', code: value };
  const found = [...new Set(value.match(CODE_IN_TEXT) ?? [])];
  if (found.length === 1 && parseDossierCode(found[0]!) !== null) return { kind: 'dossier', code: found[0]! };
  return { kind: 'unknown' };
}

const DESK_ROLES = new Set(['officer', 'supervisor', 'admin']);
const PROCESSED = 9;

/** A short, printable excerpt of an unrecognised scan for the message. */
function excerpt(text: string): string {
  const clean = text.replace(/\p{Cc}/gu, ' ').trim();
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

/**
 * Sends a scan (keyboard wedge or serial reader) to the flow it belongs to: an ID card QR to the
 * applicant step of the intake (parsed there by the same code as a QR typed into the field), a
 * dossier code to its dossier, or to the return of results ("Trả kết quả") when that dossier is
 * processed (status 9) or the return screen is open. On the return screen with a dossier open, an
 * ID card QR fills the collector's ID instead of starting an intake. Anything else gets a
 * Vietnamese message.
 */
export function useScanRouting() {
  const router = useRouter();
  const { t } = useI18n();
  const session = useSessionStore();
  const intake = useIntakeStore();
  const scans = useScanStore();
  const returns = useReturnsStore();

  /** A desk role scanning a dossier that waits for its result (or scanning on the return screen). */
  async function forReturn(code: string, role: string): Promise<boolean> {
    if (!DESK_ROLES.has(role)) return false;
    if (router.currentRoute.value.name === 'returns') return true;
    try {
      return (await api.returns.get({ code })).dossier.status === PROCESSED;
    } catch {
      return false;
    }
  }

  async function route(text: string): Promise<ScanKind> {
    const kind = classifyScan(text);
    const user = session.user;
    if (user === null) {
      scans.show('error', t('barcode.signInFirst'));
      return kind;
    }
    switch (kind.kind) {
      case 'id-card': {
        if (
          DESK_ROLES.has(user.role) &&
          router.currentRoute.value.name === 'returns' &&
          returns.current &&
          !returns.current.handOver
        ) {
          scans.clear();
          returns.collectorScanned(text);
          document.getElementById('return-collector-id')?.focus();
          return kind;
        }
        if (!DESK_ROLES.has(user.role)) {
          scans.show('error', t('barcode.idCardNotHere'));
          return kind;
        }
        scans.clear();
        if (router.currentRoute.value.path !== '/intake') await router.push('/intake');
        if (intake.draft.kind !== 'citizen') intake.setOrganisation(false);
        intake.draft.idInput = text.trim();
        const outcome = await intake.submitApplicantInput();
        if (outcome === 'invalid') await focusById(FOCUS.applicant, true);
        // A card differing from the stored person: the officer decides in the diff panel first.
        else if (intake.draft.personDiff) await focusById('person-diff');
        else if (!intake.draft.person.fullName) await focusById('person-fullName');
        else if (!intake.draft.procedure) await focusById(FOCUS.procedure);
        return kind;
      }
      case 'dossier':
        if (await forReturn(kind.code, user.role)) {
          scans.show('info', t('barcode.openingReturn', { code: kind.code }));
          await router.push(`/returns/${encodeURIComponent(kind.code)}`);
          return kind;
        }
        scans.show('info', t('barcode.openingDossier', { code: kind.code }));
        await router.push(`/dossier/${encodeURIComponent(kind.code)}`);
        return kind;
      case 'unknown':
        scans.show('error', t('barcode.unrecognised', { text: excerpt(text) }));
        return kind;
    }
  }

  return { route };
}
