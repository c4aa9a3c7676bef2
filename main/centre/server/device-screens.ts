import type { z } from 'zod';
import {
  AppError,
  type contract,
  type MethodName,
  type QueueSetup,
  type ResultOf,
  type SessionUser,
  type Ticket,
  type WallScreen,
} from '../../../common/contract';
import type { AuthenticatedDevice, DeviceKind } from '../security/device';

/**
 * What a browser device paired with the centre may do (docs/architecture.md, "Centre"): the methods
 * of its kind's wall screen, the same lists as a desk window narrowed to that screen
 * (`main/core/wall-screens.ts`, `WALL_SCREEN_RULES`), and nothing else. A device never signs in:
 * its session is its wall screen for good.
 */

export type BrowserDeviceKind = Exclude<DeviceKind, 'desk'>;

export const BROWSER_DEVICE_KINDS: readonly BrowserDeviceKind[] = ['kiosk', 'display', 'rating'];

export function isBrowserDeviceKind(kind: DeviceKind): kind is BrowserDeviceKind {
  return (BROWSER_DEVICE_KINDS as readonly DeviceKind[]).includes(kind);
}

/** The renderer's wall screen of each kind of device (`#/kiosk`, `#/display`, `#/rate`). */
export const DEVICE_SCREEN: Readonly<Record<BrowserDeviceKind, WallScreen>> = {
  kiosk: 'kiosk',
  display: 'display',
  rating: 'rate',
};

/** The page the pairing sends the browser to. */
export const DEVICE_HOME: Readonly<Record<BrowserDeviceKind, string>> = {
  kiosk: '/#/kiosk',
  display: '/#/display',
  rating: '/#/rate',
};

/** The queue methods of each kind's wall screen. */
export const DEVICE_METHODS: Readonly<Record<BrowserDeviceKind, ReadonlySet<MethodName>>> = {
  kiosk: new Set(['queue.setup', 'queue.board', 'queue.takeTicket', 'queue.reprint']),
  display: new Set(['queue.board']),
  rating: new Set(['queue.toRate', 'queue.rate']),
};

/** Methods every device answers: what its page asks before and around its own calls. */
export const DEVICE_COMMON_METHODS: ReadonlySet<MethodName> = new Set([
  'app.info',
  'auth.me',
  'auth.resume',
  'auth.logout',
  'auth.wallScreen',
]);

/** The part of the centre's queue (`CentreQueueService`, queue/centre-queue.service.ts) the devices use. */
export interface DeviceQueue {
  setup(): QueueSetup;
  board(): Promise<ResultOf<'queue.board'>>;
  take(p: {
    service?: string;
    priority: boolean;
    kiosk: AuthenticatedDevice | null;
    actor: string;
  }): Promise<ResultOf<'queue.takeTicket'>>;
  reprint(ticketId: number, kiosk: AuthenticatedDevice | null, actor: string): Promise<ResultOf<'queue.reprint'>>;
  toRate(counter: string): Promise<Ticket | null>;
  rate(ticketId: number, rating: number, actor: string): Promise<Ticket>;
}

/** What `app.info` tells a device's page (its training banner). */
export interface DeviceAppInfo {
  version: string;
  trainingMode: boolean;
  agencyId: string;
  agencyName: string;
}

export function deviceActor(device: AuthenticatedDevice): string {
  return `device:${device.id}`;
}

/** `auth.me` of a device: its name, a role its wall screen's route accepts, and the screen. */
export function deviceSessionUser(device: AuthenticatedDevice & { kind: BrowserDeviceKind }): SessionUser {
  return {
    username: deviceActor(device),
    displayName: device.name,
    role: 'officer',
    wallScreen: DEVICE_SCREEN[device.kind],
  };
}

const KIND_NAMES: Readonly<Record<BrowserDeviceKind, string>> = {
  kiosk: 'máy lấy số (kiosk)',
  display: 'màn hình hiển thị số',
  rating: 'máy đánh giá mức độ hài lòng',
};

