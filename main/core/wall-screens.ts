import {
  contract,
  rolesAllow,
  type Access,
  type EventName,
  type MethodName,
  type Role,
  type WallScreen,
} from '../../common/contract';

/**
 * What a session narrowed to a wall screen may do (docs/architecture.md, "Sessions"). A wall screen
 * runs all day for citizens in a window an officer signed in: it is exempt from the idle lock, so
 * it may call only what its page calls and receives only the events its page listens to.
 *
 * - `roles`: who may narrow a session to it, the same as the page's route
 *   (`renderer/src/router/index.ts`: `/kiosk` and `/rate` need the desk roles, `/display` any).
 * - `methods`: the non-public methods its page calls, besides `WALL_SCREEN_COMMON_METHODS`.
 * - `events`: the broadcast events it still receives (`session.ended` is always sent).
 */
export interface WallScreenRule {
  roles: Access;
  methods: ReadonlySet<MethodName>;
  events: ReadonlySet<EventName>;
}

const DESK: readonly Role[] = ['officer', 'supervisor', 'admin'];

export const WALL_SCREEN_RULES: Readonly<Record<WallScreen, WallScreenRule>> = {
  display: { roles: 'any', methods: new Set(['queue.board']), events: new Set(['queue.called', 'queue.changed']) },
  kiosk: {
    roles: DESK,
    methods: new Set(['queue.setup', 'queue.board', 'queue.takeTicket', 'queue.reprint']),
    events: new Set(['queue.called', 'queue.changed']),
  },
  rate: { roles: DESK, methods: new Set(['queue.toRate', 'queue.rate']), events: new Set(['queue.changed']) },
};

/** Non-public methods every wall screen may call: sign out, and repeat its own narrowing (a reload). */
export const WALL_SCREEN_COMMON_METHODS: ReadonlySet<MethodName> = new Set(['auth.logout', 'auth.wallScreen']);

/** May a user of this role narrow a session to this screen (open its page)? */
export function wallScreenOpenTo(screen: WallScreen, role: Role): boolean {
  return rolesAllow(WALL_SCREEN_RULES[screen].roles, role);
}

/** May a session narrowed to `screen` call `method`? Public methods (`auth.me`, `auth.login` …) always. */
export function wallScreenAllowsMethod(screen: WallScreen, method: MethodName): boolean {
  return (
    contract[method].roles === 'public' ||
    WALL_SCREEN_COMMON_METHODS.has(method) ||
    WALL_SCREEN_RULES[screen].methods.has(method)
  );
}

export function wallScreenAllowsEvent(screen: WallScreen, event: EventName): boolean {
  return event === 'session.ended' || WALL_SCREEN_RULES[screen].events.has(event);
}

/** The refusal of a method outside the screen (`FORBIDDEN`). */
export function wallScreenRefusal(screen: WallScreen, method: MethodName): string {
  return `Phiên này chỉ dùng cho màn hình ${WALL_SCREEN_NAMES[screen]}; không được dùng ${method}. Đăng nhập lại để dùng chức năng khác.`;
}

/** Names in the core's Vietnamese messages and the audit. */
export const WALL_SCREEN_NAMES: Readonly<Record<WallScreen, string>> = {
  display: 'hiển thị số (display)',
  kiosk: 'lấy số (kiosk)',
  rate: 'đánh giá (rate)',
};
