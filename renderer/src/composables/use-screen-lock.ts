import { computed, onBeforeUnmount, onMounted, ref, type ComputedRef } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import type { WallScreen } from '../../../common/contract';
import { api, ApiError } from '../api';
import { useSessionStore } from '../stores/session';

/** What counts as the officer being at the desk. */
const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;

export interface IdleTimerOptions {
  /** Idle time after which `onIdle` runs (config `session.idleTimeoutMinutes`, through `app.info`). */
  idleMs: () => number;
  /** False while nobody is signed in, the screen is already locked, or on a wall screen. */
  active: () => boolean;
  onIdle: () => void;
  now?: () => number;
}

/**
 * The screen's idle timer (docs/architecture.md, "Sessions"): keys, clicks, pointer moves and
 * wheel turns restart it; after `idleMs` without any, `onIdle` locks the screen. One timeout at a
 * time, re-armed only when it fires, so activity costs one assignment.
 */
export function startIdleTimer(
  target: Pick<Window, 'addEventListener' | 'removeEventListener'>,
  options: IdleTimerOptions,
): () => void {
  const now = options.now ?? (() => Date.now());
  let last = now();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const arm = (ms: number) => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(check, Math.max(250, ms));
  };
  const check = () => {
    timer = null;
    const idleMs = options.idleMs();
    const idle = now() - last;
    if (idle >= idleMs) {
      if (options.active()) options.onIdle();
      last = now();
      arm(idleMs);
    } else {
      arm(idleMs - idle);
    }
  };
  const seen = () => {
    last = now();
  };
  for (const name of ACTIVITY_EVENTS) target.addEventListener(name, seen, { capture: true, passive: true });
  arm(options.idleMs());
  return () => {
    if (timer !== null) clearTimeout(timer);
    for (const name of ACTIVITY_EVENTS) target.removeEventListener(name, seen, { capture: true });
  };
}

/**
 * While the screen is locked, no key reaches the page under the lock: page shortcuts, the barcode
 * wedge (a scan would fill the draft) and the views' own keys. Registered on the window in the
 * capture phase before any of them (call it first in `App.vue`'s setup), it stops every keydown
 * at once; a key's default action still happens, so the lock screen's password field gets its
 * characters, Tab moves focus and Enter submits its form. Esc does nothing. `input` events are
 * stopped only outside the lock screen (its own field needs them).
 */
export function useLockKeyGuard(locked: () => boolean, lockScreen: () => HTMLElement | null): void {
  const onKey = (event: KeyboardEvent) => {
    if (!locked()) return;
    if (event.key === 'Escape') event.preventDefault();
    event.stopImmediatePropagation();
  };
  const onInput = (event: Event) => {
    if (!locked()) return;
    const screen = lockScreen();
    if (screen && event.target instanceof Node && screen.contains(event.target)) return;
    event.stopImmediatePropagation();
  };
  window.addEventListener('keydown', onKey, { capture: true });
  window.addEventListener('input', onInput, { capture: true });
  onBeforeUnmount(() => {
    window.removeEventListener('keydown', onKey, { capture: true });
    window.removeEventListener('input', onInput, { capture: true });
  });
}

/** How often a wall screen repeats its narrowing, so a session ended while it is quiet shows within a minute. */
export const WALL_SCREEN_CHECK_MS = 60_000;

export interface WallScreenState {
  /** The session ended (revoked, expired), was found locked, or belongs to another wall screen. */
  signInNeeded: ComputedRef<boolean>;
  /** Signs this window out and opens the login page, back to this screen afterwards. */
  signInAgain(): Promise<void>;
}

/**
 * A wall screen (kiosk, display, rating: `meta.bare`; docs/architecture.md, "Sessions"). On mount
 * it narrows the window's session to `screen` (`auth.wallScreen`): from then on the core serves
 * only that screen's methods, never locks it for idle time, and a reload stays that screen. The
 * screen's own idle timer never runs here (`App.vue` skips bare routes), and the lock screen never
 * covers it: when the session ends, the view shows its own "cần đăng nhập lại" notice
 * (`WallScreenGate.vue`) instead of a password field in front of citizens. The narrowing is repeated
 * every `checkMs`, which also finds a session ended by the command line while the screen is quiet.
 */
export function useWallScreen(screen: WallScreen, options: { checkMs?: number } = {}): WallScreenState {
  const session = useSessionStore();
  const router = useRouter();
  const route = useRoute();
  const refused = ref(false);
  let timer: ReturnType<typeof setInterval> | null = null;

  async function narrow(): Promise<void> {
    if (!session.user) return;
    try {
      await api.auth.wallScreen({ screen });
      refused.value = false;
      session.wallScreen = route.path;
    } catch (err) {
      // Session codes reach the session store as well; FORBIDDEN: narrowed to another screen or not allowed here.
      if (err instanceof ApiError && err.code === 'FORBIDDEN') refused.value = true;
    }
  }

  const signInNeeded = computed(
    () => refused.value || session.lock !== null || (session.checked && session.user === null),
  );

  async function signInAgain(): Promise<void> {
    const next = route.fullPath;
    if (session.user) await session.logout();
    await router.push({ name: 'login', query: { next } });
  }

  onMounted(() => {
    void narrow();
    timer = setInterval(() => void narrow(), options.checkMs ?? WALL_SCREEN_CHECK_MS);
  });
  onBeforeUnmount(() => {
    if (timer !== null) clearInterval(timer);
  });
  return { signInNeeded, signInAgain };
}