export function deviceRefusal(kind: BrowserDeviceKind, method: string): AppError {
  return new AppError('FORBIDDEN', `Thiết bị này là ${KIND_NAMES[kind]}; không được dùng ${method.slice(0, 60)}.`);
}

export function deviceMayCall(kind: BrowserDeviceKind, method: MethodName): boolean {
  return DEVICE_COMMON_METHODS.has(method) || DEVICE_METHODS[kind].has(method);
}

type ParamsOut<M extends MethodName> = z.output<(typeof contract)[M]['params']>;

/**
 * Runs one method for a device whose kind allows it (checked before), with params already parsed
 * by the contract's schema. Throws AppError for refusals the queue or the device's own rules make.
 */
export async function runDeviceMethod(
  method: MethodName,
  params: unknown,
  device: AuthenticatedDevice & { kind: BrowserDeviceKind },
  deps: { queue: DeviceQueue; info?: () => DeviceAppInfo },
): Promise<unknown> {
  const actor = deviceActor(device);
  const { queue } = deps;
  switch (method) {
    case 'app.info': {
      const info = deps.info?.() ?? { version: '', trainingMode: false, agencyId: device.agencyId, agencyName: '' };
      return { ...info, counter: device.counter ?? '', trainingAccounts: [] };
    }
    case 'auth.me':
      return deviceSessionUser(device);
    case 'auth.resume':
      // A device has no resume secret: its cookie identifies it on every connection.
      return deviceSessionUser(device);
    case 'auth.logout':
      // The pairing stays (IT revokes a device); the page keeps its screen.
      return { done: true };
    case 'auth.wallScreen': {
      const { screen } = params as ParamsOut<'auth.wallScreen'>;
      if (screen !== DEVICE_SCREEN[device.kind]) throw deviceRefusal(device.kind, `màn hình ${screen}`);
      return { screen };
    }
    case 'queue.setup': {
      // The centre has no desk of its own (deskCounter ''), which the contract's setup does not
      // allow: a device is answered with its own counter, or the first one (the kiosk reads none).
      const setup = queue.setup();
      if (setup.deskCounter !== '') return setup;
      return { ...setup, deskCounter: device.counter ?? setup.counters[0]?.id ?? '-' };
    }
    case 'queue.board':
      return queue.board();
    case 'queue.takeTicket': {
      const p = params as ParamsOut<'queue.takeTicket'>;
      return queue.take({
        ...(p.service === undefined ? {} : { service: p.service }),
        priority: p.priority,
        kiosk: device,
        actor,
      });
    }
    case 'queue.reprint':
      return queue.reprint((params as ParamsOut<'queue.reprint'>).ticketId, device, actor);
    case 'queue.toRate': {
      const p = params as ParamsOut<'queue.toRate'>;
      const counter = ownCounter(device);
      if (p.counter !== undefined && p.counter !== counter) throw deviceRefusal(device.kind, `quầy ${p.counter}`);
      return queue.toRate(counter);
    }
    case 'queue.rate': {
      const p = params as ParamsOut<'queue.rate'>;
      // Only the ticket this tablet's counter has to rate now: never another counter's.
      const due = await queue.toRate(ownCounter(device));
      if (due === null || due.id !== p.ticketId) {
        throw new AppError(
          'TICKET_STATE_INVALID',
          'Số thứ tự này không chờ đánh giá tại quầy của máy này (đã đánh giá, hoặc quầy đã phục vụ số khác).',
        );
      }
      return queue.rate(p.ticketId, p.rating, actor);
    }
    default:
      throw deviceRefusal(device.kind, method);
  }
}

function ownCounter(device: AuthenticatedDevice & { kind: BrowserDeviceKind }): string {
  if (device.counter === null || device.counter === '') {
    throw new AppError(
      'QUEUE_COUNTER_UNKNOWN',
      'Máy đánh giá này chưa được gắn với quầy nào. Bộ phận CNTT ghép nối lại máy với --counter.',
    );
  }
  return device.counter;
}
