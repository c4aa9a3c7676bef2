import type { ResultOf } from '../../../common/contract';
import { knownCodeIn } from './error-text';

type Translate = (key: string, named?: Record<string, unknown>) => string;
type Exists = (key: string) => boolean;
type DeadLetter = ResultOf<'sync.deadLetters'>[number];

/** Where a sync failure's code is worded: the app's error codes, then the sender's own (`PAYLOAD_INVALID`). */
const SYNC_GROUPS = ['errors', 'syncView.codes'] as const;

/**
 * A sync failure the core recorded as text (a breaker's last error, the outbox's last error) in
 * words, by the code in it; text without a known code reads as "unknown error", never as itself.
 * A refusal keeps the remote's own words (`remoteWords`), quoted under a locale label.
 */
export function syncErrorText(text: string | null | undefined, t: Translate, te: Exists): string {
  if (!text) return '';
  const words = remoteWords(text);
  const code = knownCodeIn(text, te, SYNC_GROUPS) ?? (words === null ? null : 'REMOTE_REJECTED');
  const base =
    code === null
      ? t('syncView.unknownError')
      : te(`errors.${code}`)
        ? t(`errors.${code}`)
        : t(`syncView.codes.${code}`);
  return words === null ? base : `${base} ${t('syncView.remoteSaid', { words })}`;
}

/**
 * The remote's own words when it refused a row (`… rejected: <words>`): the reason the officer
 * must fix in the dossier. Shown quoted under a locale label, as the remote's data, never as ours.
 */
export function remoteWords(error: string | null): string | null {
  const m = error ? /rejected: (.+)$/u.exec(error) : null;
  const words = m?.[1]?.trim() ?? '';
  return words === '' ? null : words.slice(0, 300);
}

/** Why a row stopped and what to do, from the locale by its reason and code (`syncView.deadWhy.*`). */
export function deadLetterText(
  d: Pick<DeadLetter, 'target' | 'reason' | 'attempts' | 'errorCode' | 'error'>,
  t: Translate,
  te: Exists,
): string {
  const remote = t(`remote.${d.target}`);
  switch (d.reason) {
    case 'invalid':
      return t('syncView.deadWhy.invalid', { remote });
    case 'exhausted': {
      const why =
        d.errorCode && te(`syncView.whyCode.${d.errorCode}`)
          ? t(`syncView.whyCode.${d.errorCode}`)
          : t('syncView.whyCode.other');
      return t('syncView.deadWhy.exhausted', { remote, attempts: d.attempts, why });
    }
    case 'rejected': {
      const words = remoteWords(d.error);
      const text = t('syncView.deadWhy.rejected', { remote });
      return words === null ? text : `${text} ${t('syncView.remoteSaid', { words })}`;
    }
  }
}
