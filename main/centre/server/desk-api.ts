import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { AppError, type QueueSetup } from '../../../common/contract';
import { toLocalDateTime, type Clock } from '../../kernel/clock';
import type { Logger } from '../../kernel/logger';
import { CENTRE_QUEUE_OPS, EnrolRequest, type CentreQueueOp } from '../../remotes/centre/wire-centre';
import { LeaseRequest, ReplicateRequest } from '../../remotes/centre/wire-replication';
import type { AuthenticatedDevice } from '../security/device';
import { readJsonBody, sendError, sendJson, sendThrown, RequestRefused } from './http-answers';

/**
 * The desks' API (docs/architecture.md, "Centre"): `POST /api/v1/<path>` with mutual TLS (the
 * server identified the desk and checked its clock), JSON in and out, bodies in wire-centre.ts
 * and wire-replication.ts. The counter of every queue operation is the desk device's own; the
 * officer the desk names is recorded as `device:<id>/<officer>`.
 */
export interface CentreIdentity {
  centreId: string;
  agencyId: string;
  agencyName: string;
  version: string;
}

/** The queue operations the API calls (queue/centre-queue.service.ts). */
export interface DeskQueue {
  setup(): QueueSetup;
  board(): Promise<unknown>;
  state(counter: string): Promise<unknown>;
  callNext(counter: string, actor: string): Promise<unknown>;
  callTicket(ticketId: number, counter: string, actor: string): Promise<unknown>;
  recall(counter: string, actor: string): Promise<unknown>;
  skip(counter: string, actor: string): Promise<unknown>;
  hold(counter: string, actor: string): Promise<unknown>;
  transfer(
    p: { ticketId?: number; toCounter?: string; toService?: string; counter: string },
    actor: string,
  ): Promise<unknown>;
  finish(counter: string, dossierCode: string | null, actor: string): Promise<unknown>;
  toRate(counter: string): Promise<unknown>;
  rate(ticketId: number, rating: 1 | 2 | 3, actor: string): Promise<unknown>;
  finishForDossier(ticketId: number, dossierCode: string, actor: string): Promise<void>;
}

export interface DeskApiDeps {
  identity: CentreIdentity;
  registry: {
    redeemDesk(p: {
      code: string;
      publicKeyPem: string;
    }): Promise<{ device: AuthenticatedDevice; certificatePem: string; caPem: string }>;
  };
  queue: DeskQueue;
  numbers: {
    lease(device: AuthenticatedDevice, p: { agencyId: string; date: string; count?: number }): Promise<unknown>;
  };
  ingest: { ingest(device: AuthenticatedDevice, entries: unknown[]): Promise<unknown[]> };
  clock: Clock;
  log: Logger;
}

export interface DeskApi {
  /** `path` is what follows `/api/v1/`; `device` is null only for `enrol`. */
  handle(req: IncomingMessage, res: ServerResponse, device: AuthenticatedDevice | null, path: string): Promise<void>;
}

/** "Giờ của máy trạm (07:05 ngày 2026-12-08) lệch … so với giờ của trung tâm (08:05 …)". */
export function clockSkewMessage(deskMs: number, centreMs: number): string {
  const show = (ms: number) => {
    const local = toLocalDateTime(ms);
    return `${local.slice(11, 16)} ngày ${local.slice(0, 10)}`;
  };
  const minutes = Math.round(Math.abs(deskMs - centreMs) / 60_000);
  return `Giờ của máy trạm (${show(deskMs)}) lệch ${minutes} phút so với giờ của trung tâm (${show(centreMs)}). Hãy chỉnh lại đồng hồ của máy trạm rồi thử lại.`;
}

export function enrolledDesk(device: AuthenticatedDevice): {
  id: string;
  kind: 'desk';
  name: string;
  agencyId: string;
  counter: string | null;
  deskSlot: number | null;
} {
  return {
    id: device.id,
    kind: 'desk',
    name: device.name,
    agencyId: device.agencyId,
    counter: device.counter,
    deskSlot: device.deskSlot,
  };
}

function parse<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(nội dung)'}: ${i.message}`);
  throw new AppError('VALIDATION_FAILED', `Yêu cầu không hợp lệ: ${issues.slice(0, 5).join('; ')}`, { issues });
}

function counterOf(device: AuthenticatedDevice): string {
  if (device.counter) return device.counter;
  throw new AppError(
    'QUEUE_COUNTER_UNKNOWN',
    `Máy "${device.name}" chưa được gán quầy ở trung tâm: thu hồi và ghép nối lại với --counter MÃ_QUẦY.`,
  );
}

