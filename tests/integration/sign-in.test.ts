import type { ScryptOptions } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNKNOWN_ACCOUNT } from '../../main/admin/accounts.service';
import type { CallContext, SessionUser } from '../../main/core/rpc-server';
import { hashPassword, NODE_SCRYPT, storedCost } from '../../main/store/password';
import { startTestCore, TEST_PASSWORD_COST } from './core-support';

/**
 * Sign-in through a real core's RPC server (throttle, service, store on disk): no answer tells a
 * stranger whether a name exists or is locked, and no number of wrong passwords keeps the right
 * one out (docs/architecture.md, "Sign-in"). Timing figures are in bench/README.md ("Passwords").
 */
let t: Awaited<ReturnType<typeof startTestCore>>;
let nextConnection = 1000;

beforeAll(async () => {
  // Short waits so the test does not sleep for real; their shape is `login-throttle.test.ts`'s.
  t = await startTestCore({ loginThrottle: { connectionBaseMs: 5, accountBaseMs: 10, maxDelayMs: 80 } });
});
afterAll(async () => {
  await t.dispose();
});

function context(): CallContext {
  let user: SessionUser | null = null;
  return {
    get user() {
      return user;
    },
    connectionId: nextConnection++,
    setUser: (u) => {
      user = u;
    },
  };
}

async function signIn(username: string, password: string) {
  const r = await t.core.rpc.call('auth.login', { username, password }, context());
  return r.ok
    ? { ok: true as const }
    : { ok: false as const, code: r.error.code, message: r.error.message, details: r.error.details };
}

function auditRows(): { actor: string; action: string; entityId: string | null; details: string }[] {
  return t.core.store.db
    .prepare('SELECT actor, action, entity_id AS entityId, details_json AS details FROM audit_log ORDER BY id')
    .all() as { actor: string; action: string; entityId: string | null; details: string }[];
}

describe('sign-in answers', () => {
  it('runs the same scrypt work through the core for a name that is no account and for a real one, the first time too', async () => {
    // First in the file: a decoy made lazily, on the first unknown name, would show up here as an extra hash.
    const seen: string[] = [];
    const { derive, deriveSync } = NODE_SCRYPT;
    NODE_SCRYPT.derive = (pw: string, salt: Buffer, len: number, o: ScryptOptions) => {
      seen.push(`async N=${o.N} r=${o.r} p=${o.p} salt=${salt.length} key=${len}`);
      return derive(pw, salt, len, o);
    };
    NODE_SCRYPT.deriveSync = (pw: string, salt: Buffer, len: number, o: ScryptOptions) => {
      seen.push(`sync N=${o.N} r=${o.r} p=${o.p} salt=${salt.length} key=${len}`);
      return deriveSync(pw, salt, len, o);
    };
    try {
      await signIn('khong-co-ai-2', 'sai');
      const unknown = seen.splice(0);
      await signIn('lanhdao', 'sai');
      const known = seen.splice(0);
      expect(unknown).toEqual([`async N=${TEST_PASSWORD_COST.N} r=8 p=1 salt=16 key=32`]);
      expect(known).toEqual(unknown);
    } finally {
      Object.assign(NODE_SCRYPT, { derive, deriveSync });
    }
  });

  it('gives a wrong password the same answer for a name that is no account, an account, and a locked account', async () => {
    t.core.store.db
      .prepare('UPDATE accounts SET locked_until = ? WHERE username = ?')
      .run(t.core.clock.now() + 3_600_000, 'sohoa');
    try {
      const unknown = await signIn('khong-co-ai', 'sai-mat-khau');
      const known = await signIn('lanhdao', 'sai-mat-khau');
      const locked = await signIn('sohoa', 'sai-mat-khau');
      expect(unknown).toMatchObject({ ok: false, code: 'LOGIN_FAILED' });
      expect(known).toEqual(unknown);
      expect(locked).toEqual(unknown);
      // Only the owner, who knows the password, learns that the account is locked.
      expect(await signIn('sohoa', 'daotao-sohoa')).toMatchObject({ ok: false, code: 'ACCOUNT_LOCKED' });
    } finally {
      t.core.store.db.prepare('UPDATE accounts SET locked_until = NULL WHERE username = ?').run('sohoa');
    }
  });

  it('prepared the decoy at start, at the cost of the stored hashes', async () => {
    const stored =
      t.core.store.db
        .prepare<[], string>("SELECT password_hash FROM accounts WHERE username = 'canbo'")
        .pluck()
        .get() ?? '';
    const decoy = await t.core.store.accounts.passwords.decoyHash();
    expect(storedCost(decoy)).toEqual(storedCost(stored));
    expect(storedCost(decoy)).toEqual(TEST_PASSWORD_COST);
  });
});

describe('a stranger cannot lock the real user out', () => {
  it('lets the right password in after twenty wrong ones from many connections', async () => {
    const wrong = await Promise.all(Array.from({ length: 20 }, () => signIn('canbo', 'doan-bua')));
    expect(wrong.every((r) => !r.ok && r.code === 'LOGIN_FAILED')).toBe(true);
    for (let i = 0; i < 5; i += 1)
      expect(await signIn('canbo', 'doan-tiep')).toMatchObject({ ok: false, code: 'LOGIN_FAILED' });
    expect(t.core.store.accounts.get('canbo')?.lockedUntil).toBeNull();
    expect(await signIn('canbo', 'daotao-canbo')).toEqual({ ok: true });
    expect(t.core.store.db.prepare("SELECT failed_attempts FROM accounts WHERE username = 'canbo'").pluck().get()).toBe(
      0,
    );
  });

  it('audits each failure (unknown names as (unknown)) and the success', () => {
    const rows = auditRows();
    const failures = rows.filter((r) => r.action === 'auth.login-failed');
    expect(failures.filter((r) => r.actor === 'canbo').length).toBeGreaterThanOrEqual(25);
    expect(failures.some((r) => r.actor === UNKNOWN_ACCOUNT)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain('khong-co-ai');
    expect(rows.at(-1)).toMatchObject({ actor: 'canbo', action: 'auth.login' });
  });
});

describe('rehash on sign-in', () => {
  it('replaces a weaker hash after a successful sign-in and audits the costs, never the hash', async () => {
    const weak = { N: 256, r: 8, p: 1 };
    t.core.store.db
      .prepare("UPDATE accounts SET password_hash = ? WHERE username = 'quantri'")
      .run(hashPassword('daotao-quantri', weak));
    expect(await signIn('quantri', 'daotao-quantri')).toEqual({ ok: true });
    const stored =
      t.core.store.db
        .prepare<[], string>("SELECT password_hash FROM accounts WHERE username = 'quantri'")
        .pluck()
        .get() ?? '';
    expect(storedCost(stored)).toEqual(TEST_PASSWORD_COST);
    const rehash = auditRows().filter((r) => r.action === 'account.rehash');
    expect(rehash).toHaveLength(1);
    expect(rehash[0]).toMatchObject({ actor: 'system', entityId: 'quantri' });
    expect(JSON.parse(rehash[0]!.details)).toEqual({ from: weak, to: TEST_PASSWORD_COST });
    expect(JSON.stringify(auditRows())).not.toContain('scrypt$');
    // Once strong enough, the next sign-in leaves it alone.
    expect(await signIn('quantri', 'daotao-quantri')).toEqual({ ok: true });
    expect(auditRows().filter((r) => r.action === 'account.rehash')).toHaveLength(1);
  });
});
