import { AppError, type ResultOf } from '../../common/contract';
import type { AccountsService } from '../admin/accounts.service';
import type { BatchSigning } from '../signing/batch-signing';
import type { DigitiseStation } from '../digitise/station/digitise-station';
import type { ApplicantService } from '../intake/applicant.service';
import type { IntakeService } from '../intake/intake.service';
import type { DeskQueue } from '../queue/desk-queue.port';
import type { ReturnsService } from '../returns/returns.service';
import type { DeadFilter } from '../store/outbox.repository';
import type { Store } from '../store/store';
import type { SyncService } from '../sync/sync.service';
import type { Clock } from '../kernel/clock';
import type { CallContext, Handlers, SessionUser } from './rpc-server';
import { WALL_SCREEN_NAMES, wallScreenOpenTo } from './wall-screens';

export interface HandlerDeps {
  version: string;
  trainingMode: boolean;
  agency: { id: string; name: string };
  counter: { id: string; name: string };
  trainingAccounts: { username: string; password: string; role: SessionUser['role']; displayName: string }[];
  accounts: AccountsService;
  applicants: ApplicantService;
  intake: IntakeService;
  /** The desk's own queue, or the centre's when the desk is enrolled at one. */
  queue: DeskQueue;
  store: Store;
  sync: SyncService;
  clock: Clock;
  digitise: DigitiseStation;
  signing: BatchSigning;
  returns: ReturnsService;
  /** Config `barcode.wedge`, passed to the renderer through `app.info`. */
  barcodeWedge?: { enabled: boolean; maxGapMs: number; minLength: number };
  /** Config `session`, passed to the renderer's idle timer through `app.info`. */
  session?: { idleTimeoutMinutes: number; maxHours: number };
  /** `app.info.centre`: the centre this desk is enrolled at, null when it runs alone. */
  centre?: () => NonNullable<ResultOf<'app.info'>['centre']> | null;
}

