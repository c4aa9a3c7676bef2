import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MethodName, ResultOf } from '../../common/contract';
import { createCore, type Core, type CoreOptions } from '../../main/core/compose';
import type { CallContext, SessionUser } from '../../main/core/rpc-server';

/**
 * scrypt cost of the test cores' password hashes (N = 2^10 instead of 2^17, about 1 ms): sign-ins
 * are not what most tests check. `tests/integration/sign-in.test.ts` runs the default cost.
 */
export const TEST_PASSWORD_COST = { N: 1024, r: 8, p: 1 };

// The test cores' keys and audit checkpoints go to the temp folder, not the user's profile
// (main/store/key-store.ts; a test that checks them sets its own folder first).
process.env.MOTCUA_KEY_DIR ??= join(tmpdir(), 'motcua-test-keys');

/** A real core (training mode, store on disk, simulators on 127.0.0.1) in a fresh temp folder. */
export async function startTestCore(
  opts: Partial<CoreOptions> = {},
): Promise<{ core: Core; dataDir: string; session: TestSession; dispose(): Promise<void> }> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'motcua-core-'));
  const core = await createCore({ dataDir, startSync: false, passwordCost: TEST_PASSWORD_COST, ...opts });
  const session = new TestSession(core);
  return {
    core,
    dataDir,
    session,
    async dispose() {
      await core.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One connection's session, calling through the RPC server's checks (roles, schemas). */
export class TestSession {
  private user: SessionUser | null = null;
  readonly ctx: CallContext;

  constructor(private readonly core: Core) {
    // The getter's own `this` is the context object, so it reads the session through `self`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.ctx = {
      get user() {
        return self.user;
      },
      connectionId: 0,
      setUser: (u) => {
        self.user = u;
      },
    };
  }

  call<M extends MethodName>(method: M, params: unknown = {}) {
    return this.core.rpc.call(method, params, this.ctx);
  }

  async ok<M extends MethodName>(method: M, params: unknown = {}): Promise<ResultOf<M>> {
    const r = await this.call(method, params);
    if (!r.ok) throw new Error(`${method} failed: ${r.error.code} ${r.error.message}`);
    return r.value;
  }

  async login(username = 'canbo', password = 'daotao-canbo'): Promise<void> {
    await this.ok('auth.login', { username, password });
  }
}

/** A walk-in citizen as the intake tests send one (the training catalogue accepts him). */
export const DUNG = {
  kind: 'citizen',
  idNumber: '001203004567',
  fullName: 'Nguyễn Văn Dũng',
  oldIdNumber: null,
  birthDate: '2003-05-12',
  sex: 'Nam',
  address: 'Thôn Đông, xã Hòa Bình',
  idIssueDate: null,
  phone: '0912345678',
  email: null,
};

/** Waits until `check` holds (polled every 50 ms); fails after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}
