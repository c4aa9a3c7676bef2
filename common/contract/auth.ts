import { z } from 'zod';
import { TEXT_LIMITS } from '../domain/text-safety';
import { define, none, ok } from './define';
import { Role } from './schemas';

// Signing in and out, the screen lock and narrowing a session to a wall screen (docs/architecture.md, "Sessions").

/** The full-screen pages left running for citizens (`meta.bare` routes): `/display`, `/kiosk`, `/rate`. */
export const WallScreen = z.enum(['display', 'kiosk', 'rate']);
export type WallScreen = z.infer<typeof WallScreen>;

export const SessionUser = z.object({
  username: z.string(),
  displayName: z.string(),
  role: Role,
  /**
   * Set for a browser device paired with the centre (kiosk, display, rating tablet): the session is
   * that wall screen for good, with no sign-in (docs/architecture.md, "Centre").
   */
  wallScreen: WallScreen.optional(),
});
/** Who is signed in: the one type the core's services and the screens share. */
export type SessionUser = z.infer<typeof SessionUser>;

/**
 * `auth.login`'s answer. A browser tab also gets `resumeSecret`: kept in the tab's sessionStorage
 * and presented with `auth.resume` after a reload (Electron windows get none).
 */
export const LoginResult = SessionUser.extend({ resumeSecret: z.string().min(32).max(200).optional() });

/** A password as typed (the new one of a change has its own minimum). */
const Password = z.string().min(1).max(TEXT_LIMITS.password);

export const authMethods = {
  'auth.login': define(
    z.object({
      username: z.string().min(1).max(TEXT_LIMITS.username),
      password: Password,
    }),
    LoginResult,
    'public',
  ),
  /** Rebinds a browser tab's session after a reload; null when the secret is unknown, revoked or idle too long. */
  'auth.resume': define(z.object({ secret: z.string().min(32).max(200) }), SessionUser.nullable(), 'public'),
  'auth.logout': define(none, ok, 'any'),
  /**
   * The user of this connection's session; also of a locked one (null when ended).
   * See docs/architecture.md, "Sessions".
   */
  'auth.me': define(none, SessionUser.nullable(), 'public'),
  /** Locks this session now (the screen's idle timer, or the officer leaving the desk). */
  'auth.lock': define(none, ok, 'any'),
  /** Unlocks this connection's locked session with the signed-in user's password (login throttle, audited). */
  'auth.unlock': define(z.object({ password: Password }), SessionUser, 'any'),
  /** Ends every session of the caller's account (all tabs, windows and resume grants), audited. */
  'auth.logoutEverywhere': define(none, ok, 'any'),
  /**
   * Narrows this connection's session to one wall screen for good (docs/architecture.md, "Sessions"):
   * only that screen's methods, no idle lock; a new sign-in is needed to widen it. Audited.
   */
  'auth.wallScreen': define(z.object({ screen: WallScreen }).strict(), z.object({ screen: WallScreen }), 'any'),
  /** Changes the caller's password: other sessions of the account end, this one continues. */
  'auth.changePassword': define(
    z.object({
      current: Password,
      next: z.string().min(8).max(TEXT_LIMITS.password),
    }),
    ok,
    'any',
  ),
} as const;