/** The optional target / dossier filter of the sync methods, without undefined keys. */
function deadFilter(p: {
  target?: 'national' | 'provincial' | 'centre' | undefined;
  dossierCode?: string | undefined;
}): DeadFilter {
  return { ...(p.target ? { target: p.target } : {}), ...(p.dossierCode ? { dossierCode: p.dossierCode } : {}) };
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
      ...(d.barcodeWedge ? { barcodeWedge: d.barcodeWedge } : {}),
      ...(d.session ? { session: d.session } : {}),
      centre: d.centre?.() ?? null,
    }),
    'auth.login': async (p, ctx) => {
      const user = await d.accounts.login(p.username, p.password);
      ctx.setUser(user);
      const resumeSecret = ctx.issueResume?.() ?? null;
      return resumeSecret === null ? user : { ...user, resumeSecret };
    },
    'auth.resume': (p, ctx) => {
      const user = ctx.resume?.(p.secret) ?? null;
      if (!user) return null;
      // The account as it is now: removed, locked or given another role since the login ends the grant.
      const account = d.store.accounts.get(user.username);
      if (
        !account ||
        account.role !== user.role ||
        (account.lockedUntil !== null && account.lockedUntil > d.clock.now())
      ) {
        ctx.setUser(null);
        return null;
      }
      d.store.audit.append({
        at: d.clock.localNow(),
        actor: user.username,
        action: 'auth.resume',
        entity: 'account',
        entityId: user.username,
        details: {},
      });
      return user;
    },
    'auth.logout': (_p, ctx) => {
      d.accounts.logout(userOf(ctx));
      ctx.setUser(null);
      return { done: true as const };
    },
    'auth.me': (_p, ctx) => ctx.user,
    'auth.lock': (_p, ctx) => {
      userOf(ctx);
      ctx.session?.lock();
      return { done: true as const };
    },
    'auth.unlock': async (p, ctx) => {
      const user = await d.accounts.unlockSession(userOf(ctx), p.password);
      ctx.session?.unlock();
      return user;
    },
    'auth.logoutEverywhere': (_p, ctx) => {
      d.accounts.logoutEverywhere(userOf(ctx));
      ctx.session?.endAll();
      return { done: true as const };
    },
    'auth.changePassword': async (p, ctx) => {
      await d.accounts.changePassword(userOf(ctx), p.current, p.next);
      ctx.session?.endOthers();
      return { done: true as const };
    },
    'auth.wallScreen': (p, ctx) => {
      const user = userOf(ctx);
      if (!wallScreenOpenTo(p.screen, user.role))
        throw new AppError('FORBIDDEN', `Vai trò ${user.role} không được mở màn hình ${WALL_SCREEN_NAMES[p.screen]}.`);
      // Audited once per session: a reload repeats the call on the same, already narrowed session.
      if (ctx.session?.narrowTo(p.screen) ?? true) {
        d.store.audit.append({
          at: d.clock.localNow(),
          actor: user.username,
          action: 'auth.wall-screen',
          entity: 'account',
          entityId: user.username,
          details: { screen: p.screen },
        });
      }
      return { screen: p.screen };
    },

    'queue.setup': () => d.queue.setup(),
    'queue.board': () => d.queue.board(),
    'queue.state': (p) => d.queue.state(p.counter),
    'queue.callNext': (p, ctx) => d.queue.callNext(p.counter, userOf(ctx).username),
    'queue.callTicket': (p, ctx) => d.queue.callTicket(p.ticketId, p.counter, userOf(ctx).username),
    'queue.recall': (p, ctx) => d.queue.recall(p.counter, userOf(ctx).username),
    'queue.skip': (p, ctx) => d.queue.skip(p.counter, userOf(ctx).username),
    'queue.hold': (p, ctx) => d.queue.hold(p.counter, userOf(ctx).username),
    'queue.transfer': (p, ctx) => d.queue.transfer(p, userOf(ctx).username),
    'queue.finish': (p, ctx) => d.queue.finish(p.counter, p.dossierCode, userOf(ctx).username),
    'queue.takeTicket': (p, ctx) => d.queue.take(p.service, p.priority, userOf(ctx).username),
    'queue.reprint': (p, ctx) => d.queue.reprint(p.ticketId, userOf(ctx).username),
    'queue.toRate': (p) => d.queue.toRate(p.counter),
    'queue.rate': (p, ctx) => d.queue.rate(p.ticketId, p.rating, userOf(ctx).username),

    'applicant.lookup': (p, ctx) => d.applicants.lookup(p.kind, p.idNumber, userOf(ctx).username),
    'applicant.save': (p, ctx) => d.store.transaction(() => d.applicants.save(p, userOf(ctx).username)),
    'applicant.search': (p) => d.applicants.search(p.query, p.limit),

    'catalogue.search': (p) => d.store.catalogue.search(p.query, p.limit),
    'catalogue.get': (p) => d.intake.procedure(p.code),

    'intake.quote': (p) => d.intake.quote(p.procedureCode, p.channel),
    'intake.receive': (p, ctx) => d.intake.receive(p, userOf(ctx)),

    'dossier.listToday': (p) => d.store.dossiers.listReceivedOn(d.clock.today(), p.query || undefined),
    'dossier.search': (p) =>
      d.store.dossiers.search(p.query, p.limit, {
        receivedFrom: p.receivedFrom,
        receivedTo: p.receivedTo,
        status: p.status,
      }),
    'dossier.get': (p) => d.intake.get(p.code),
    'dossier.document': (p) => d.intake.document(p.code, p.kind),
    'dossier.printReceipt': (p, ctx) => d.intake.printReceipt(p.code, userOf(ctx)),
    'dossier.requestSupplement': (p, ctx) => d.intake.requestSupplement(p.code, p.missing, p.reason, userOf(ctx)),
    'dossier.refuse': (p, ctx) => d.intake.refuse(p.code, p.reasons, userOf(ctx)),

    'sync.status': () => d.sync.status(),
    'sync.deadLetters': (p) => d.sync.deadLetters(deadFilter(p), p.limit),
    'sync.retryDead': (p, ctx) =>
      d.sync.retryDead({ ...deadFilter(p), ...(p.all ? {} : { ids: p.ids ?? [] }) }, userOf(ctx).username),
    'sync.exportDead': (p) => {
      const exported = d.sync.exportDead(deadFilter(p));
      return {
        fileName: `thu-chet-${exported.generatedAt.replace(/[:T]/g, '-')}.json`,
        content: JSON.stringify(exported, null, 2),
        count: exported.count,
      };
    },
    'sync.overview': () => {
      const counts = d.store.outbox.counts();
      return {
        pending: counts.pending,
        retrying: counts.retrying,
        dead: counts.dead,
        sent: counts.sent,
        lastError: d.store.outbox.lastError(),
      };
    },

    'digitise.scanners': () => d.digitise.listScanners(),
    'digitise.startScan': (p, ctx) => d.digitise.startScan(p.scannerId, p.request, p.profile, userOf(ctx)),
    'digitise.importFiles': (p, ctx) => d.digitise.importFiles(p.files, p.profile, userOf(ctx)),
    'digitise.cancel': (p) => d.digitise.cancel(p.batchId),
    'digitise.batch': (p) => d.digitise.batch(p.batchId),
    'digitise.openBatches': () => d.digitise.openBatches(),
    'digitise.editBatch': (p, ctx) => d.digitise.editBatch(p.batchId, p.ops, userOf(ctx)),
    'digitise.finish': (p, ctx) => d.digitise.finish(p.batchId, p.group, p.metadata, p.componentCode, userOf(ctx)),
    'digitise.drafts': (p) => d.digitise.drafts.load(p.batchId),
    'digitise.saveDrafts': (p, ctx) => d.digitise.drafts.save(p.batchId, p.drafts, userOf(ctx).username),
    'digitise.pending': () => d.digitise.pendingComponents(),
    'documents.search': (p) => d.store.documents.searchText(p.query, p.limit),
    'documents.pdf': (p) => d.digitise.documentPdf(p.id),

    'signing.status': () => d.signing.status(),
    'signing.signBatch': (p, ctx) => d.signing.start(p.batchId, p.pin, userOf(ctx), p.documentIds),
    'signing.cancel': (p) => d.signing.cancel(p.jobId),
    'signing.job': (p) => d.signing.job(p.jobId),
    'signing.verify': (p) => d.signing.verify(p),

    'returns.listReady': (p) => d.returns.listReady(p.query),
    'returns.get': (p) => d.returns.get(p.code),
    'returns.handOver': (p, ctx) => d.returns.handOver(p, userOf(ctx)),
    'returns.refetch': (p) => d.returns.refetch(p.code),
    'returns.resultPdf': (p) => d.returns.resultPdf(p.code, p.resultId),
    'returns.apologyQuote': (p) => d.returns.apologyQuote(p.code, p.extensionDays),
    'returns.issueApology': (p, ctx) => d.returns.issueApology(p.code, p.extensionDays, p.reason, userOf(ctx)),
    'returns.apologyPdf': (p) => d.returns.apologyPdf(p.code, p.letterId),
    'returns.printApology': (p, ctx) => d.returns.printApology(p.code, p.letterId, userOf(ctx)),
  };
}