export function createDeskApi(deps: DeskApiDeps): DeskApi {
  const { identity, queue, clock, log } = deps;
  const centre = () => ({ ...identity });

  async function queueOp(op: CentreQueueOp, device: AuthenticatedDevice, raw: unknown): Promise<unknown> {
    const params = parse(CENTRE_QUEUE_OPS[op].params, raw) as Record<string, unknown>;
    const actor = typeof params.actor === 'string' ? `device:${device.id}/${params.actor}` : `device:${device.id}`;
    switch (op) {
      case 'setup':
        // The centre has no counter of its own: for a desk, its own counter is the desk counter.
        return { ...queue.setup(), deskCounter: counterOf(device) };
      case 'board':
        return queue.board();
      case 'state':
        return queue.state(counterOf(device));
      case 'callNext':
        return queue.callNext(counterOf(device), actor);
      case 'callTicket':
        return queue.callTicket(params.ticketId as number, counterOf(device), actor);
      case 'recall':
        return queue.recall(counterOf(device), actor);
      case 'skip':
        return queue.skip(counterOf(device), actor);
      case 'hold':
        return queue.hold(counterOf(device), actor);
      case 'transfer': {
        const p: { ticketId?: number; toCounter?: string; toService?: string; counter: string } = {
          counter: counterOf(device),
        };
        if (params.ticketId !== undefined) p.ticketId = params.ticketId as number;
        if (params.toCounter !== undefined) p.toCounter = params.toCounter as string;
        if (params.toService !== undefined) p.toService = params.toService as string;
        return queue.transfer(p, actor);
      }
      case 'finish':
        return queue.finish(counterOf(device), params.dossierCode as string | null, actor);
      case 'toRate':
        return queue.toRate(counterOf(device));
      case 'rate':
        return queue.rate(params.ticketId as number, params.rating as 1 | 2 | 3, actor);
      case 'finishForDossier':
        await queue.finishForDossier(params.ticketId as number, params.dossierCode as string, actor);
        return { ok: true };
    }
  }

  async function route(path: string, device: AuthenticatedDevice | null, body: unknown): Promise<unknown> {
    if (path === 'enrol') {
      const p = parse(EnrolRequest, body);
      const redeemed = await deps.registry.redeemDesk({ code: p.code, publicKeyPem: p.publicKeyPem });
      log.log('info', 'centre.desk.enrolled', { device: redeemed.device.id, name: redeemed.device.name });
      return {
        device: enrolledDesk(redeemed.device),
        certificatePem: redeemed.certificatePem,
        caPem: redeemed.caPem,
        centre: centre(),
      };
    }
    if (!device) throw new AppError('CENTRE_NOT_ENROLLED', 'Thiết bị chưa được ghép nối với trung tâm.');
    if (path === 'hello') {
      parse(HelloParams, body);
      return { centre: centre(), time: clock.now(), device: enrolledDesk(device) };
    }
    if (path.startsWith('queue/')) {
      const op = path.slice('queue/'.length);
      if (!Object.hasOwn(CENTRE_QUEUE_OPS, op)) throw new NotFound();
      return queueOp(op as CentreQueueOp, device, body);
    }
    if (path === 'numbers/lease') {
      const p = parse(LeaseRequest, body);
      return deps.numbers.lease(device, {
        agencyId: p.agencyId,
        date: p.date,
        ...(p.count === undefined ? {} : { count: p.count }),
      });
    }
    if (path === 'replicate') {
      const p = parse(ReplicateRequest, body);
      return { results: await deps.ingest.ingest(device, p.entries) };
    }
    throw new NotFound();
  }

  return {
    async handle(req, res, device, path) {
      try {
        const body = await readJsonBody(req);
        const answer = await route(path, device, body);
        sendJson(res, 200, answer ?? null);
      } catch (err) {
        if (err instanceof NotFound) {
          sendError(res, 404, 'NOT_FOUND', `Không có thao tác ${path.slice(0, 80)} ở trung tâm.`);
          return;
        }
        if (!(err instanceof AppError) && !(err instanceof RequestRefused)) {
          log.log('error', 'centre.desk-api.failed', {
            path: path.slice(0, 80),
            device: device?.id ?? null,
            error: err instanceof Error ? err.message : String(err),
          });
        }
        sendThrown(res, err);
      }
    },
  };
}

const HelloParams = CENTRE_QUEUE_OPS.setup.params;

class NotFound extends Error {}
