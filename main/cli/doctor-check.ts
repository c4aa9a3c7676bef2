/** What one check of `motcua-desk doctor` reports (doctor.command.ts prints and counts them). */
export type CheckStatus = 'ok' | 'warn' | 'fail';
export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
}
