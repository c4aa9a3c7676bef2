import { AppError } from '../../common/contract';
import type { AccountsService } from '../admin/accounts.service';
import type { DigitiseStation } from '../digitise/station/digitise-station.service';
import type { ApplicantService } from '../intake/applicant.service';
import type { IntakeService } from '../intake/intake.service';
import type { CounterQueue } from '../queue/queue.port';
import type { Store } from '../store/store';
import type { Clock } from './clock';
import type { CallContext, Handlers, SessionUser } from './rpc-server';

export interface HandlerDeps {
  version: string;
  trainingMode: boolean;
  agency: { id: string; name: string };
  counter: { id: string; name: string };
  trainingAccounts: { username: string; password: string; role: SessionUser['role']; displayName: string }[];
  accounts: AccountsService;
  applicants: ApplicantService;
  intake: IntakeService;
  queue: CounterQueue;
  store: Store;
  clock: Clock;
  digitise: DigitiseStation;
}

function userOf(ctx: CallContext): SessionUser {
  if (!ctx.user) throw new AppError('UNAUTHENTICATED', 'Cần đăng nhập.');
  return ctx.user;
}

/** Maps every contract method to its service call. Thin on purpose: rules live in the services. */
export function createHandlers(d: HandlerDeps): Handlers {
  return {
    'app.info': () => ({
      version: d.version,
      trainingMode: d.trainingMode,
      agencyId: d.agency.id,
      agencyName: d.agency.name,
      counter: d.counter.name,
      trainingAccounts: d.trainingMode ? d.trainingAccounts : [],
    }),
    'auth.login': (p, ctx) => {
      const user = d.accounts.login(p.username, p.password);
      ctx.setUser(user);
      return user;
    },
    'auth.logout': (_p, ctx) => {
      d.accounts.logout(userOf(ctx));
      ctx.setUser(null);
      return { done: true as const };
    },
    'auth.me': (_p, ctx) => ctx.user,

    'queue.state': () => d.queue.state(),
    'queue.callNext': () => d.queue.callNext(),
    'queue.recall': () => d.queue.recall(),
    'queue.skip': () => d.queue.skip(),
    'queue.takeTicket': (p) => d.queue.take(p.service, p.priority),

    'applicant.lookup': (p, ctx) => d.applicants.lookup(p.kind, p.idNumber, userOf(ctx).username),
    'applicant.save': (p, ctx) => d.store.transaction(() => d.applicants.save(p, userOf(ctx).username)),
    'applicant.search': (p) => d.applicants.search(p.query, p.limit),

    'catalogue.search': (p) => d.store.catalogue.search(p.query, p.limit),
    'catalogue.get': (p) => d.intake.procedure(p.code),

    'intake.quote': (p) => d.intake.quote(p.procedureCode, p.channel),
    'intake.receive': (p, ctx) => d.intake.receive(p, userOf(ctx)),

    'dossier.listToday': (p) => d.store.dossiers.listReceivedOn(d.clock.today(), p.query || undefined),
    'dossier.search': (p) => d.store.dossiers.search(p.query, p.limit),
    'dossier.get': (p) => d.intake.get(p.code),
    'dossier.document': (p) => d.intake.document(p.code, p.kind),
    'dossier.printReceipt': (p, ctx) => d.intake.printReceipt(p.code, userOf(ctx)),
    'dossier.requestSupplement': (p, ctx) => d.intake.requestSupplement(p.code, p.missing, p.reason, userOf(ctx)),
    'dossier.refuse': (p, ctx) => d.intake.refuse(p.code, p.reasons, userOf(ctx)),

    'sync.overview': () => {
      const counts = d.store.outbox.counts();
      return { pending: counts.pending, retrying: counts.retrying, dead: counts.dead, sent: counts.sent, lastError: d.store.outbox.lastError() };
    },

    'digitise.scanners': () => d.digitise.listScanners(),
    'digitise.startScan': (p, ctx) => d.digitise.startScan(p.scannerId, p.request, p.profile, userOf(ctx)),
    'digitise.importFiles': (p, ctx) => d.digitise.importFiles(p.files, p.profile, userOf(ctx)),
    'digitise.cancel': (p) => d.digitise.cancel(p.batchId),
    'digitise.batch': (p) => d.digitise.batch(p.batchId),
    'digitise.openBatches': () => d.digitise.openBatches(),
    'digitise.editBatch': (p, ctx) => d.digitise.editBatch(p.batchId, p.ops, userOf(ctx)),
    'digitise.finish': (p, ctx) => d.digitise.finish(p.batchId, p.group, p.metadata, p.componentCode, userOf(ctx)),
    'digitise.pending': () => d.digitise.pendingComponents(),
    'documents.search': (p) => d.store.documents.searchText(p.query, p.limit),
  };
}
